"""Upload helpers: parse once per set of files, the import summary, the rejection report."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import pipeline, template
from dashboard.ui import export

_SIG, _BENCH = "upload.signature", "upload.bench"


def parsed(files) -> pipeline.Workbench:
    """The Workbench of these uploads, parsed only when the set of files changes."""
    sig = tuple((f.name, f.size, getattr(f, "file_id", "")) for f in files)
    if st.session_state.get(_SIG) != sig:
        st.session_state[_BENCH] = pipeline.open_ledgers(list(files))
        st.session_state[_SIG] = sig
    return st.session_state[_BENCH]


def summary(bench: pipeline.Workbench) -> pd.DataFrame:
    rows = []
    for s in bench.result.sheets:
        kind = template.SHEET_BY_NAME[s.kind].zh if s.kind else "未识别"
        variants = "、".join(f"{raw}→{template.SHEET_BY_NAME[s.kind].column(c).zh}"
                             for raw, c in s.columns_variant.items()) if s.kind else ""
        rows.append((s.file, s.sheet, kind, s.rows_read, s.rows_loaded, s.rows_rejected,
                     len(s.columns_recognised), variants, "、".join(s.columns_unknown)))
    return pd.DataFrame(rows, columns=["文件", "工作表", "识别为", "读取行数", "载入行数", "未载入行数",
                                       "识别的列数", "由别名识别的列", "未识别的列"])


def rejection_xlsx(bench: pipeline.Workbench) -> bytes:
    return export.xlsx_bytes({"未载入与存疑": bench.result.rejection_frame(), "导入概况": summary(bench)})


def default_month(bench: pipeline.Workbench) -> dt.date:
    return bench.result.data_date or dt.date.today()
