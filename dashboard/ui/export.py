"""Downloads: xlsx (xlsxwriter) and csv, every text cell and column header neutralised
(dashboard.safe) — the only way out for table data (client.disableDataExport hides
st.dataframe's own download)."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from dashboard import month_info, safe
from dashboard.explain import fmt_date
from dashboard.labels import LEVEL_SHORT
from dashboard.reports import xlsx as report_xlsx
from dashboard.reports.document import DATE, INT, TEXT, WAN, Col, Table
from dashboard.ui import auth


def xlsx_bytes(sheets: dict[str, pd.DataFrame], note: str = "") -> bytes:
    """One workbook, a sheet per frame, written like the reports' annexes: a title row, a note
    row (data date, filters in force), widths from the content, a filter, 万元 as #,##0.00.
    Strings (headers too) are never read as formulas."""
    tables = [_table(name, safe.safe_frame(frame)) for name, frame in sheets.items()]
    content = report_xlsx.tables_workbook(tables, note or "金额单位：万元")
    auth.record("export", "、".join(sheets), details={"格式": "xlsx", "行数": sum(len(f) for f in sheets.values()),
                                                     "说明": note})
    return content


FILTER_NAMES = {"towns": "镇", "villages": "嘎查村", "categories": "资产类别", "types": "资产类型",
                "funds": "资金来源", "levels": "预警等级", "batches": "四个一批"}


def note(ctx) -> str:
    """The line under an export's title: source, data date, as_of and the filters in force."""
    parts = [f"数据来源：{ctx.source.label}"]
    if stated := month_info.stated(ctx.source):       # as the page header and the reports say it
        parts.append(f"数据截至{fmt_date(stated)}")
    parts.append(f"评估基准日{fmt_date(ctx.as_of)}")
    from dashboard import editions         # the plan it was judged by: 政策版本 counts it as issued under it
    parts.append(f"政策版本：{editions.in_force(ctx.as_of).label()}")
    f = ctx.filters
    chosen = [f"{zh}={'、'.join(LEVEL_SHORT.get(v, v) for v in getattr(f, name))}"
              for name, zh in FILTER_NAMES.items() if getattr(f, name)]
    if f.year_from is not None or f.year_to is not None:
        chosen.append(f"建成年度={f.year_from or ''}–{f.year_to or ''}")
    if not f.scope.whole:
        parts.append(f"范围：{f.scope.label}")
    parts.append("筛选：" + ("；".join(chosen) if chosen else ("无（全旗）" if f.scope.whole else "无")))
    parts.append("金额单位：万元")
    return "　".join(parts)


def _table(name: str, frame: pd.DataFrame) -> Table:
    cols = [Col(str(h), _kind(str(h), frame[h])) for h in frame.columns]
    rows = [[_value(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return Table(name[:31], name, cols, rows)


def _kind(header: str, col: pd.Series) -> str:
    if header.endswith("（万元）"):
        return WAN
    if pd.api.types.is_datetime64_any_dtype(col) or any(isinstance(v, dt.date) for v in col.head(20)):
        return DATE
    if pd.api.types.is_integer_dtype(col):
        return INT
    return WAN if pd.api.types.is_float_dtype(col) else TEXT


def _value(v):
    if v is None or v is pd.NaT or (not isinstance(v, (str, list, tuple)) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):              # numpy scalars
        return v.item()
    return v


def csv_bytes(frame: pd.DataFrame, name: str, note: str = "") -> bytes:
    """The table as CSV (safe.csv_bytes), the export written to the audit trail."""
    content = safe.csv_bytes(frame)
    auth.record("export", name, details={"格式": "csv", "行数": len(frame), "说明": note})
    return content


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
