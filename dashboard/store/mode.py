"""Which mode the app is in: demo, accounts, or the store unavailable — failing closed.

Demo mode (anyone sees everything, nothing is kept) lasts only while the data folder has
never held an account, a saved month or a submission.  Once it has, a missing, unreadable
or unreachable store is 数据存储不可用 — never demo mode again: disabling the last
administrator, deleting `store.sqlite` or a stopped PostgreSQL must not open every saved
month and the SQL console to an anonymous visitor (issue 18 item 2).

The data folder remembers that it has held accounts in the file USED_MARKER, written when
the first account is created (and whenever the store is seen holding one), so a store
file that disappears is noticed.
"""
from __future__ import annotations

import logging

from sqlalchemy import func, select

from dashboard import snapshots, store

DEMO, ACCOUNTS, UNAVAILABLE = "demo", "accounts", "unavailable"
USED_MARKER = "accounts.used"
UNAVAILABLE_MESSAGE = ("数据存储不可用：账号与审计数据库无法读取或无法连接，系统暂停服务（公示信息除外）。"
                       "请联系旗级管理员检查数据库或数据目录。")
log = logging.getLogger(__name__)


def ever_used() -> bool:
    """Has this data folder ever held an account, a saved month or a submission?"""
    folder = snapshots.data_dir()
    return ((folder / USED_MARKER).exists() or _any(folder / "snapshots", "*.duckdb")
            or _any(folder / "submissions", "*/*.duckdb"))


def _any(folder, pattern: str) -> bool:
    return folder.is_dir() and next(folder.glob(pattern), None) is not None


def mark_used() -> None:
    path = snapshots.data_dir() / USED_MARKER
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("此数据目录已启用账号：账号库缺失或无法读取时系统停止服务，不会回到演示模式。\n",
                        encoding="utf-8")


def current() -> str:
    """DEMO, ACCOUNTS or UNAVAILABLE, asked on every page run."""
    used = ever_used()
    if not store.exists():
        return UNAVAILABLE if used else DEMO
    try:
        from dashboard.store import schema
        with store.engine().connect() as con:
            accounts = con.execute(select(func.count()).select_from(schema.accounts)).scalar_one()
    except Exception:                       # noqa: BLE001 — any failure to read it is "unavailable"
        log.exception("the store cannot be read")
        return UNAVAILABLE
    if accounts:
        mark_used()
        return ACCOUNTS
    return ACCOUNTS if used else DEMO       # held data, no account yet: sign-in only (no one can)
