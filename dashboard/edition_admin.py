"""系统管理 → 政策版本 and `python -m dashboard editions list`, without Streamlit (issue 22.3/22.5,
verification.md §4): the list of editions, a draft copied from the edition in force and edited
as tables, its checks (editions.parse: a Chinese message naming the key), the preview of what it
changes on a saved month (the same evaluation path, judged by the draft vs the edition the month
was judged by), and saving it into $ZCPH_DATA_DIR/editions/.

An edition under which a report or an export has been issued (an audit entry `report` or
`export` whose details name its label) is never edited in place: a correction is a new edition.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from dashboard import editions
from dashboard.editions import Edition
from dashboard.policy import PolicyError

SOURCE_BUNDLED = "内置"
SPLIT = re.compile(r"[、，,；;\s]+")
LIST_COLUMNS = ["文号", "标题", "施行日期", "来源", "今日施行"]

# The tables the page edits, with their Chinese headers.
FUNDS = ["资金名称", "简称（以、分隔）"]
BENEFICIARIES = ["受益对象类别", "别名（以、分隔）"]
BATCHES = ["本方案名称", "全国名称"]
PARAMETERS = ["参数", "说明", "值", "单位"]
MILESTONES = ["编号", "名称", "截止日期", "考核口径"]


# --- the list -------------------------------------------------------------------------------

def source_text(e: Edition) -> str:
    return SOURCE_BUNDLED if e.source == editions.BUNDLED else e.source


def listing(today: dt.date | None = None) -> pd.DataFrame:
    """Every edition that loads, oldest first: 文号, 标题, 施行日期, 来源 (内置 or the file), 今日施行."""
    found = editions.load_all()
    current = editions.in_force(today or dt.date.today(), found) if found else None
    rows = [(e.document, e.title, e.effective_from.isoformat(), source_text(e), "是" if e is current else "")
            for e in found]
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def is_saved(e: Edition) -> bool:
    """Made by an administrator (a file in $ZCPH_DATA_DIR/editions/), not bundled."""
    return e.source != editions.BUNDLED


def issued_under(e: Edition) -> list:
    """Audit entries of reports and exports issued under `e` (their details name e.label())."""
    from dashboard import store
    from dashboard.store import audit
    if not store.exists():
        return []
    label = e.label()
    return [r for action in ("report", "export") for r in audit.rows(action=action)
            if label in (r.details or "")]


# --- the draft as tables ---------------------------------------------------------------------

def draft_of(e: Edition) -> Edition:
    """A copy of `e` to edit: its milestones count from its own effective date (§4: an edition's
    progress restarts from it); source unset until it is saved."""
    in_force = tuple((item, tuple(words)) for item, words in editions.negative_list(e))   # as edited in the app
    return replace(e, counts_from=e.effective_from, negative_list=in_force, source="")


def _words(text) -> list[str]:
    return [w for w in SPLIT.split(str(text or "").strip()) if w]


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "" or v is pd.NA


def _cell(v) -> str:
    return "" if _blank(v) else str(v).strip()


def tables(e: Edition) -> dict[str, pd.DataFrame]:
    """The draft's lists as the page's editable tables (Chinese headers, measures in Chinese)."""
    from dashboard import policy
    catalog = policy.parameters()
    return {
        "funds": pd.DataFrame([(f, "、".join(e.fund_aliases.get(f, ()))) for f in e.funds], columns=FUNDS),
        "beneficiaries": pd.DataFrame([(c, "、".join(a)) for c, a in e.beneficiaries.items()],
                                      columns=BENEFICIARIES),
        "batches": pd.DataFrame(list(e.batches.items()), columns=BATCHES),
        "parameters": pd.DataFrame([(n, catalog[n].label if n in catalog else "", _num_text(v),
                                     catalog[n].unit if n in catalog else "")
                                    for n, v in e.parameters.items() if n != "scope_start_year"],
                                   columns=PARAMETERS),
        "milestones": pd.DataFrame([(m.id, m.name, m.due.isoformat(), editions.MEASURES[m.measure])
                                    for m in e.milestones], columns=MILESTONES),
    }


def _num_text(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


MEASURE_OF = {zh: key for key, zh in editions.MEASURES.items()}


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(words) -> str:
    return "[" + ", ".join(_q(w) for w in words) + "]"


def _value(text: str) -> str:
    """A parameter's cell as TOML: a number as it is, anything else quoted (parse names the key)."""
    try:
        return str(int(text))
    except ValueError:
        pass
    try:
        float(text)
        return text
    except ValueError:
        return _q(text)


def draft_text(base: Edition, document: str, title: str, effective_from: str, start_year: str,
               frames: dict[str, pd.DataFrame], monthly_due_day: str | None = None) -> str:
    """The draft as an edition file: the fields and tables as the administrator left them, the
    negative list of `base`.  Dates and numbers are written as typed (a date that is not one
    is written as text, so editions.parse refuses it naming its key)."""
    out = ["[edition]", f"document = {_q(document.strip())}", f"title = {_q(title.strip())}",
           f"effective_from = {_q(effective_from.strip())}", f"counts_from = {_q(effective_from.strip())}",
           "", "[scope]", f"start_year = {_value(start_year.strip()) if start_year.strip() else _q('')}"]
    funds = [(_cell(r[FUNDS[0]]), _words(r[FUNDS[1]])) for _, r in frames["funds"].iterrows()
             if not (_blank(r[FUNDS[0]]) and _blank(r[FUNDS[1]]))]
    out += [f"funds = {_list(f for f, _ in funds)}", "", "[scope.fund_aliases]"]
    out += [f"{_q(f)} = {_list(a)}" for f, a in funds if a]
    out += ["", "[beneficiaries]"]
    out += [f"{_q(_cell(r[BENEFICIARIES[0]]))} = {_list(_words(r[BENEFICIARIES[1]]))}"
            for _, r in frames["beneficiaries"].iterrows()
            if not (_blank(r[BENEFICIARIES[0]]) and _blank(r[BENEFICIARIES[1]]))]
    out += ["", "[batches]"]
    out += [f"{_q(_cell(r[BATCHES[0]]))} = {_q(_cell(r[BATCHES[1]]))}" for _, r in frames["batches"].iterrows()
            if not (_blank(r[BATCHES[0]]) and _blank(r[BATCHES[1]]))]
    out += ["", "[parameters]"]
    for _, r in frames["parameters"].iterrows():
        name = _cell(r[PARAMETERS[0]])
        if name:
            out.append(f"{_q(name)} = {_value(_cell(r[PARAMETERS[2]]))}")
    for _, r in frames["milestones"].iterrows():
        if all(_blank(r[c]) for c in MILESTONES):
            continue
        measure = _cell(r[MILESTONES[3]])
        out += ["", "[[milestones]]", f"id = {_q(_cell(r[MILESTONES[0]]))}", f"name = {_q(_cell(r[MILESTONES[1]]))}",
                f"due = {_q(_cell(r[MILESTONES[2]]))}", f"measure = {_q(MEASURE_OF.get(measure, measure))}"]
    day = str(base.monthly_due_day) if monthly_due_day is None else monthly_due_day.strip()
    out += ["", "[reporting]", f"monthly_due_day = {_value(day) if day else _q('')}"]
    for item, words in base.negative_list:
        out += ["", "[[negative_list]]", f"item = {_q(item)}", f"keywords = {_list(words)}"]
    return "\n".join(out) + "\n"


def check(text: str) -> Edition:
    """The draft checked as a file would be (PolicyError: Chinese, naming the key).  Every key
    is written, so nothing is inherited; funds, categories, labels and milestones must not be empty."""
    e = editions.parse(text, "草稿")
    if not e.milestones:
        raise PolicyError("政策版本文件“草稿”：“milestones”至少应有一个工作节点")
    return e


# --- preview ---------------------------------------------------------------------------------

@dataclass
class Preview:
    month: str                    # '2024-12'
    as_of: dt.date
    judged: Edition               # the edition the month was judged by
    assets: pd.DataFrame          # assets whose level, rules, flags or milestone standing change
    milestones: pd.DataFrame      # the banner's milestones at as_of, before and after


ASSET_COLUMNS = ["资产编号", "资产名称", "镇", "预警等级（现）", "预警等级（草稿）", "预警规则（现）",
                 "预警规则（草稿）", "标记（现）", "标记（草稿）", "计入工作节点（现）", "计入工作节点（草稿）"]
MILESTONE_COLUMNS = ["节点", "名称", "截止日期", "完成/应完成（现）", "完成率（现）", "完成/应完成（草稿）", "完成率（草稿）"]
LEVELS = {"red": "红色", "yellow": "黄色", "none": "无"}


def judged_by(books, as_of: dt.date) -> Edition:
    """The edition a saved month was judged by: the one its file names (when recorded), else the
    edition in force at its date."""
    recorded = None
    if getattr(books, "month", None):
        from dashboard import snapshots
        saved = snapshots.find(books.month)
        meta = snapshots.read_meta(saved.path) if saved else {}
        recorded = meta.get("edition") if isinstance(meta, dict) else None
    if isinstance(recorded, dict):
        for e in editions.load_all():
            if e.document == recorded.get("document") and e.effective_from.isoformat() == recorded.get("effective_from"):
                return e
    return editions.in_force(as_of)


def _results(books, as_of: dt.date, edition: Edition) -> tuple[pd.DataFrame, pd.DataFrame]:
    from dashboard.evaluated import Evaluated
    ev = Evaluated(books, as_of, None, edition=edition)
    try:
        with ev.lock:
            assets = ev.cur.execute(
                "SELECT row_id, asset_id, asset_name, town, level, rules, flags FROM asset_results").df()
            ms = ev.cur.execute(
                "SELECT milestone, due_date, done, total, share FROM milestones "
                "WHERE town IS NULL AND is_as_of").df()
    finally:
        ev.close()
    return assets, ms


def _joined(values) -> str:
    return "、".join(list(values)) if values is not None and len(values) else "—"


def preview(draft: Edition, books, month: str, as_of: dt.date) -> Preview:
    """Judge the month by the edition it was judged by and by the draft (both forced, the same
    parameters: each edition's defaults) and list the assets that would change."""
    judged = judged_by(books, as_of)
    before, ms_before = _results(books, as_of, judged)
    after, ms_after = _results(books, as_of, draft)
    both = before.merge(after[["row_id", "level", "rules", "flags"]], on="row_id", suffixes=("_b", "_a"))
    rows = []
    for r in both.itertuples(index=False):
        rb, ra = list(r.rules_b), list(r.rules_a)
        fb, fa = list(r.flags_b), list(r.flags_a)
        counted_b, counted_a = "OUT_OF_SCOPE" not in fb, "OUT_OF_SCOPE" not in fa
        if r.level_b != r.level_a or rb != ra or fb != fa:
            rows.append((r.asset_id, r.asset_name, r.town, LEVELS.get(r.level_b, r.level_b),
                         LEVELS.get(r.level_a, r.level_a), _joined(rb), _joined(ra), _joined(fb), _joined(fa),
                         "是" if counted_b else "否", "是" if counted_a else "否"))
    assets = pd.DataFrame(rows, columns=ASSET_COLUMNS)
    names = {m.id: m.name for m in judged.milestones} | {m.id: m.name for m in draft.milestones}
    ms = ms_before.merge(ms_after, on="milestone", how="outer", suffixes=("_b", "_a"))
    ms_rows = []
    for r in ms.itertuples(index=False):
        due = r.due_date_a if not pd.isna(r.due_date_a) else r.due_date_b
        ms_rows.append((r.milestone, names.get(r.milestone, ""), pd.Timestamp(due).date().isoformat(),
                        _ratio(r.done_b, r.total_b), _pct(r.share_b), _ratio(r.done_a, r.total_a), _pct(r.share_a)))
    milestones = pd.DataFrame(ms_rows, columns=MILESTONE_COLUMNS).sort_values("节点", kind="stable")
    return Preview(month, as_of, judged, assets, milestones)


def _ratio(done, total) -> str:
    return "—" if pd.isna(total) else f"{int(done or 0)}/{int(total)}"


def _pct(share) -> str:
    return "—" if share is None or pd.isna(share) else f"{float(share) * 100:.1f}%"


# --- saving ----------------------------------------------------------------------------------

def save(e: Edition, replacing: Edition | None = None) -> Path:
    """A new file in $ZCPH_DATA_DIR/editions/ (editions.save refuses an existing name); or, with
    `replacing` (a saved edition no report has been issued under), that edition's file rewritten
    — renamed when its 文号 or date changed.  Refused (PolicyError) for an issued or bundled one."""
    if replacing is None:
        return editions.save(e)
    if not is_saved(replacing):
        raise PolicyError("内置的政策版本不能修改，请另存为新版本。")
    if issued_under(replacing):
        raise PolicyError(f"已按{replacing.label()}印发报告或导出数据，不能原地修改，请另存为新版本。")
    old = Path(replacing.source)
    text = editions.to_toml(e)
    editions.parse(text, editions.file_name(e))
    path = old.parent / editions.file_name(e)
    if path != old and path.exists():
        raise PolicyError(f"政策版本文件“{path.name}”已存在：已保存的版本不能修改，请以新的文号或施行日期另存")
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    if path != old:
        old.unlink(missing_ok=True)
    return path


# --- command line ----------------------------------------------------------------------------

def add_parsers(sub) -> None:
    p = sub.add_parser("editions", help="政策版本：list")
    verbs = p.add_subparsers(dest="verb", required=True)
    verbs.add_parser("list", help="列出政策版本：文号、标题、施行日期、来源（内置或文件路径）")


def dispatch(args) -> int | None:
    if args.command != "editions":
        return None
    found, refused = editions.scan()
    today = dt.date.today()
    current = editions.in_force(today, found) if found else None
    print("\t".join(["文号", "标题", "施行日期", "来源", "今日施行"]))
    for e in found:
        print("\t".join([e.document, e.title, e.effective_from.isoformat(), source_text(e),
                         "是" if e is current else ""]))
    for path, message in refused:
        print(f"未采用：{path}：{message}", file=sys.stderr)
    return 0
