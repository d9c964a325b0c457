"""Gathers every number of a report from the shared queries (queries/shared/) and the
report-only ones (queries/reports/), with no filter: the whole banner, by town.

The rules are evaluated twice (`evaluated.Evaluated`, each on a cursor of its own):
at the report's date and at the previous period's end; the previous evaluation's
warnings are registered as `prev_rule_hits` so "new" and "cleared" are answered in
SQL too.  This module only arranges query rows into tables: no rule, threshold or
count is computed here.
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from dashboard import editions, explain, labels, policy, template
from dashboard.evaluated import Evaluated
from dashboard.ledgers import Ledgers
from dashboard.money import wan
from dashboard.reports import narrative, supervised
from dashboard.reports.document import (DATE, INT, PCT, TEXT, WAN, Chart, Col, Parameter, Part,
                                        Report, Section, Table)
from dashboard.reports.periods import Period
from dashboard.scope import Scope

# A list Word prints only in part (LIST_ROWS) leaves out the columns marked in_excerpt=False, so
# that its reasons read on wide lines: the name says the 嘎查村, the reason starts with its rule.
WARNING_LIST_COLS = [Col("序号", INT, 6), Col("镇", TEXT, 12), Col("嘎查村", TEXT, 14, in_excerpt=False),
                     Col("资产编号", TEXT, 16), Col("资产名称", TEXT, 24), Col("原值（万元）", WAN),
                     Col("触发规则", TEXT, 16, in_excerpt=False), Col("预警原因", TEXT, 60),
                     Col("责任单位", TEXT, 20, in_excerpt=False), Col("本期新增", TEXT, 8, in_excerpt=False)]
# A report's annexes keep the ledgers' order; problems go by the five aspects in the plan's order.


def plan_issued() -> dt.date:
    """When the plan took effect: the first edition's date (data/policy/editions/, the seed's
    鄂前政办发〔2024〕13号 and its 落款).  No year-end before it is compared."""
    return editions.load_all()[0].effective_from if editions.load_all() else editions.seed().effective_from

REPORT_BIND = {"annex_order": True, "aspects": list(template.ASPECTS), "by_village": False}
# The quarterly bulletin and the annual summary print this many rows of each list (warnings,
# new and cleared, disposal violations) — a grouped list shares them among its towns — and
# say how many more are on which 附表 sheet: ≤ 10 pages at any size (issue 20.9).  The
# Excel 附表 has every row.
LIST_ROWS = 3


def gather(books: Ledgers, period: Period, params: dict | None = None,
           as_of: dt.date | None = None, previous: Ledgers | None = None, scope: Scope = Scope(),
           previous_as_of: dt.date | None = None, previous_label: str | None = None,
           edition=None) -> Report:
    """The whole report for the period, of the reader's scope (every query binds it);
    `previous` = the saved month compared with (dashboard/baseline.py chooses it, as for 总览),
    judged at `previous_as_of` (its 数据截至; default: the previous period's last day);
    without it the same ledgers at the previous period's last day."""
    as_of = as_of or period.end
    now = Evaluated(books, as_of, params, REPORT_BIND, scope, edition)     # edition: None = in force then
    before = Evaluated(previous or books, previous_as_of or period.previous().end, now.evaluation.params,
                       REPORT_BIND, scope, edition)
    try:
        now.register("prev_rule_hits", before.arrow("shared/previous_warnings"))
        prev_assets = before.arrow("shared/previous_assets")     # no filter: the scope's assets
        now.register("prev_levels", prev_assets)
        now.register("prev_assets", prev_assets)
        report = _assemble(period, now, before)
        report.previous_label = previous_label if previous is not None and report.previous_as_of else None
        return report
    finally:
        now.close()
        before.close()


def compared(period: Period) -> bool:
    """An annual summary compares with the previous year-end only when the plan existed then."""
    return period.kind != "annual" or period.previous().end >= plan_issued()


def _assemble(period: Period, now: Evaluated, before: Evaluated) -> Report:
    ev = now.evaluation
    specs = policy.parameters()
    report = Report(kind=period.kind, period=period, as_of=ev.as_of,
                    previous_as_of=before.evaluation.as_of if compared(period) else None,
                    parameters=[Parameter(n, specs[n].label, v, specs[n].unit) for n, v in ev.params.items()],
                    not_evaluated=ev.not_evaluated, sections=[], annexes=[], scope=now.scope.label,
                    edition=ev.edition.meta() if ev.edition else {})
    warning_rows = now.rows("reports/warning_list")
    towns = now.rows("shared/town_levels")        # the cards, the town table and the ranking
    prev = before if compared(period) else None      # `before` still serves the annual trend
    if period.kind == "monthly":
        # The monthly dispatch is 1–2 pages: the key figures, who reported, the red warnings
        # new and cleared, what to do next; the registers go to the xlsx annex.
        first = overview(now, prev, warning_rows, towns)
        dispatch_figures(first)
        changes = red_changes(now, warning_rows, before.evaluation.as_of)
        report.sections = [first, *submissions(period, now), changes]
        report.sections.append(next_steps(now, report.sections))
        report.annexes = (annexes(now, warning_rows) + [quality_annex(report.sections[-1], now)]
                          + supervised.gather(changes, period, now.scope.whole))    # 督办办理情况
        for section in report.sections:
            section.narrative = narrative.write(section, report)
        return report
    report.sections = [
        overview(now, prev, warning_rows, towns),
        *submissions(period, now),
        warnings(now, warning_rows, report.previous_as_of, towns),
        income(now),
        milestones(now),
        disposals(now),
        problems(now),
    ]
    if period.kind == "quarterly":
        report.sections.append(ranking(now, towns))
    if period.kind == "annual":
        report.sections.append(trend(before, period))  # `before` is free again: reuse its cursor
        report.sections += year_in_review(now, report.sections)
    report.annexes = annexes(now, warning_rows)
    for section in report.sections:
        section.narrative = narrative.write(section, report)
    return report


# --- 一、总体情况 --------------------------------------------------------------

KEY_FIGURES = [  # (figure, label, kind); key_figures() says which query gives each
    ("assets", "资产总数（项）", INT), ("assets_value", "资产原值（万元）", WAN),
    ("red", "红色预警资产（项）", INT), ("red_value", "红色预警资产原值（万元）", WAN),
    ("yellow", "黄色预警资产（项）", INT), ("yellow_value", "黄色预警资产原值（万元）", WAN),
    ("idle", "闲置资产（项）", INT), ("low_efficiency", "低效资产（项）", INT),
    ("distribution_failed", "收益分配不合规（笔）", INT),
    ("distribution_failed_amount", "收益分配不合规金额（万元）", WAN),
    ("disposal_violating", "处置程序违规（件）", INT),
    ("problems", "发现问题（个）", INT), ("problems_signed_off", "已销号问题（个）", INT),
    ("revitalisation_rate", "盘活率", PCT),
]


def _figure(value, kind):
    if value is None:
        return None
    return wan(value) if kind == WAN else float(value) if kind == PCT else int(value)


# Where each key figure is read: (query, its row for the whole banner, {figure: column})
FIGURE_SOURCES = [
    ("shared/town_levels", lambda r: r["is_total"],
     {"assets": "assets", "assets_value": "value", "red": "red", "red_value": "red_value",
      "yellow": "yellow", "yellow_value": "yellow_value", "idle": "idle", "low_efficiency": "low"}),
    ("shared/distribution_score", lambda r: r["is_total"],
     {"distribution_failed": "failed_rows", "distribution_failed_amount": "failed_amount"}),
    ("shared/disposal_counts", lambda r: r["is_total"], {"disposal_violating": "violating"}),
    ("shared/problem_aspects", lambda r: r["is_total"], {"problems": "problems", "problems_signed_off": "signed_off"}),
    ("shared/milestones", lambda r: r["milestone"] == "M5" and r["town"] is None, {"revitalisation_rate": "share"}),
]


def key_figures(ev: Evaluated, towns: list[dict] | None = None, keys=None) -> dict:
    """The whole banner's figures, each from the total row of the query the pages read too
    (`towns`: shared/town_levels when the caller already has it); `keys`: only these figures,
    so only their queries run (the annual trend's twelve month ends)."""
    out = {}
    for name, banner, columns in FIGURE_SOURCES:
        if keys is not None and not columns.keys() & set(keys):
            continue
        rows = towns if towns and name == "shared/town_levels" else ev.rows(name)
        row = next((r for r in rows if banner(r)), None)
        out.update({key: None if row is None else row[col] for key, col in columns.items()
                    if keys is None or key in keys})
    return out


def overview(now: Evaluated, before: Evaluated | None, warning_rows: list[dict], towns: list[dict]) -> Section:
    """The key figures now and at the previous period's end (None: not compared)."""
    cur = key_figures(now, towns)
    prev = key_figures(before) if before else dict.fromkeys(cur)
    rows, figures = [], {}
    for key, label, kind in KEY_FIGURES:
        a, b = _figure(cur[key], kind), _figure(prev[key], kind)
        change = None if a is None or b is None else a - b
        if kind == PCT and change is not None:        # a rate changes by 个百分点, not by a percent
            change = f"{change * 100:+.2f}个百分点"
        rows.append([label, a, b, change])
        figures[key], figures[f"prev_{key}"] = a, b
    figures["new_warnings"] = sum(1 for r in warning_rows if r["is_new"])
    table = Table("主要指标", "主要指标", [Col("指标", TEXT, 28), Col("本期", INT), Col("上期", INT),
                                      Col("增减", INT)], rows,
                  row_kinds=[kind for _, _, kind in KEY_FIGURES])
    parts = [Part("", [table])]
    if before is not None:
        # what 总览 counts (queries/shared/changes.sql): the assets that joined or left the month
        changes = now.rows("shared/changes")
        figures["changes"] = {key: sum(1 for r in changes if r["change"] == key) for key in labels.CHANGE_ZH}
        moved = [r for r in changes if r["change"] in ("joined", "left")]
        figures["joined"], figures["left"] = figures["changes"]["joined"], figures["changes"]["left"]
        listing = Table("资产增减", "较上期新增和减少的资产", [
            Col("变化", TEXT, 10), Col("镇", TEXT, 12), Col("嘎查村", TEXT, 14), Col("资产编号", TEXT, 16),
            Col("资产名称", TEXT, 24), Col("原值（万元）", WAN), Col("上期预警等级", TEXT, 10)],
            [[labels.CHANGE_ZH[r["change"]], r["town"], r["village"] or "—", r["asset_id"], r["asset_name"] or "—",
              wan(r["original_value"]), labels.LEVEL_ZH.get(r["previous_level"], "—")] for r in moved])
        listing.in_docx = False       # the Word text gives the counts; the annex workbook the list
        parts[0].tables.append(listing)
    return Section("overview", "总体情况", parts, figures)


def _total(now: Evaluated) -> str:
    """The total row of a town table: the banner's, or the reader's scope's."""
    return "全旗合计" if now.scope.whole else "合计"


# --- 报送情况 (月调度, when the month was submitted part by part) ---------------------

def submissions(period: Period, now: Evaluated) -> list[Section]:
    """Who reported the month by the 25th, with their 工作推进情况 — for the whole banner's
    monthly dispatch of a month that was submitted (dashboard/monthly/)."""
    from dashboard.monthly import carry, status as S
    month = period.end.strftime("%Y-%m")
    if period.kind != "monthly" or not now.scope.whole or not S.history(month):
        return []
    rows = S.status(month, with_changes=False)
    table = Table("报送情况", "各单位报送情况", [
        Col("报送单位", TEXT, 14), Col("报送情况", TEXT, 12),
        Col("本月工作推进情况", TEXT, 50)],
        [[r.authority, r.label(dated=True) + (f"（{r.carry_note}）" if r.carry_note else ""),
          (r.part.progress or "—") if r.part else "—"] for r in rows])
    table.in_docx = False              # the 附表 has every authority; the Word text says who and what
    carried = [r.carried for r in rows if r.state == "missing" and r.carried]
    figures = {"due": explain.fmt_date(S.due_date(month)), "expected": len(rows),
               "on_time": [r.authority for r in rows if r.state == "on_time"],
               "late": [r.authority for r in rows if r.state == "late"],
               "missing": [r.authority for r in rows if r.state == "missing"],
               "carried": [c.label for c in carried], "carried_together": carry.together(carried),
               "progress": [(r.authority, r.part.progress) for r in rows if r.part and r.part.progress],
               "uncovered": [r.authority for r in rows if r.state == "missing" and not r.carried]}
    # The dispatch says who reported and what they wrote in its text (narrative.submissions), which
    # flows over the page break; the 附表 sheet 报送情况 lists every authority with its whole text.
    return [Section("submissions", "报送情况", [Part("", [table])], figures)]


# --- the monthly dispatch: red warnings new and cleared, what to do next -------------

LISTED = 3      # red warnings of each kind listed in the dispatch itself (largest first); the annex has all


# Labels short enough for two figures a row in the dispatch
SHORT_LABELS = {"红色预警资产原值（万元）": "红色预警原值（万元）", "黄色预警资产原值（万元）": "黄色预警原值（万元）",
                "收益分配不合规金额（万元）": "不合规分配（万元）", "收益分配不合规（笔）": "不合规分配（笔）"}


def dispatch_figures(first: Section) -> None:
    """The key figures as the 1–2 page dispatch prints them: this month and the change, two
    figures a row; the xlsx keeps the whole table with 上月."""
    full = first.parts[0].tables[0]
    full.in_docx = False
    first.parts[0].tables.append(Table(
        "主要指标（摘）", full.title, [Col("指标", TEXT, 24), Col("本月", INT), Col("较上月", INT)],
        [[SHORT_LABELS.get(label, label), now, change] for label, now, _, change in full.rows],
        row_kinds=full.row_kinds, in_xlsx=False, fold=2))


def _red_rows(change: str, rows: list[dict]) -> list[list]:
    return [[change, r["asset_id"], r["asset_name"], r["town"], labels.rule(r["rule_id"])] for r in rows]


def _listed_note(new: int, cleared: int) -> str:
    """What the dispatch's short table leaves out (the counts are in the sentence above it):
    （新增列原值最大的3条、解除列前3条，全部见附表）."""
    cut = [f"新增列原值最大的{LISTED}条"] if new > LISTED else []
    cut += [f"解除列前{LISTED}条"] if cleared > LISTED else []
    return f"（{'、'.join(cut)}，全部见附表）" if cut else ""


def red_changes(now: Evaluated, warning_rows: list[dict], previous_as_of: dt.date) -> Section:
    """New and cleared red warnings: one short table in Word (the largest new ones, the first
    cleared ones), every one with its reason in the annex workbook."""
    ev = now.evaluation
    new = [r for r in warning_rows if r["is_new"] and r["rule_level"] == "red"]
    cleared = [r for r in now.rows("reports/cleared") if r["rule_level"] == "red"]
    by_value = sorted(new, key=lambda r: -(r["original_value"] or 0))
    listed = Table("红色预警变化（摘）", "本月红色预警变化" + _listed_note(len(new), len(cleared)),
                   [Col("变化", TEXT, 4), Col("资产编号", TEXT, 18), Col("资产名称", TEXT, 20), Col("镇", TEXT, 10),
                    Col("触发规则", TEXT, 30)],
                   _red_rows("新增", by_value[:LISTED]) + _red_rows("解除", cleared[:LISTED]), in_xlsx=False)
    # the whole lists, with the reason sentences, are sheets of the annex workbook only
    new_all = _change_table("新增红色预警", "本月新增红色预警", new, ev.as_of, ev.params, "原因")
    cleared_all = _change_table("解除红色预警", "本月解除红色预警", cleared, previous_as_of, ev.params, "上月原因")
    new_all.in_docx = cleared_all.in_docx = False
    figures = {"new_red": len(new), "cleared_red": len(cleared),
               "new_red_assets": len({r["asset_id"] for r in new}),
               "cleared_red_assets": len({r["asset_id"] for r in cleared})}
    return Section("red_changes", "红色预警变化", [Part("", [listed, new_all, cleared_all])], figures)


def next_steps(now: Evaluated, sections: list[Section]) -> Section:
    """What to do next, drawn from the figures: who must still report, the new red warnings,
    overdue problems, the next node due, idle and inefficient assets."""
    figures = {s.key: s.figures for s in sections}
    problem = next(a for a in now.rows("shared/problem_aspects") if a["is_total"])
    pending = [m for m in now.rows("shared/milestones") if m["town"] is None and m["pending"]]
    upcoming = min(pending, key=lambda m: m["due_date"]) if pending else None
    return Section("next_steps", "下步工作", [], {
        "missing": figures.get("submissions", {}).get("missing", []),
        "late": figures.get("submissions", {}).get("late", []),
        "new_red_assets": figures["red_changes"]["new_red_assets"],
        "red_phrase": figures["red_changes"].get("phrase", "本月新增红色预警"),
        "overdue_problems": problem["overdue_problems"],
        "idle": figures["overview"]["idle"], "low_efficiency": figures["overview"]["low_efficiency"],
        "upcoming": upcoming})


# --- 二、预警情况 --------------------------------------------------------------

def warnings(now: Evaluated, warning_rows: list[dict], previous_as_of: dt.date | None,
             towns: list[dict]) -> Section:
    """previous_as_of None: no earlier date is compared (before the plan), nothing new or cleared."""
    ev = now.evaluation
    cleared = now.rows("reports/cleared") if previous_as_of else []
    if previous_as_of is None:
        warning_rows = [r | {"is_new": False} for r in warning_rows]
    heat = now.rows("shared/heatmap")
    town_table = Table("分镇预警", "各镇预警情况", [
        Col("镇", TEXT, 14), Col("资产数（项）", INT), Col("资产原值（万元）", WAN),
        Col("红色预警（项）", INT), Col("红色预警原值（万元）", WAN), Col("黄色预警（项）", INT),
        Col("黄色预警原值（万元）", WAN), Col("预警资产占比", PCT)],
        [[_total(now) if t["is_total"] else t["town"], t["assets"], wan(t["value"]), t["red"],
          wan(t["red_value"]), t["yellow"], wan(t["yellow_value"]), float(t["warned_share"])]
         for t in towns])
    red = _warning_table("红色预警", "红色预警资产名单", warning_rows, "red", ev)
    yellow = _warning_table("黄色预警", "黄色预警资产名单", warning_rows, "yellow", ev)
    new = [r for r in warning_rows if r["is_new"]]
    new_table = _change_table("新增预警", "本期新增预警", new, ev.as_of, ev.params, "原因")
    # a cleared warning is explained by its facts at the previous period's end
    cleared_table = _change_table("解除预警", "本期解除预警", cleared, previous_as_of or ev.as_of, ev.params, "上期原因")
    for table in (red, yellow, new_table, cleared_table):
        table.docx_rows = LIST_ROWS
    red.unit = yellow.unit = "项"
    chart, heat_table = _heatmap(heat)
    figures = {
        "towns": [t for t in towns if not t["is_total"]],
        "total": next(t for t in towns if t["is_total"]),
        "red_assets": len(red.rows), "yellow_assets": len(yellow.rows),
        "new": len(new), "cleared": len(cleared),
        "new_red": sum(1 for r in new if r["rule_level"] == "red"),
        "cleared_red": sum(1 for r in cleared if r["rule_level"] == "red"),
        "top_rules": _top_rules(heat),
    }
    parts = [Part("各镇预警情况", [town_table]),
             Part("红色预警资产名单", [red], note="" if red.rows else "本期无红色预警资产。"),
             Part("黄色预警资产名单", [yellow], note="" if yellow.rows else "本期无黄色预警资产。"),
             Part("本期新增和解除预警", [new_table, cleared_table], note=_changes_note(previous_as_of, new, cleared)),
             Part("预警分布", [heat_table], chart=chart)]
    return Section("warnings", "预警情况", parts, figures)


def _changes_note(previous_as_of: dt.date | None, new: list, cleared: list) -> str:
    """What the part says when its tables are empty (an empty part would stand headed and blank)."""
    if previous_as_of is None:
        return f"工作方案{explain.fmt_date(plan_issued())}印发，此前的年末不作比较，本期不列新增和解除预警。"
    return "" if new or cleared else "本期无新增和解除预警。"


def _reasons(rows: list[dict], ev) -> str:
    return "\n".join(f"{labels.rule(r['rule_id'])}：{explain.explain(r['rule_id'], r['facts'], ev.as_of, ev.params)}"
                     for r in rows)


def _by_asset(rows: list[dict]) -> list[list[dict]]:
    """Group the (asset, rule) rows of the warning list by asset, keeping the query's order."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["asset_id"], []).append(r)
    return list(groups.values())


def _warning_table(sheet: str, title: str, rows: list[dict], level: str, ev) -> Table:
    out = []
    for group in _by_asset([r for r in rows if r["level"] == level]):
        first = group[0]
        out.append([len(out) + 1, first["town"], first["village"], first["asset_id"], first["asset_name"],
                    wan(first["original_value"]), "、".join(labels.rule(r["rule_id"]) for r in group),
                    _reasons(group, ev), first["responsible_unit"] or "未填写",
                    "是" if any(r["is_new"] for r in group) else "否"])
    return Table(sheet, title, WARNING_LIST_COLS, out, group_by=1)


def _change_table(sheet, title, rows, as_of, params, reason_header) -> Table:
    cols = [Col("序号", INT, 6), Col("镇", TEXT, 12), Col("嘎查村", TEXT, 14, in_excerpt=False),
            Col("资产编号", TEXT, 16), Col("资产名称", TEXT, 24), Col("规则", TEXT, 30), Col("等级", TEXT, 6),
            Col(reason_header, TEXT, 60)]
    out = [[i + 1, r["town"], r["village"], r["asset_id"], r["asset_name"], labels.rule(r["rule_id"]),
            labels.LEVEL_SHORT[r["rule_level"]], explain.explain(r["rule_id"], r["facts"], as_of, params)]
           for i, r in enumerate(rows)]
    return Table(sheet, title, cols, out)


def _heatmap(heat: list[dict]) -> tuple[Chart, Table]:
    towns = list(dict.fromkeys(h["town"] for h in heat))
    rule_ids = sorted({h["rule_id"] for h in heat}, key=lambda r: (r[0] != "R", r))
    counts = {(h["town"], h["rule_id"]): h["assets"] for h in heat}
    z = [[counts.get((t, r), 0) for r in rule_ids] for t in towns]
    chart = Chart("heatmap", "各镇预警规则分布（资产数）", rule_ids, towns, z)
    table = Table("预警热力图", "各镇预警规则分布（资产数）",
                  [Col("镇", TEXT, 14)] + [Col(r, INT, 6) for r in rule_ids],
                  [[t] + row for t, row in zip(towns, z)])
    return chart, table


def _top_rules(heat: list[dict]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for h in heat:
        totals[h["rule_id"]] = totals.get(h["rule_id"], 0) + h["assets"]
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:3]


# --- 三、收益收缴和分配 ---------------------------------------------------------

def income(now: Evaluated) -> Section:
    collection = now.rows("shared/collection_by_check")
    dist = now.rows("shared/distribution_score")
    names = policy.rules()
    banner = [c for c in collection if c["is_total"] and c["checked"]]  # checks with something checked
    check_table = Table("收益收缴", "收益收缴检查情况（经营性资产）", [
        Col("检查项", TEXT, 30), Col("检查资产数（项）", INT), Col("符合（项）", INT),
        Col("不符合（项）", INT), Col("符合率", PCT)],
        [[f"{c['check_id']} {names[c['check_id']].name}", c["checked"], c["passed"], c["failing"],
          c["passed"] / c["checked"] if c["checked"] else None] for c in banner])
    town_table = _collection_by_town(collection)
    dist_table = Table("收益分配", "收益分配合规情况", [
        Col("镇", TEXT, 14), Col("分配笔数", INT), Col("分配金额（万元）", WAN), Col("不合规笔数", INT),
        Col("不合规金额（万元）", WAN)] + [Col(f"D{i} {names[f'D{i}'].name}", INT, 12) for i in range(1, 7)],
        [[_total(now) if d["is_total"] else d["town"], d["rows"], wan(d["amount"]), d["failed_rows"],
          wan(d["failed_amount"])] + [d[f"D{i}"] for i in range(1, 7)] for d in dist])
    figures = {"collection": banner, "distribution": next((d for d in dist if d["is_total"]), None)}
    return Section("income", "收益收缴和分配", [
        Part("收益收缴", [check_table, town_table]),
        Part("收益分配", [dist_table])], figures)


def _collection_by_town(collection: list[dict]) -> Table:
    towns = list(dict.fromkeys(c["town"] for c in collection if not c["is_total"]))
    checks = [f"C{i}" for i in range(1, 7)]
    failed = {(c["town"], c["check_id"]): c["failing"] for c in collection if not c["is_total"]}
    return Table("收益收缴分镇", "各镇收益收缴不符合项（项）",
                 [Col("镇", TEXT, 14)] + [Col(c, INT, 8) for c in checks],
                 [[t] + [failed.get((t, c), 0) for c in checks] for t in towns])


# --- 四、重点工作进展 -----------------------------------------------------------

def milestones(now: Evaluated) -> Section:
    every = now.rows("shared/milestones")
    rows = [m for m in every if m["town"] is None]
    by_town = [m for m in every if m["town"] is not None]
    names = policy.rules()
    table = Table("工作节点", "重点工作节点完成情况", [
        Col("节点", TEXT, 6), Col("工作内容", TEXT, 28), Col("完成时限", DATE, 12),
        Col("到期时完成数", INT), Col("到期时应完成数", INT), Col("到期时完成率", PCT),
        Col("截至报告日完成数", INT), Col("截至报告日应完成数", INT), Col("截至报告日完成率", PCT)],
        [[m["milestone"], m["name"], m["due_date"],       # the edition's milestone names
          m["done_at_due"], m["total_at_due"], _share(m["share_at_due"]),
          m["done"], m["total"], _share(m["share"])] for m in rows])
    ids = [m["milestone"] for m in rows]
    towns = list(dict.fromkeys(t["town"] for t in by_town))
    shares = {(t["town"], t["milestone"]): _share(t["share"]) for t in by_town}
    town_table = Table("分镇节点", "各镇工作节点完成率（截至报告日）",
                       [Col("镇", TEXT, 14)] + [Col(i, PCT, 10) for i in ids],
                       [[t] + [shares.get((t, i)) for i in ids] for t in towns])
    chart = Chart("milestones", "重点工作节点完成率", ids, ["到期时", "截至报告日"],
                  [[_share(m["share_at_due"]) for m in rows], [_share(m["share"]) for m in rows]])
    m5 = next((m for m in rows if m["milestone"] == "M5"), None)
    return Section("milestones", "重点工作进展", [Part("", [table, town_table], chart=chart)],
                   {"milestones": rows, "revitalisation": m5})


# --- the annual summary: 主要成效, 存在问题, 下步打算 drawn from the year's figures ------

def year_in_review(now: Evaluated, sections: list[Section]) -> list[Section]:
    f = {s.key: s.figures for s in sections}
    overview_f, problem = f["overview"], next(a for a in f["problems"]["aspects"] if a["is_total"])
    months = f["trend"]["months"]
    dist = f["income"]["distribution"] or {}
    total = f["disposals"]["total"] or {}
    achieved = {"signed_off": problem["signed_off"], "rectified": problem["rectified"],
                "problems": problem["problems"], "rate": overview_f["revitalisation_rate"],
                "first_red": months[0][1]["red"], "last_red": months[-1][1]["red"],
                "first_month": months[0][0], "last_month": months[-1][0],
                "distribution_rows": dist.get("rows", 0), "distribution_failed": dist.get("failed_rows", 0),
                "disposals": total.get("checked", 0)}
    shortfalls = {"red": overview_f["red"], "yellow": overview_f["yellow"], "idle": overview_f["idle"],
                  "low_efficiency": overview_f["low_efficiency"], "overdue": problem["overdue_problems"],
                  "distribution_failed": dist.get("failed_rows", 0),
                  "disposal_violating": total.get("violating", 0)}
    plans = next_steps(now, [*sections, Section("red_changes", "", [], {"new_red_assets": overview_f["red"],
                                                                        "phrase": "年末仍处于红色预警"})])
    plans.key, plans.title = "plans", "下步打算"
    return [Section("achievements", "主要成效", [], achieved), Section("shortfalls", "存在问题", [], shortfalls), plans]


def _share(value) -> float | None:
    return None if value is None else float(value)


# --- 五、资产处置 ---------------------------------------------------------------

def disposals(now: Evaluated) -> Section:
    ev = now.evaluation
    counts = now.rows("shared/disposal_counts")
    rows = now.rows("shared/disposal_register")
    names = policy.rules()
    count_table = Table("处置情况", "资产处置程序检查情况", [
        Col("处置程序", TEXT, 16), Col("检查件数", INT), Col("违规件数", INT)]
        + [Col(f"DP{i} {names[f'DP{i}'].name}", INT, 12) for i in range(1, 7)],
        [["合计" if c["is_total"] else labels.PATH_ZH.get(c["path"], c["path"]), c["checked"], c["violating"]]
         + [c[f"DP{i}"] for i in range(1, 7)] for c in counts])
    bad = [r for r in rows if r["violations"]]
    violation_table = Table("处置违规", "处置程序违规清单", [
        Col("序号", INT, 6), Col("镇", TEXT, 12), Col("嘎查村", TEXT, 14, in_excerpt=False),
        Col("资产编号", TEXT, 16), Col("资产名称", TEXT, 24), Col("处置程序", TEXT, 14),
        Col("违规规则", TEXT, 14, in_excerpt=False), Col("违规情况", TEXT, 60)],
        [[i + 1, r["town"], r["village"], r["asset_id"], r["asset_name"], labels.PATH_ZH.get(r["path"], r["path"]),
          "、".join(r["violations"]), _dp_reasons(r, ev)] for i, r in enumerate(bad)],
        docx_rows=LIST_ROWS, unit="件")
    total = next((c for c in counts if c["is_total"]), None)
    return Section("disposals", "资产处置", [
        Part("", [count_table, violation_table],
             note="" if bad else "本期未发现处置程序违规。")],
        {"total": total, "by_rule": {f"DP{i}": (total or {}).get(f"DP{i}", 0) for i in range(1, 7)}})


def _dp_reasons(row: dict, ev) -> str:
    return "\n".join(f"{labels.rule(rid)}：{explain.explain(rid, row['facts'], ev.as_of, ev.params)}"
                     for rid in row["violations"])


# --- 六、问题整改和销号 ---------------------------------------------------------

def problems(now: Evaluated) -> Section:
    aspects = now.rows("shared/problem_aspects")
    # the document lists the tiers that have problems
    tiers = [t for t in now.rows("shared/signoff_tiers") if t["problems"]]
    aspect_table = Table("问题分方面", "问题整改情况（按五个方面）", [
        Col("方面", TEXT, 20), Col("问题数（个）", INT), Col("整改中", INT), Col("已整改", INT),
        Col("已销号", INT), Col("逾期未整改", INT), Col("已制定一案一策", INT)],
        [["合计" if a["is_total"] else a["aspect"], a["problems"], a["rectifying"], a["rectified"],
          a["signed_off"], a["overdue_problems"], a["planned"]] for a in aspects])
    tier_table = Table("问题分层级", "问题销号情况（按销号层级）", [
        Col("销号层级", TEXT, 10), Col("销号主体", TEXT, 28), Col("问题数（个）", INT),
        Col("已销号", INT), Col("未销号", INT)],
        [[t["tier"] or "未关联资产", labels.SIGNER_ZH.get(t["tier"], "按责任单位"), t["problems"], t["signed_off"],
          t["open"]] for t in tiers])
    return Section("problems", "问题整改和销号", [Part("", [aspect_table, tier_table])],
                   {"aspects": aspects, "tiers": tiers})


# --- 季通报：各镇排名；年总结：全年走势 -----------------------------------------

def ranking(now: Evaluated, towns: list[dict]) -> Section:
    new = {r["town"]: r["new_warnings"] for r in now.rows("reports/town_new_warnings")}
    towns = [t for t in towns if not t["is_total"]]
    rows = [{**t, "new_warnings": new.get(t["town"], 0)} for t in sorted(towns, key=lambda t: t["rank"])]
    table = Table("分镇排名", "各镇预警情况排名", [
        Col("镇", TEXT, 14), Col("资产数（项）", INT), Col("红色预警（项）", INT),
        Col("红色预警原值（万元）", WAN), Col("黄色预警（项）", INT), Col("预警资产占比", PCT),
        Col("本期新增预警（条）", INT), Col("红色预警数排名", INT), Col("红色预警原值排名", INT),
        Col("预警占比排名", INT)],
        [[r["town"], r["assets"], r["red"], wan(r["red_value"]), r["yellow"], float(r["warned_share"]),
          r["new_warnings"], r["rank_red"], r["rank_red_value"], r["rank_share"]] for r in rows])
    return Section("ranking", "各镇排名", [Part("", [table])], {"ranking": rows})


TREND = [("red", "红色预警（项）", INT), ("yellow", "黄色预警（项）", INT),
         ("red_value", "红色预警原值（万元）", WAN), ("yellow_value", "黄色预警原值（万元）", WAN),
         ("idle", "闲置资产（项）", INT), ("problems_signed_off", "已销号问题（个）", INT),
         ("revitalisation_rate", "盘活率", PCT)]


# The rule results the trend's queries read (town_levels and problem_aspects through
# filtered_assets / filtered_problems / filtered_findings): each month end re-runs only the steps they need.
TREND_READS = ("asset_results", "milestones", "management_checks")
# Month ends evaluated at once, each on a cursor of its own: DuckDB's small queries leave a
# core idle much of the time; at 100,000 assets two cursors took 0.65× as long as one (2 cores).
TREND_WORKERS = 2


def trend(snapshot: Evaluated, period: Period) -> Section:
    """The year month by month: the rules evaluated again at every month end (only the steps
    the trend's figures read; `snapshot` is left at a month end with the other steps dropped)."""
    ends = period.month_ends()
    keys = [k for k, _, _ in TREND]

    def chunk(ev: Evaluated | None, dates: list[dt.date]) -> list[dict]:
        own = ev is None
        if own:      # a cursor of its own, evaluated in full at its first date (the filter macros need every table)
            ev = Evaluated(snapshot.ledgers, dates[0], snapshot.evaluation.params, snapshot.defaults,
                           snapshot.scope)
        try:
            return [key_figures(ev if own and i == 0 else ev.move_to(end, TREND_READS), keys=keys)
                    for i, end in enumerate(dates)]
        finally:
            if own:
                ev.close()

    chunks = [ends[i::TREND_WORKERS] for i in range(TREND_WORKERS) if ends[i::TREND_WORKERS]]
    with ThreadPoolExecutor(len(chunks)) as pool:
        done = list(pool.map(chunk, [snapshot] + [None] * (len(chunks) - 1), chunks))
    by_end = {end: f for dates, figures in zip(chunks, done) for end, f in zip(dates, figures)}
    months = [(end, {k: _figure(by_end[end][k], kind) for k, _, kind in TREND}) for end in ends]
    table = Table("月度走势", "全年各月预警和进展情况",
                  [Col("月份", TEXT, 10)] + [Col(label, kind) for _, label, kind in TREND],
                  [[f"{end.month}月"] + [f[k] for k, _, _ in TREND] for end, f in months])
    chart = Chart("trend", "全年各月红黄预警资产数", [f"{end.month}月" for end, _ in months],
                  ["红色预警", "黄色预警"], [[f["red"] for _, f in months], [f["yellow"] for _, f in months]])
    return Section("trend", "全年走势", [Part("", [table], chart=chart)], {"months": months})


# --- 附表 ----------------------------------------------------------------------

def quality_annex(steps: Section, now: Evaluated) -> Table:
    """The dispatch's 数据质量 sheet (verification.md §2): each reporting authority's 漏项错项 by
    check and its 完整率, lowest first; the three lowest go into 下步工作's sentence."""
    from dashboard import dq
    rates = dq.by_authority(now)
    steps.figures["dq_lowest"] = dq.lowest(rates)
    steps.figures["dq_due"] = dq.correction_due()
    return Table("数据质量", "各单位台账漏项错项及完整率", [
        Col("报送单位", TEXT, 18), Col("DQ1 漏项", INT), Col("DQ2 错项·取值", INT), Col("DQ3 错项·矛盾", INT),
        Col("DQ4 错项·日期", INT), Col("合计", INT), Col("检查的单元格", INT), Col("完整率", PCT)],
        [[r.authority, r.dq1, r.dq2, r.dq3, r.dq4, r.findings, r.cells,
          None if r.complete_rate is None or r.complete_rate != r.complete_rate else float(r.complete_rate)]
         for r in rates.itertuples()])


def annexes(now: Evaluated, warning_rows: list[dict]) -> list[Table]:
    ev = now.evaluation
    problem_rows = now.rows("shared/problem_register")
    return [warning_annex(warning_rows, ev), problem_annex(problem_rows),
            disposal_annex(now.rows("shared/disposal_register"), ev), signoff_annex(problem_rows)]


def _batch(ev, label):
    """四个一批 with the national label beside the plan's: 提升（升级） (the edition's batches)."""
    return ev.edition.batch_label(label) if label and ev.edition else label


def warning_annex(rows: list[dict], ev) -> Table:
    out = []
    for group in _by_asset(rows):
        a = group[0]
        out.append([len(out) + 1, a["town"], a["village"], a["asset_id"], a["asset_name"], a["category"],
                    wan(a["original_value"]), labels.LEVEL_SHORT[a["level"]], "、".join(labels.rule(r["rule_id"]) for r in group),
                    _reasons(group, ev), a["responsible_unit"] or "未填写", _batch(ev, a["batch_suggested"]),
                    _batch(ev, a["batch_recorded"]), a["signoff_tier"]])
    return Table("预警范围台账", "预警范围台账", [
        Col("序号", INT, 6), Col("镇", TEXT, 12), Col("嘎查村", TEXT, 14), Col("资产编号", TEXT, 16),
        Col("资产名称", TEXT, 24), Col("资产类别", TEXT, 8), Col("原值（万元）", WAN),
        Col("预警等级", TEXT, 8), Col("触发规则", TEXT, 30), Col("事实依据", TEXT, 70),
        Col("责任单位", TEXT, 20), Col("建议分类", TEXT, 10), Col("登记分类", TEXT, 10),
        Col("销号层级", TEXT, 8)], out, in_docx=False)


def problem_annex(rows: list[dict]) -> Table:
    return Table("问题台账", "问题台账（按五个方面）", [
        Col("序号", INT, 6), Col("方面", TEXT, 16), Col("问题编号", TEXT, 14), Col("资产编号", TEXT, 16),
        Col("资产名称", TEXT, 24), Col("镇", TEXT, 12), Col("问题描述", TEXT, 40), Col("整改措施", TEXT, 40),
        Col("责任单位", TEXT, 20), Col("发现日期", DATE), Col("整改时限", DATE), Col("一案一策日期", DATE),
        Col("整改状态", TEXT, 8), Col("是否逾期", TEXT, 8)],
        [[i + 1, r["aspect"], r["problem_id"], r["asset_id"], r["asset_name"], r["town"], r["description"],
          r["measure"], r["responsible_unit"], r["found_date"], r["deadline"], r["plan_date"],
          r["status_as_of"], "是" if r["overdue"] else "否"] for i, r in enumerate(rows)], in_docx=False)


def disposal_annex(rows: list[dict], ev) -> Table:
    """附件3 鄂托克前旗扶贫（帮扶）项目资产处置登记台账表, one row per disposal."""
    return Table("处置登记台账", "鄂托克前旗扶贫（帮扶）项目资产处置登记台账", [
        Col("序号", INT, 6), Col("镇", TEXT, 12), Col("嘎查村", TEXT, 14), Col("资产编号", TEXT, 16),
        Col("资产名称", TEXT, 24), Col("资产类别", TEXT, 8), Col("原值（万元）", WAN),
        Col("处置情形", TEXT, 24), Col("处置方式", TEXT, 10), Col("审批情况/日期", TEXT, 30),
        Col("处置收入（万元）", WAN), Col("收入安排", TEXT, 30), Col("备注", TEXT, 50)],
        [[i + 1, r["town"], r["village"], r["asset_id"], r["asset_name"], r["category"],
          wan(r["original_value"]), r["circumstance"], r["method"], _approval(r), wan(r["proceeds"]),
          _allocation(r), _dp_reasons(r, ev) if r["violations"] else ""]
         for i, r in enumerate(rows)], in_docx=False)


def _approval(r: dict) -> str:
    steps = [("镇审核", r["town_review_date"]), ("结果公示", r["review_notice_start"] if r["path"] == "simplified" else None),
             ("领导小组批复", r["approval_date"]), ("处置", r["disposal_date"])]
    done = [f"{name}{d.isoformat()}" for name, d in steps if d is not None]
    return f"{labels.PATH_ZH.get(r['path'], r['path'])}：" + ("；".join(done) if done else "未登记审批")


def _allocation(r: dict) -> str:
    if r["proceeds_project"] or r["proceeds_allocated_date"]:
        date = r["proceeds_allocated_date"].isoformat() if r["proceeds_allocated_date"] else "日期未填"
        return f"{r['proceeds_project'] or '项目未填'}（{date}）"
    return "未安排" if r["proceeds"] else ""


def signoff_annex(rows: list[dict]) -> Table:
    return Table("销号台账", "问题销号台账", [
        Col("序号", INT, 6), Col("问题编号", TEXT, 14), Col("资产编号", TEXT, 16), Col("资产名称", TEXT, 24),
        Col("镇", TEXT, 12), Col("原值（万元）", WAN), Col("销号层级", TEXT, 8), Col("销号主体", TEXT, 26),
        Col("整改状态", TEXT, 8), Col("销号日期", DATE), Col("登记销号层级", TEXT, 12)],
        [[i + 1, r["problem_id"], r["asset_id"], r["asset_name"], r["town"], wan(r["original_value"]),
          r["signoff_tier"] or "未关联资产", labels.SIGNER_ZH.get(r["signoff_tier"], "按责任单位"), r["status_as_of"],
          r["signoff_date"], r["signoff_level"]] for i, r in enumerate(rows)], in_docx=False)
