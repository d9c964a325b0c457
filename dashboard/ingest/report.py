"""What an import returns: the loaded tables and the rejection report.

The report is the user's only way to find what was not loaded, so every row
not loaded appears as exactly one "rejected" or "skipped" Issue, and every cell
loaded with a correction or a doubt appears too (it feeds rejected.csv).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

# Chinese names of Issue.kind, used in downloads and exports.
KIND_ZH = {
    "rejected": "未载入", "skipped": "已跳过", "doubt": "存疑",
    "corrected": "已更正", "fatal": "无法使用", "info": "说明",
}


class UnusableInput(Exception):
    """A file or sheet that cannot be used at all; the message is shown as is."""


@dataclass
class Issue:
    file: str
    sheet: str | None
    row: int | None          # 1-based spreadsheet row, None for file/sheet level
    column: str | None       # header as written in the file
    reason: str              # plain Chinese
    kind: str                # one of KIND_ZH
    asset_id: str | None = None


@dataclass
class SheetLoad:
    file: str
    sheet: str
    kind: str | None                     # template sheet name, None if unrecognised
    header_row: int | None = None        # 1-based; the last header row for two-level headers
    rows_read: int = 0                   # non-blank rows below the header
    rows_loaded: int = 0
    rows_rejected: int = 0               # rejected + skipped
    columns_recognised: list[str] = field(default_factory=list)
    columns_variant: dict[str, str] = field(default_factory=dict)
    columns_unknown: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)   # canonical money column -> note
    orphan_rows: int = 0                 # rows whose 资产编号 is not in the asset ledger
    profile: str | None = None           # the mapping profile applied to this sheet
    profile_pairs: dict[str, str] = field(default_factory=dict)   # source header -> canonical (Chinese)


@dataclass
class ImportResult:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    columns: dict[str, set[str]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    sheets: list[SheetLoad] = field(default_factory=list)
    data_date: dt.date | None = None
    fatal: list[str] = field(default_factory=list)
    auto_profiles: dict[str, list[str]] = field(default_factory=dict)   # saved profile → sheets it read
    # DQ1 (verification §2): 资产台账 rows rejected for an empty required cell, one per cell:
    # (file, sheet, row, column, asset_id, town, department) — model.load_tables keeps them.
    empty_required: list[tuple] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        # load_files only creates the assets table when its required columns were found.
        return "assets" in self.tables

    def rejection_frame(self) -> pd.DataFrame:
        rows = [(i.file, i.sheet or "", i.row, i.column or "", i.reason, KIND_ZH.get(i.kind, i.kind))
                for i in self.issues]
        frame = pd.DataFrame(rows, columns=["文件", "工作表", "行", "列", "原因", "类别"])
        frame["行"] = frame["行"].astype("Int64")
        return frame
