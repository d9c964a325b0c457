"""Saved uploads ("snapshots"), one DuckDB file per report month under the data folder.

A snapshot holds the five ledger tables exactly as the importer loaded them, the
`loaded_columns` record (which rules can be evaluated) and one `snapshot_meta` row.
Opening a snapshot copies it into an in-memory connection, so no file stays open
or locked while the app runs and several sessions can read the same month.
No Streamlit here: the CLI bench and the tests use it directly.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard import model, template
from dashboard.ingest import ImportResult

ROOT = Path(__file__).resolve().parents[2]
TABLES = tuple(s.name for s in template.SHEETS) + ("loaded_columns",)
_NAME = re.compile(r"^(\d{4})-(\d{2})\.duckdb$")


def data_dir() -> Path:
    """$ZCPH_DATA_DIR, default var/ in the project (git-ignored); read on every call so tests can move it."""
    return Path(os.environ.get("ZCPH_DATA_DIR") or ROOT / "var")


def snapshot_dir() -> Path:
    return data_dir() / "snapshots"


def month_label(month: str) -> str:
    """'2024-05' → '2024年5月'."""
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def month_end(month: str) -> dt.date:
    year, mon = (int(x) for x in month.split("-"))
    first_next = dt.date(year + mon // 12, mon % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


@dataclass(frozen=True)
class Snapshot:
    month: str                 # '2024-05'
    path: Path
    version: float             # file mtime: a re-saved month is a new cache entry

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def key(self) -> str:
        return f"snap:{self.month}"


def list_snapshots() -> list[Snapshot]:
    """Saved months, oldest first."""
    folder = snapshot_dir()
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if m:
            out.append(Snapshot(f"{m[1]}-{m[2]}", p, p.stat().st_mtime))
    return sorted(out, key=lambda s: s.month)


def find(month: str) -> Snapshot | None:
    return next((s for s in list_snapshots() if s.month == month), None)


def previous(month: str) -> Snapshot | None:
    """The latest snapshot before `month` (for "change since the previous snapshot")."""
    older = [s for s in list_snapshots() if s.month < month]
    return older[-1] if older else None


def save(con: duckdb.DuckDBPyConnection, result: ImportResult, month: str) -> Snapshot:
    """Write the loaded tables of `con` as the snapshot of `month` (replacing it)."""
    if not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ValueError(month)
    folder = snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{month}.duckdb"
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    meta = {"month": month, "data_date": result.data_date.isoformat() if result.data_date else None,
            "saved_at": dt.datetime.now().isoformat(timespec="seconds"),
            "files": sorted({s.file for s in result.sheets})}
    con.execute(f"ATTACH '{_sql_path(tmp)}' AS snap")
    try:
        for table in TABLES:
            con.execute(f"CREATE TABLE snap.{table} AS SELECT * FROM main.{table}")
        con.execute("CREATE TABLE snap.snapshot_meta (meta VARCHAR)")
        con.execute("INSERT INTO snap.snapshot_meta VALUES (?)", [json.dumps(meta, ensure_ascii=False)])
    finally:
        con.execute("DETACH snap")
    # Write to a temporary name first: a half-written month never replaces a good one.
    os.replace(tmp, path)
    return find(month)


def open_snapshot(snap: Snapshot) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """An in-memory connection with the snapshot's tables, and its metadata."""
    con = model.connect()
    con.execute(f"ATTACH '{_sql_path(snap.path)}' AS snap (READ_ONLY)")
    try:
        for table in TABLES:
            con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM snap.{table}")
        meta = json.loads(con.execute("SELECT meta FROM snap.snapshot_meta").fetchone()[0])
    finally:
        con.execute("DETACH snap")
    model.load_negative_list(con, _negative_list())
    model.load_rule_catalog(con)
    model.derive_facts(con)    # judged anew: a snapshot holds only what the importer loaded
    return con, meta


def reference_date(month: str, meta: dict) -> dt.date:
    """The date a month is judged at when months are compared: its data date, else its last day."""
    if meta.get("data_date"):
        return dt.date.fromisoformat(meta["data_date"])
    return month_end(month)


def _negative_list():
    from dashboard import policy
    return policy.read_negative_list()


def _sql_path(path: Path) -> str:
    # ATTACH takes a literal, not a parameter; quote the one character that matters.
    return str(path).replace("'", "''")
