"""Loaded ledgers: the one object an upload, the bundled sample and a saved month become.

    upload / sample / CLI files ─ ingest ─┐
                                          ├─ model.load_tables ─ facts judged once ─→ Ledgers
    saved month (snapshot file) ─ attach ─┘

Whatever the source, a `Ledgers` holds an in-memory DuckDB connection with the five
ledger tables and their load-time facts (a saved month's are views on its file, attached
read-only: opening a month copies nothing); `evaluated.Evaluated` then runs the rules on a
cursor of it.  An upload is a `Ledgers` before it is saved, so it can be looked at first.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard import model, policy, settings, snapshots
from dashboard.ingest import ImportResult, load_files

SAMPLE_LABEL = "示例数据"


@dataclass
class Ledgers:
    label: str                                  # what the user calls this source
    con: duckdb.DuckDBPyConnection | None       # None when nothing usable was imported
    data_date: dt.date | None                   # the date the ledgers state (title row / snapshot)
    result: ImportResult | None = None          # the import report (files read, rows rejected)
    month: str | None = None                    # 'YYYY-MM' of a saved month
    loaded_on: dt.date | None = None            # the day uploaded (saved), DQ4's date when none is stated

    @property
    def usable(self) -> bool:
        return self.con is not None

    @property
    def reference(self) -> dt.date:
        """The date these ledgers are judged at by default and when months are compared."""
        if self.month:
            return self.data_date or snapshots.month_end(self.month)
        return self.data_date or dt.date.today()

    @property
    def fatal(self) -> str:
        """Why nothing could be loaded, in one Chinese line."""
        return "；".join(self.result.fatal if self.result else []) or "文件无法使用：未找到资产台账"

    def save(self, month: str, by: str | None = None) -> snapshots.SavedMonth:
        """Keep these ledgers as the snapshot of `month` (the facts go with them; a replaced
        month is kept as a version).  TimeoutError while another writer holds the month."""
        files = [s.file for s in self.result.sheets] if self.result else []
        with snapshots.month_lock(month):
            return snapshots.save(self.con, month, self.data_date, files, kind="upload", by=by)


def load(files, label: str = "上传的台账", **ingest_options) -> Ledgers:
    """Import files (paths or uploaded file objects) and load what is usable."""
    result = load_files(files, **ingest_options)
    if not result.usable:
        return Ledgers(label, None, result.data_date, result)
    con = model.connect()
    model.load_tables(con, result.tables, result.columns, result.empty_required)
    return Ledgers(label, con, result.data_date, result, loaded_on=dt.date.today())


def sample_path() -> Path:
    """The bundled sample; $ZCPH_SAMPLE points the app at another workbook (the UI bench does)."""
    return settings.path("ZCPH_SAMPLE")


def sample() -> Ledgers:
    return load([sample_path()], label=SAMPLE_LABEL, max_bytes=4 * 1024 ** 3)


def saved_month(saved: snapshots.SavedMonth) -> Ledgers:
    con = model.connect()
    meta = snapshots.attach(saved, con)
    model.load_negative_list(con, policy.read_negative_list())
    model.load_rule_catalog(con)
    if meta["stale_facts"]:
        model.derive_facts(con)         # into this connection's memory; the file stays as saved
    data_date = dt.date.fromisoformat(meta["data_date"]) if meta.get("data_date") else None
    saved_at = meta.get("saved_at")
    return Ledgers(saved.label, con, data_date, month=saved.month,
                   loaded_on=dt.date.fromisoformat(saved_at[:10]) if saved_at else None)
