"""数据质量 (漏项错项): DQ1–DQ4 of verification.md §2, over every loaded sheet.

    ensure(ev)                       the findings on ev's cursor (TEMP dq_found, dq_checked_cells)
    findings(ev, where, authority)   the rows (quality/findings.sql): page, dq.csv, the workbooks
    by_authority(ev, where)          counts by check and 完整率 per reporting authority
    workbook(rows, authority, ...)   the xlsx an authority gets back ("请于X月X日前更正")

The checks are SQL (queries/dq/, one file per check), judged once per evaluation at the ledgers'
data date — the 截至 date of their title rows, else the day they were uploaded — and do not
depend on as_of or any threshold, so they are not part of the rule pipeline: they run the first
time a page, export or report asks (bench: `dq_seconds`).  What only the importer knows — which
values it kept as written (DQ2) and which rows it rejected for an empty required cell (DQ1) — it
leaves in the tables (column dq_kept, table dq_empty_required; dashboard/ingest/sheet.py).
The reporting authority is found when asked (quality/), with the departments in force.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from dashboard import safe, sql
from dashboard.filters import Filters

CHECKS = ("dq/dq1_missing", "dq/dq2_values", "dq/dq3_contradictions", "dq/dq4_future_dates")
STEPS = CHECKS + ("dq/dq_found",)
CELLS = "dq/dq_checked_cells"       # 完整率's denominator: judged only when by_authority is asked
CHECK_NAMES = {"DQ1": "漏项", "DQ2": "错项·取值", "DQ3": "错项·矛盾", "DQ4": "错项·日期"}
SHEET_ZH = {"assets": "资产台账", "income": "收益台账", "distribution": "收益分配", "disposals": "处置台账",
            "problems": "问题台账"}
# dq.csv (verification.md §2): these columns, in this order.
CSV_COLUMNS = ["authority", "sheet", "row", "asset_id", "column", "check", "value", "reason"]
_DONE = "_dq_data_date"          # the data date ev's DQ tables were judged at
_CELLS_DONE = "_dq_cells"


def data_date(ev) -> dt.date:
    """The ledgers' data date: their title rows' 截至 date, else the day they were loaded."""
    books = ev.ledgers
    return books.data_date or getattr(books, "loaded_on", None) or dt.date.today()


def ensure(ev, cells: bool = False) -> dt.date:
    """Judge DQ1–DQ4 on ev's cursor once (again only when the data date differs), and with
    `cells` the cells checked (完整率); returns the data date."""
    when = data_date(ev)
    if getattr(ev, _DONE, None) == when and (not cells or getattr(ev, _CELLS_DONE, False)):
        return when
    with ev.lock:
        if getattr(ev, _DONE, None) != when:
            judge(ev.cur, when)
            setattr(ev, _DONE, when)
        if cells and not getattr(ev, _CELLS_DONE, False):
            count_cells(ev.cur)
            setattr(ev, _CELLS_DONE, True)
    return when


def judge(cur, data_date: dt.date) -> None:
    """queries/dq/ on a cursor of loaded ledgers, as TEMP tables — the checks without a
    $parameter as views, read once by dq_found (bench times this)."""
    for name in STEPS:
        text = sql.text(name)
        bind = sql.used_params(text, {"data_date": data_date})
        kind = "TABLE" if bind or name not in CHECKS else "VIEW"
        cur.execute(f"CREATE OR REPLACE TEMP {kind} {sql.table_name(name)} AS {text}", bind or None)


def count_cells(cur) -> None:
    """The cells DQ1–DQ4 look at per place (queries/dq/dq_checked_cells.sql), as a TEMP table."""
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {sql.table_name(CELLS)} AS {sql.text(CELLS)}")


def _departments(bind: dict) -> dict:
    if "department_spellings" in bind:
        return {}
    from dashboard.store import settings
    return settings.department_lists()


def findings(ev, where: Filters = Filters(), authority: str | None = None, **bind) -> pd.DataFrame:
    ensure(ev)
    return ev.frame("quality/findings", where, authority=authority, **_departments({**ev.bind, **bind}), **bind)


def by_authority(ev, where: Filters = Filters(), **bind) -> pd.DataFrame:
    ensure(ev, cells=True)
    return ev.frame("quality/by_authority", where, **_departments({**ev.bind, **bind}), **bind)


def by_column(ev, where: Filters = Filters(), **bind) -> pd.DataFrame:
    ensure(ev)
    frame = ev.frame("quality/by_column", where, **bind)
    frame.insert(0, "工作表", frame.pop("sheet_kind").map(SHEET_ZH))
    return frame


def csv_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """dq.csv's columns from quality/findings rows."""
    out = rows[CSV_COLUMNS].copy()
    out["row"] = out["row"].astype("Int64")
    return out


def lowest(rates: pd.DataFrame, n: int = 3) -> list[tuple[str, float]]:
    """The n authorities with the lowest 完整率 (by_authority's order), for the dispatch."""
    known = rates[rates.complete_rate.notna()]
    return [(r.authority, float(r.complete_rate)) for r in known.head(n).itertuples()]


def pct(rate: float | None) -> str:
    return "—" if rate is None or pd.isna(rate) else f"{rate * 100:.1f}%"


def correction_due(today: dt.date | None = None) -> dt.date:
    """The date an authority corrects by: the next 25th (the monthly reporting day, 月调度 by the
    25th) at least 7 days away — so the correction goes into the next submission."""
    today = today or dt.date.today()
    due = today.replace(day=25)
    while (due - today).days < 7:
        due = (due.replace(day=1) + dt.timedelta(days=32)).replace(day=25)
    return due


def due_text(today: dt.date | None) -> str:
    d = correction_due(today)
    return f"{d.month}月{d.day}日"


def workbook(rows: pd.DataFrame, authority: str, rate: float | None, stated: dt.date,
             today: dt.date | None = None) -> bytes:
    """The xlsx an authority gets back: its title, 请于X年X月X日前更正 with its 完整率, then only
    the rows given (quality/findings with $authority), every text neutralised (safe.safe_frame)."""
    from dashboard.reports import xlsx as report_xlsx
    from dashboard.reports.document import INT, TEXT, Col, Table
    due = correction_due(today)
    table = safe.safe_frame(pd.DataFrame({
        "工作表": rows["sheet"], "行号": rows["row"], "资产编号": rows["asset_id"], "列": rows["column"],
        "检查": rows["check"] + " " + rows["check_name"], "填报值": rows["value"], "问题": rows["reason"],
        "来源文件": rows["source_file"]}))
    cols = [Col(h, INT if h == "行号" else TEXT) for h in table.columns]
    body = [[None if v is None or (not isinstance(v, str) and pd.isna(v)) else (int(v) if h == "行号" else v)
             for h, v in zip(table.columns, r)] for r in table.itertuples(index=False, name=None)]
    title = safe.safe_text(f"{authority}台账漏项错项清单（数据截至{stated.year}年{stated.month}月{stated.day}日）")
    note = (f"共{len(table)}处，完整率{pct(rate)}。请于{due.year}年{due.month}月{due.day}日前在台账中更正，"
            "随下次月度报送重新上报（行号为所报台账中的Excel行号）。")
    return report_xlsx.tables_workbook([Table("漏项错项", title, cols, body)], note)
