"""Data sources (bundled sample, saved snapshots) and their evaluations, cached.

- `open_source(key, version, policy_version)` — st.cache_resource: one in-memory
  DuckDB connection per data source holding the five ledger tables.  The sample
  is parsed once per process; a snapshot is copied in from its file.
- `evaluated(ref)` — st.cache_resource: the rules evaluated on a cursor of that
  connection (TEMP tables are per cursor), for one (source, as_of, parameters).
  Sessions looking at the same month, date and parameters share it; a lock
  serialises queries because a DuckDB cursor is not thread-safe.
- `frame(ref, name, bind)` — st.cache_data: the result of one queries/<name>.sql,
  keyed by everything it depends on (source, as_of, parameters, filters).
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard import filters, model, pipeline, policy, rules
from dashboard.ingest import ImportResult, load_files
from dashboard.ui import snapshots

SAMPLE_KEY = "sample"
SAMPLE_LABEL = "示例数据"


def sample_path() -> Path:
    """The bundled sample; $ZCPH_SAMPLE points the app at another workbook (the UI bench does)."""
    return Path(os.environ.get("ZCPH_SAMPLE") or snapshots.ROOT / "data" / "sample.xlsx")


def policy_version() -> float:
    """Changes when the negative list in force is edited or reset, so sources reload it."""
    return policy.negative_list_file().stat().st_mtime


def source_version(key: str) -> float:
    if key == SAMPLE_KEY:
        path = sample_path()
        return path.stat().st_mtime if path.exists() else 0.0
    snap = snapshots.find(key.removeprefix("snap:"))
    return snap.version if snap else 0.0


@dataclass
class Source:
    key: str
    label: str
    con: duckdb.DuckDBPyConnection
    data_date: dt.date | None
    reference: dt.date         # the date this source is judged at when months are compared
    month: str | None          # 'YYYY-MM' for snapshots
    result: ImportResult | None = None


class SourceError(RuntimeError):
    """A data source cannot be opened; the message is Chinese and shown as is."""


@st.cache_resource(max_entries=2, show_spinner="正在读取示例数据…")
def _sample_import(path: str, version: float) -> ImportResult:
    return load_files([path], max_bytes=4 * 1024 ** 3)


@st.cache_resource(max_entries=8, show_spinner="正在载入数据…")
def open_source(key: str, version: float, policy_ver: float) -> Source:
    if key == SAMPLE_KEY:
        path = sample_path()
        if not path.exists():
            raise SourceError(f"未找到示例数据文件：{path.name}。请在“数据上传”页上传台账。")
        result = _sample_import(str(path), version)
        if not result.usable:
            raise SourceError("示例数据无法使用：" + "；".join(result.fatal))
        con = model.connect()
        model.load_tables(con, result.tables, result.columns)
        reference = result.data_date or dt.date.today()
        return Source(key, SAMPLE_LABEL, con, result.data_date, reference, None, result)
    snap = snapshots.find(key.removeprefix("snap:"))
    if snap is None:
        raise SourceError("所选快照已不存在，请重新选择数据来源。")
    con, meta = snapshots.open_snapshot(snap)
    data_date = dt.date.fromisoformat(meta["data_date"]) if meta.get("data_date") else None
    return Source(key, snap.label, con, data_date, snapshots.reference_date(snap.month, meta), snap.month)


class Evaluated:
    """The rules evaluated on one cursor; every page query runs here."""

    def __init__(self, source: Source, as_of: dt.date, params: dict):
        self.source = source
        self.cur = source.con.cursor()
        self.lock = threading.Lock()
        self.evaluation = rules.evaluate(self.cur, as_of, params)
        ev = self.evaluation
        self.bind = rules.bindings(ev.as_of, ev.params, ev.not_evaluated)
        filters.install(self.cur)

    def frame(self, name: str, bind: dict, tables: dict | None = None) -> pd.DataFrame:
        """queries/<name>.sql as a DataFrame; `tables` are registered for this query only."""
        with self.lock:
            for table_name, table in (tables or {}).items():
                self.cur.register(table_name, table)
            try:
                rel = rules.run_query(self.cur, name, {**self.bind, **bind})
                return rel.to_arrow_table().to_pandas()
            finally:
                for table_name in tables or {}:
                    self.cur.unregister(table_name)

    def arrow(self, name: str, bind: dict):
        with self.lock:
            return rules.run_query(self.cur, name, {**self.bind, **bind}).to_arrow_table()


# ref = (source key, source version, policy version, as_of, parameter items): hashable.
Ref = tuple


@st.cache_resource(max_entries=12, show_spinner="正在评估规则…")
def evaluated(ref: Ref) -> Evaluated:
    key, version, policy_ver, as_of, params = ref
    return Evaluated(open_source(key, version, policy_ver), as_of, dict(params))


def freeze(bind: dict) -> tuple:
    """A bind dict as a hashable key (lists become tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in bind.items()))


def thaw(bind: tuple) -> dict:
    # DuckDB binds a tuple as a STRUCT: give lists back.
    return {k: list(v) if isinstance(v, tuple) else v for k, v in bind}


@st.cache_data(max_entries=2000, show_spinner=False)
def frame(ref: Ref, name: str, bind: tuple) -> pd.DataFrame:
    return evaluated(ref).frame(name, thaw(bind))


@st.cache_data(max_entries=200, show_spinner=False)
def compared_frame(ref: Ref, previous_ref: Ref, name: str, bind: tuple) -> pd.DataFrame:
    """A query reading `prev_rule_hits` / `prev_levels` of an older evaluation (app_prev_*.sql)."""
    before = evaluated(previous_ref)
    tables = {"prev_rule_hits": before.arrow("app_prev_rule_hits", {}),
              "prev_levels": before.arrow("app_prev_levels", {})}
    return evaluated(ref).frame(name, thaw(bind), tables)
