"""The operational store: accounts, sign-in sessions, the audit trail and settings
(the list of banner departments, the published 公示 month; next, monthly submissions).

SQLAlchemy Core on embedded SQLite in the data folder (`$ZCPH_DATA_DIR/store.sqlite`) by
default, or on PostgreSQL when `ZCPH_DATABASE_URL` is set (postgresql+psycopg://…), so
several app servers can share one database and one data folder.  The analytics stay in
DuckDB; nothing here reads a ledger.

`engine()` opens the store and brings its schema up to date (dashboard/store/schema.py,
versioned steps, applied by the app itself, through `ZCPH_MIGRATE_DATABASE_URL` — the role
owning the tables — when set; a schema already up to date is not touched, so on PostgreSQL
the runtime role needs no right to change it: docs/operations.md).  `exists()` tells demo
mode apart without writing anything: an SQLite store that was never created is not created by asking.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from dashboard import settings as environment   # not .settings, the store's own (a submodule)
from dashboard import snapshots
from dashboard.store import schema, watchdog

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def url() -> str:
    configured = environment.text("ZCPH_DATABASE_URL")
    return configured or f"sqlite:///{sqlite_path()}"


def sqlite_path() -> Path:
    return snapshots.data_dir() / "store.sqlite"


def is_sqlite() -> bool:
    return url().startswith("sqlite")


def exists() -> bool:
    """Is there a store to read?  (An SQLite file not yet created is not.)"""
    return not is_sqlite() or sqlite_path().exists()


def migrate_url() -> str:
    """The role that owns the tables and migrates them (PostgreSQL: `ZCPH_MIGRATE_DATABASE_URL`,
    docs/operations.md); unset, the runtime URL (one role for both, as before)."""
    configured = environment.text("ZCPH_MIGRATE_DATABASE_URL")
    return configured if configured and not is_sqlite() else url()


def engine() -> Engine:
    """The store's engine for the configured URL, its schema migrated (once per process).
    A schema already at LATEST is left alone (the runtime role may not change it); an older
    one is migrated through `migrate_url()`."""
    key = url()
    with _LOCK:
        eng = _ENGINES.get(key)
        if eng is None:
            eng = _open(key)
            with eng.connect() as con:
                behind = schema.current_version(con) < schema.LATEST
            if behind:
                _migrate(eng)
            _ENGINES[key] = eng
        return eng


def migrate() -> tuple[int, int]:
    """`python -m dashboard store migrate`: (version found, version now), as the owner role."""
    found = _migrate(None)
    return found, schema.LATEST


def _migrate(runtime: Engine | None) -> int:
    owner_url = migrate_url()
    if runtime is not None and owner_url == url():
        return schema.migrate(runtime)
    owner = _open(owner_url)
    try:
        return schema.migrate(owner)
    finally:
        owner.dispose()


def _open(key: str) -> Engine:
    if key.startswith("sqlite"):
        sqlite_path().parent.mkdir(parents=True, exist_ok=True)
        _owner_only(sqlite_path())
        eng = create_engine(key, connect_args={"timeout": 30})

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_con, _record):      # several sessions and processes write at once
            dbapi_con.execute("PRAGMA journal_mode=WAL")
            dbapi_con.execute("PRAGMA foreign_keys=ON")
            dbapi_con.execute("PRAGMA recursive_triggers=ON")   # REPLACE INTO audit fires its delete trigger
        return eng
    eng = create_engine(key, connect_args=watchdog.connect_args(), pool_timeout=watchdog.TIMEOUT)
    watchdog.install(eng)             # a frozen server must not hold a page: ping and cut (watchdog.py)
    return eng


def _owner_only(path: Path) -> None:
    """The store file (and its WAL, which SQLite creates with the same mode) readable by its
    owner only, also when an earlier version created it 0644."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists():
            os.chmod(part, 0o600)


def dispose() -> None:
    """Forget every engine (tests that move the data folder or the URL)."""
    with _LOCK:
        for eng in _ENGINES.values():
            eng.dispose()
        _ENGINES.clear()


def now() -> dt.datetime:
    """The store keeps UTC without a zone (both engines alike); pages show Beijing time."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def beijing_date(moment: dt.datetime) -> dt.date:
    """The Beijing calendar day of a moment the store keeps in UTC."""
    return (moment + dt.timedelta(hours=8)).date()


def beijing(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return (moment + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
