"""Downloads: xlsx (xlsxwriter) and csv, every text cell and column header neutralised
(dashboard.safe) — the only way out for table data (client.disableDataExport hides
st.dataframe's own download)."""
from __future__ import annotations

import io

import pandas as pd

from dashboard import safe


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per frame; strings (headers too) are never read as formulas."""
    buf = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        for name, frame in sheets.items():
            safe.safe_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)
            writer.sheets[name[:31]].freeze_panes(1, 0)
    return buf.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with BOM: Excel opens Chinese CSV correctly.  CRLF lines: then every field holding a
    # CR or LF is quoted, so a CR cannot start a new row that begins with a formula.
    return safe.safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
