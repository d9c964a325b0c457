"""Saved months ("snapshots"), one DuckDB file per report month under the data folder.

A snapshot holds the five ledger tables exactly as the importer loaded them, the
`loaded_columns` record (which rules can be evaluated), the load-time facts and one
`snapshot_meta` row, and the month's summary (`month_summary`, dashboard/month_summary.py:
asset counts judged at its reference date with the default thresholds, which the heatmap's
month history reads instead of evaluating every month).  Reopening it (ledgers.saved_month,
`attach`) reads the file in place: a read-only ATTACH with views in the connection's own
`main`, nothing copied.  A snapshot file is never written again once saved (save, delete and
restore replace it by os.replace; kept versions are hard links of it), so a connection on
a replaced or deleted month keeps reading its own, unchanged file.  The facts are judged
again, into the connection's memory, only when other facts queries than today's wrote them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboard import model, month_summary, settings, sql, template

ROOT = Path(__file__).resolve().parents[1]
LEDGER_TABLES = tuple(s.name for s in template.SHEETS) + ("loaded_columns",)
FACT_TABLES = tuple(sql.table_name(n) for n in model.LOAD_TIME_QUERIES)
_NAME = re.compile(r"^(\d{4})-(\d{2})\.duckdb$")


def data_dir() -> Path:
    """$ZCPH_DATA_DIR, default var/ in the project (git-ignored); read on every call so tests can move it."""
    return settings.data_dir()


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


def facts_version() -> str:
    """Which load-time queries judged the facts: a snapshot saved by others is judged anew."""
    digest = hashlib.sha256()
    for name in model.LOAD_TIME_QUERIES:
        digest.update(sql.text(name).encode("utf-8"))
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class SavedMonth:
    month: str                 # '2024-05'
    path: Path
    version: float             # file mtime: a re-saved month is a new cache entry
    kept: int | None = field(default=None, compare=False)   # save(): the replaced file's version number

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def key(self) -> str:
        return f"snap:{self.month}"


def list_months() -> list[SavedMonth]:
    """Saved months, oldest first."""
    folder = snapshot_dir()
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if m:
            out.append(SavedMonth(f"{m[1]}-{m[2]}", p, p.stat().st_mtime))
    return sorted(out, key=lambda s: s.month)


def find(month: str) -> SavedMonth | None:
    return next((s for s in list_months() if s.month == month), None)


def previous(month: str) -> SavedMonth | None:
    """The latest snapshot before `month` (for "change since the previous snapshot")."""
    older = [s for s in list_months() if s.month < month]
    return older[-1] if older else None


_MONTH = re.compile(r"(20[2-9][0-9])-(0[1-9]|1[0-2])", re.ASCII)   # 2020-01 … 2099-12


def valid_month(month) -> bool:
    """A month as every command and page takes it: ASCII YYYY-MM, from 2020 on ("0000-01",
    "２０２４-05" and "2024-5" are not months)."""
    return isinstance(month, str) and _MONTH.fullmatch(month) is not None


@contextlib.contextmanager
def month_lock(month: str, wait: float = 60):
    """One writer of a month at a time, across sessions and processes on this data folder
    (two consolidations of one month at once).  TimeoutError after `wait` seconds."""
    folder = snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{month}.lock", "a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(month) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


KINDS = {"upload": "上传快照", "consolidated": "汇总"}


def versions_dir(month: str) -> Path:
    """Where a month's replaced files are kept: snapshots/versions/YYYY-MM/v1.duckdb, v2 …
    (dashboard/month_versions.py lists and restores them; list_months never sees them)."""
    if not valid_month(month):
        raise ValueError(month)
    return snapshot_dir() / "versions" / month


_VERSION = re.compile(r"^v([1-9][0-9]*)\.duckdb$")


def version_numbers(month: str) -> list[int]:
    folder = versions_dir(month)
    if not folder.is_dir():
        return []
    return sorted(int(m[1]) for p in folder.iterdir() if (m := _VERSION.match(p.name)))


def keep(month: str, *, move: bool = False) -> int | None:
    """Keep the month's current file as its next numbered version (None: no current file).
    The current file stays in place (a second name for it) unless `move`; nothing ever
    writes into a kept file again.  The caller holds month_lock(month)."""
    path = snapshot_dir() / f"{month}.duckdb"
    if not path.exists():
        return None
    folder = versions_dir(month)
    folder.mkdir(parents=True, exist_ok=True)
    number = max(version_numbers(month), default=0) + 1
    while True:
        target = folder / f"v{number}.duckdb"
        try:
            os.link(path, target)              # no copy, and no moment without the month
            break
        except FileExistsError:
            number += 1
        except OSError:                        # a file system without hard links: copy it
            try:
                with open(path, "rb") as src, open(target, "xb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                break
            except FileExistsError:
                number += 1
    if move:
        path.unlink()
    return number


def save(con: duckdb.DuckDBPyConnection, month: str, data_date: dt.date | None,
         files: list[str], *, kind: str = "upload", by: str | None = None,
         extra: dict | None = None) -> SavedMonth:
    """Write the loaded tables and facts of `con` as the snapshot of `month` (replacing it).
    `kind`: "upload" (one workbook saved on 数据上传) or "consolidated" (月调度 汇总);
    `by`: who saved it.  Both go into the month's meta with its asset count.
    The replaced file is kept as the month's next version (its number: the result's `kept`).
    The caller holds month_lock(month) (Ledgers.save and consolidate do)."""
    if not valid_month(month):
        raise ValueError(month)
    folder = snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{month}.duckdb"
    tmp = folder / f".{month}.{uuid.uuid4().hex}.tmp"      # unique: two writers never share it
    meta = {"month": month, "data_date": data_date.isoformat() if data_date else None,
            "saved_at": dt.datetime.now().isoformat(timespec="seconds"),
            "files": sorted(set(files)), "facts_version": facts_version(),
            "kind": kind, "saved_by": by,
            "assets": con.execute("SELECT count(*) FROM main.assets").fetchone()[0]} | (extra or {})
    meta["summary"], summary = month_summary.compute(con, reference_date(month, meta))
    meta["edition"] = meta["summary"]["edition"]          # the policy edition the month was judged by
    try:
        con.execute(f"ATTACH '{_sql_path(tmp)}' AS snap")
        try:
            for table in LEDGER_TABLES + FACT_TABLES + _present(con, None, OPTIONAL_TABLES):
                con.execute(f"CREATE TABLE snap.{table} AS SELECT * FROM main.{table}")
            con.register("_month_summary", summary)
            try:
                con.execute(f"CREATE TABLE snap.{month_summary.TABLE} AS SELECT * FROM _month_summary")
            finally:
                con.unregister("_month_summary")
            con.execute("CREATE TABLE snap.snapshot_meta (meta VARCHAR)")
            con.execute("INSERT INTO snap.snapshot_meta VALUES (?)", [json.dumps(meta, ensure_ascii=False)])
        finally:
            con.execute("DETACH snap")
        # Write to a temporary name first: a half-written month never replaces a good one.
        kept = keep(month)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    saved = find(month)
    return SavedMonth(saved.month, saved.path, saved.version, kept)


def read_meta(path: Path) -> dict:
    """A saved month's meta (month, data_date, saved_at, files, kind, saved_by, assets) without
    reading its tables; months saved before "kind" existed are "consolidated" when their
    files name submitted parts ("城川镇报送#12")."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_path(path)}' AS snap (READ_ONLY)")
        meta = json.loads(con.execute("SELECT meta FROM snap.snapshot_meta").fetchall()[0][0])
    finally:
        con.close()
    if "kind" not in meta:
        meta["kind"] = "consolidated" if any("报送#" in f for f in meta.get("files", [])) else "upload"
    return meta


def copy_in(saved: SavedMonth, con: duckdb.DuckDBPyConnection) -> dict:
    """Copy the snapshot's tables into `con` (the way months were opened before `attach`;
    `bench` compares the two); returns its metadata.  The facts are copied
    too when the same facts queries wrote them (meta "stale_facts" says they were not)."""
    con.execute(f"ATTACH '{_sql_path(saved.path)}' AS snap (READ_ONLY)")
    try:
        meta = json.loads(con.execute("SELECT meta FROM snap.snapshot_meta").fetchall()[0][0])
        fresh = meta.get("facts_version") == facts_version()
        for table in LEDGER_TABLES + (FACT_TABLES if fresh else ()) + _present(con, "snap", OPTIONAL_TABLES):
            con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM snap.{table}")
    finally:
        con.execute("DETACH snap")
    _add_new_columns(con)
    _optional_tables(con)
    meta["stale_facts"] = not fresh
    return meta


ATTACHED = "saved_month"     # the attached file's catalog name in a month's connection


def attach(saved: SavedMonth, con: duckdb.DuckDBPyConnection) -> dict:
    """Open the snapshot in place in `con` (an in-memory connection): ATTACH it read-only and
    make every ledger table a view in `main` of the same name, so every query of queries/
    reads it unchanged; the facts too when the same facts queries wrote them (meta
    "stale_facts" says they were not: the caller derives them into `main`).  A template column
    the month was saved without reads as NULL.  Several connections and processes may attach
    one file read-only at once (DuckDB 2.0: shared lock; no one ever opens a saved month for
    writing).  Returns the month's meta."""
    con.execute(f"ATTACH '{_sql_path(saved.path)}' AS {ATTACHED} (READ_ONLY)")
    try:
        meta = json.loads(con.execute(f"SELECT meta FROM {ATTACHED}.snapshot_meta").fetchall()[0][0])
        fresh = meta.get("facts_version") == facts_version()
        for table in LEDGER_TABLES + (FACT_TABLES if fresh else ()) + _present(con, ATTACHED, OPTIONAL_TABLES):
            con.execute(f"CREATE VIEW main.{table} AS SELECT *{_missing_columns(con, table)} "
                        f"FROM {ATTACHED}.{table}")
    except BaseException:
        con.execute(f"DETACH {ATTACHED}")
        raise
    _optional_tables(con)
    meta["stale_facts"] = not fresh
    return meta


def _missing_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """', NULL::VARCHAR AS department' for each template column the saved table lacks."""
    sheet = next((s for s in template.SHEETS if s.name == table), None)
    if sheet is None:
        return ""
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ?", [ATTACHED, table]).fetchall()}
    extra = [] if model.KEPT in have else [model.KEPT]
    return "".join(f", CAST(NULL AS VARCHAR) AS {c}" for c in [c.name for c in sheet.columns if c.name not in have] + extra)


# Tables a month saved before they existed lacks: read as empty (model makes them).
OPTIONAL_TABLES = (model.EMPTY_REQUIRED,)


def _present(con: duckdb.DuckDBPyConnection, catalog: str | None, tables: tuple[str, ...]) -> tuple[str, ...]:
    """Those of `tables` in the catalog (None: the connection's own)."""
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = coalesce(?, current_database()) "
        "AND schema_name = 'main'", [catalog]).fetchall()}
    return tuple(t for t in tables if t in have)


def _optional_tables(con: duckdb.DuckDBPyConnection) -> None:
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database() "
        "AND schema_name = 'main'"
    ).fetchall()}
    if model.EMPTY_REQUIRED not in have:
        model.load_empty_required(con, [])


def _add_new_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A month saved before a template column existed (主管部门) reads it as empty."""
    for sheet in template.SHEETS:
        have = {r[0] for r in con.execute(f"DESCRIBE main.{sheet.name}").fetchall()}
        for col in [c.name for c in sheet.columns] + [model.KEPT]:
            if col not in have:
                con.execute(f"ALTER TABLE main.{sheet.name} ADD COLUMN {col} VARCHAR")


def delete(month: str) -> int | None:
    """Remove a saved month (the administrator's 系统管理 page; audited there).  Its file is
    kept as the month's next version (returned; None when there was no such month), so a
    deleted month can be restored (month_versions.restore)."""
    with month_lock(month):
        return keep(month, move=True)


def reference_date(month: str, meta: dict) -> dt.date:
    """The date a month is judged at when months are compared: its data date, else its last day."""
    if meta.get("data_date"):
        return dt.date.fromisoformat(meta["data_date"])
    return month_end(month)


def _sql_path(path: Path) -> str:
    # ATTACH takes a literal, not a parameter; quote the one character that matters.
    return str(path).replace("'", "''")
