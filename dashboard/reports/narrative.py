"""One short paragraph per section, in the plain style of a government bulletin:
the numbers and their change, no adjectives.  Only formats what content.py gathered.
"""
from __future__ import annotations

from dashboard import explain, labels, policy
from dashboard.money import fmt_amount as wan
from dashboard.money import wan as _w
from dashboard.reports import supervised
from dashboard.reports.document import Report, Section


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def points(now: float | None, before: float | None, period: str = "上期") -> str:
    """A rate's change in 个百分点: '较上期提高1.25个百分点'."""
    if now is None or before is None:
        return f"{period}无可比数据"
    diff = (now - before) * 100
    if abs(diff) < 0.005:
        return f"与{period}持平"
    return f"较{period}{'提高' if diff > 0 else '下降'}{abs(diff):.2f}个百分点"


def change(now: float | None, before: float | None, unit: str, money: bool = False, period: str = "上期") -> str:
    """'较上期增加3项' / '较上期减少1.20万元' / '与上期持平'."""
    if now is None or before is None:
        return f"{period}无可比数据"
    diff = now - before
    if abs(diff) < 0.005:
        return f"与{period}持平"
    amount = f"{abs(diff):,.2f}{unit}" if money else f"{abs(round(diff))}{unit}"
    return f"较{period}{'增加' if diff > 0 else '减少'}{amount}"


def moved(f: dict, period: str = "上期") -> str:
    """'较上期新增资产3项、减少资产1项。' — the assets that joined or left (what 总览 counts too)."""
    if "joined" not in f:
        return ""
    if not f["joined"] and not f["left"]:
        return f"资产与{period}相同。"
    return f"较{period}新增资产{f['joined']}项、减少资产{f['left']}项。"


def write(section: Section, report: Report) -> str:
    return WRITERS[section.key](section.figures, report)


def overview(f: dict, r: Report) -> str:
    if r.kind == "monthly":
        return dispatch_overview(f, r)
    text = (f"截至{explain.fmt_date(r.as_of)}，{r.scope}纳入监测的扶贫（帮扶）项目资产共{f['assets']}项，"
            f"原值合计{wan(f['assets_value'])}。其中，红色预警资产{f['red']}项、原值{wan(f['red_value'])}，"
            f"{change(f['red'], f['prev_red'], '项')}；黄色预警资产{f['yellow']}项、原值{wan(f['yellow_value'])}，"
            f"{change(f['yellow'], f['prev_yellow'], '项')}（{r.compared_with}）。"
            f"{moved(f)}闲置资产{f['idle']}项，低效资产{f['low_efficiency']}项。"
            f"发现问题{f['problems']}个，已销号{f['problems_signed_off']}个。")
    if f["revitalisation_rate"] is not None:
        text += f"盘活率{pct(f['revitalisation_rate'])}，{points(f['revitalisation_rate'], f.get('prev_revitalisation_rate'))}。"
    return text


def dispatch_overview(f: dict, r: Report) -> str:
    """The dispatch's first paragraph: the headline figures only (the table has the rest)."""
    # the line above the text already says 数据截至…
    text = (f"本月{r.scope}监测资产{f['assets']}项、原值{wan(f['assets_value'])}；"
            f"红色预警{f['red']}项，{change(f['red'], f['prev_red'], '项', period='上月')}；"
            f"黄色预警{f['yellow']}项，{change(f['yellow'], f['prev_yellow'], '项', period='上月')}")
    if "joined" in f and r.previous_as_of:
        text += f"；{moved(f, '上月').rstrip('。')}"
    if f["revitalisation_rate"] is not None:
        text += (f"；盘活率{pct(f['revitalisation_rate'])}，"
                 f"{points(f['revitalisation_rate'], f.get('prev_revitalisation_rate'), period='上月')}")
    return text + "。"


def warnings(f: dict, r: Report) -> str:
    towns = "；".join(f"{t['town']}红色{t['red']}项、黄色{t['yellow']}项" for t in f["towns"])
    text = (f"{r.scope}红色预警资产{f['red_assets']}项，黄色预警资产{f['yellow_assets']}项。分镇看，{towns}。"
            + (f"本期新增预警{f['new']}条（其中红色{f['new_red']}条），解除预警{f['cleared']}条"
               f"（其中红色{f['cleared_red']}条）。" if r.previous_as_of else f"{r.compared_with}。"))
    if f["top_rules"]:
        top = "、".join(f"{labels.rule(rid)}（{n}项）" for rid, n in f["top_rules"])
        text += f"触发较多的规则为{top}。"
    return text


def income(f: dict, r: Report) -> str:
    names = policy.rules()
    failing = [f"{c['check_id']}{names[c['check_id']].name}不符合{c['failing']}项"
               for c in f["collection"] if c["failing"]]
    checked = max((c["checked"] for c in f["collection"]), default=0)
    text = f"收益收缴方面，检查经营性资产{checked}项次，" + ("；".join(failing) if failing else "各项检查均符合") + "。"
    d = f["distribution"]
    if d and d["rows"]:
        text += (f"收益分配方面，共{d['rows']}笔、{wan(_w(d['amount']))}，其中不合规{d['failed_rows']}笔、"
                 f"{wan(_w(d['failed_amount']))}；违反负面清单（D3）{d['D3']}笔，简单发钱发物（D6）{d['D6']}笔。")
    else:
        text += "收益分配方面，未上传收益分配台账或本期无分配记录。"
    return text


def milestones(f: dict, r: Report) -> str:
    parts = []
    for m in f["milestones"]:
        name = m["name"]                 # the edition's milestone
        if m["total"]:
            parts.append(f"{m['milestone']}{name}完成{m['done']}/{m['total']}（{pct(_f(m['share']))}）")
        else:
            parts.append(f"{m['milestone']}{name}无应完成事项")
    text = f"截至{explain.fmt_date(r.as_of)}，" + "；".join(parts) + "。"
    m5 = f["revitalisation"]
    if m5 and m5["share"] is not None:
        text += f"盘活率{pct(_f(m5['share']))}"
        text += "（完成时限2024年6月30日未到）。" if m5["pending"] else f"，到期时为{pct(_f(m5['share_at_due']))}。"
    return text


def _f(value) -> float | None:
    return None if value is None else float(value)


def disposals(f: dict, r: Report) -> str:
    t = f["total"]
    if not t or not t["checked"]:
        return "本期无资产处置记录。"
    names = policy.rules()
    rules = "、".join(f"{rid}{names[rid].name}{n}件" for rid, n in f["by_rule"].items() if n)
    return (f"检查资产处置{t['checked']}件，程序违规{t['violating']}件" + (f"，其中{rules}" if rules else "") + "。")


def problems(f: dict, r: Report) -> str:
    total = next(a for a in f["aspects"] if a["is_total"])
    aspects = "；".join(f"{a['aspect']}{a['problems']}个" for a in f["aspects"] if not a["is_total"])
    tiers = "、".join(f"{t['tier'] or '未关联资产'}层级{t['problems']}个" for t in f["tiers"])
    return (f"发现问题{total['problems']}个（{aspects}），整改中{total['rectifying']}个、已整改{total['rectified']}个、"
            f"已销号{total['signed_off']}个，逾期未整改{total['overdue_problems']}个。按销号层级：{tiers or '无'}。")


def ranking(f: dict, r: Report) -> str:
    rows = f["ranking"]
    if not rows:
        return "本期无分镇数据。"
    order = "、".join(f"{x['town']}（{x['red']}项）" for x in rows)
    top = max(rows, key=lambda x: x["warned_share"])
    return (f"按红色预警资产数排序，依次为{order}。预警资产占比最高的是{top['town']}，"
            f"为{pct(float(top['warned_share']))}。")


def trend(f: dict, r: Report) -> str:
    months = f["months"]
    first, last = months[0], months[-1]
    peak = max(months, key=lambda m: m[1]["red"])
    return (f"{first[0].month}月末红色预警资产{first[1]['red']}项、黄色{first[1]['yellow']}项；"
            f"{last[0].month}月末红色{last[1]['red']}项、黄色{last[1]['yellow']}项。"
            f"红色预警资产最多的是{peak[0].month}月末，为{peak[1]['red']}项。")


def submissions(f: dict, r: Report) -> str:
    text = f"本月应报送{f['expected']}个单位，{f['due']}前按时报送{len(f['on_time'])}个"
    if f["late"]:
        text += f"，逾期报送{len(f['late'])}个（{'、'.join(f['late'])}）"
    together = f.get("carried_together") if len(f.get("carried", [])) == len(f["missing"]) else None
    if f["missing"]:
        text += f"，未报送{len(f['missing'])}个（{'、'.join(f['missing'])}）" + (f"，{together}" if together else "")
    text += "。"
    # What the month's figures hold for them: their rows of the month before, or nothing.
    notes = [] if together else list(f.get("carried", []))
    if f.get("uncovered"):
        notes.append(f"{'、'.join(f['uncovered'])}无上月数据，本月汇总不含其资产")
    return text + ("；".join(notes) + "。" if notes else "") + progress(f.get("progress", []))


PROGRESS_BUDGET = 120    # characters of 工作推进情况 the two-page dispatch gives all authorities together
PROGRESS_EACH = 60       # and one authority at most; the 附表 sheet 报送情况 has every text whole
PROGRESS_LEAST = 12      # however many authorities wrote one


def progress(said: list[tuple[str, str]]) -> str:
    """各单位本月工作推进情况：城川镇，…；水利局，…（全文见附表） — each text cut to its share of
    PROGRESS_BUDGET, so any number of authorities leaves the dispatch on two pages (a table of
    them had made a third)."""
    if not said:
        return ""
    each = max(PROGRESS_LEAST, min(PROGRESS_EACH, PROGRESS_BUDGET // len(said)))
    texts = [" ".join(t.split()).rstrip("。；;，,") for _, t in said]
    shown = [t if len(t) <= each else t[:each - 1].rstrip("，,、；;") + "…" for t in texts]
    return ("各单位本月工作推进情况：" + "；".join(f"{a}，{t}" for (a, _), t in zip(said, shown))
            + ("（全文见附表“报送情况”）" if shown != texts else "") + "。")


def red_changes(f: dict, r: Report) -> str:
    def assets(warnings: int, assets: int) -> str:      # one asset may fire two red rules
        return "" if warnings == assets else f"（涉及资产{assets}项）"
    return (f"本月新增红色预警{f['new_red']}条{assets(f['new_red'], f['new_red_assets'])}、解除{f['cleared_red']}条"
            f"{assets(f['cleared_red'], f['cleared_red_assets'])}" + ("，明细见下表。" if f["new_red"] or f["cleared_red"] else "。")
            + (supervised.sentence(f["supervision"]) if f.get("supervision") else ""))


def next_steps(f: dict, r: Report) -> str:
    steps = []
    if f["missing"]:          # named in 报送情况 just above: a long list is not repeated
        who = "、".join(f["missing"]) if len(f["missing"]) <= 3 else f"未报送的{len(f['missing'])}个单位"
        steps.append(f"请{who}尽快补报本月台账及工作推进情况")
    if f["new_red_assets"]:
        steps.append(f"对{f['red_phrase']}的{f['new_red_assets']}项资产，由所在镇和旗行业主管部门逐项核实、限期整改")
    if f["overdue_problems"]:
        steps.append(f"{f['overdue_problems']}个问题已超过整改时限，请责任单位加快整改、按层级销号")
    if f["idle"] or f["low_efficiency"]:
        steps.append(f"对{f['idle']}项闲置、{f['low_efficiency']}项低效资产，按“四个一批”推进盘活")
    m = f["upcoming"]
    if m:
        share = "" if m["share"] is None else f"，目前完成{pct(_f(m['share']))}"
        steps.append(f"{m['milestone']}{m['name']}将于{explain.fmt_date(m['due_date'])}到期{share}")
    if f.get("dq_lowest"):     # verification.md §2: the three lowest 完整率 (all in 附表“数据质量”)
        named = "、".join(f"{a}（{pct(r)}）" for a, r in f["dq_lowest"])
        steps.append(f"台账完整率最低的{named}请于{f['dq_due'].month}月{f['dq_due'].day}日前按附表更正")
    if not steps:
        return "各项工作按计划推进，继续做好资产监测和月度调度。"
    return "".join(f"{'一二三四五六'[i]}是{s}；" for i, s in enumerate(steps))[:-1] + "。"


def achievements(f: dict, r: Report) -> str:
    text = (f"全年发现问题{f['problems']}个，已整改{f['rectified']}个、已销号{f['signed_off']}个。"
            f"红色预警资产由{f['first_month'].month}月末的{f['first_red']}项变为{f['last_month'].month}月末的"
            f"{f['last_red']}项。")
    if f["rate"] is not None:
        text += f"闲置低效资产盘活率达到{pct(f['rate'])}。"
    if f["distribution_rows"]:
        text += (f"收益分配{f['distribution_rows']}笔，其中符合要求"
                 f"{f['distribution_rows'] - f['distribution_failed']}笔。")
    if f["disposals"]:
        text += f"检查资产处置{f['disposals']}件。"
    return text


def shortfalls(f: dict, r: Report) -> str:
    parts = [f"年末仍有红色预警资产{f['red']}项、黄色预警资产{f['yellow']}项",
             f"闲置资产{f['idle']}项、低效资产{f['low_efficiency']}项"]
    if f["overdue"]:
        parts.append(f"{f['overdue']}个问题逾期未整改")
    if f["distribution_failed"]:
        parts.append(f"{f['distribution_failed']}笔收益分配不符合要求")
    if f["disposal_violating"]:
        parts.append(f"{f['disposal_violating']}件资产处置程序不规范")
    return "；".join(parts) + "。"


WRITERS = {"achievements": achievements, "shortfalls": shortfalls, "plans": next_steps, "overview": overview, "submissions": submissions, "red_changes": red_changes, "next_steps": next_steps, "warnings": warnings, "income": income, "milestones": milestones,
           "disposals": disposals, "problems": problems, "ranking": ranking, "trend": trend}
