"""Signed-in sessions: a signed, server-revocable token kept in the browser's cookie.

The browser holds `<id>.<signature>`: a random id and its HMAC-SHA256 under the app's secret
($ZCPH_SECRET_KEY, else a key file in the shared data folder, so every server of a banner
agrees).  The store keeps only SHA-256(id), so a copy of the database opens no session.
A session ends when signed out, when its account is disabled or given a new password
(accounts.py ends them), or after IDLE_MINUTES without a page being drawn; every page
run asks `resume`, so an ended session is refused at once, on every server.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets

from sqlalchemy import func, select, update

from dashboard import settings, snapshots, store
from dashboard.store import accounts, schema

COOKIE = "zcph_session"
IDLE_MINUTES = settings.number("ZCPH_SESSION_IDLE_MINUTES")
TOUCH_SECONDS = 60          # last_seen is written at most this often
T = schema.sessions


def _secret() -> bytes:
    configured = settings.text("ZCPH_SECRET_KEY")
    if configured:
        return configured.encode()
    path = snapshots.data_dir() / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)   # the first server writes it
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _sign(token_id: str) -> str:
    mac = hmac.new(_secret(), token_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _key(token_id: str) -> str:
    return hashlib.sha256(token_id.encode()).hexdigest()


def key_of(cookie: str) -> str:
    """The store's key of a session (SHA-256 of its token's id): the audit names it by this."""
    return _key(cookie.partition(".")[0])


def start(account: accounts.Account) -> str:
    """A new session; returns the cookie value."""
    token_id = secrets.token_urlsafe(32)
    moment = store.now()
    with store.engine().begin() as con:
        con.execute(T.insert().values(id=_key(token_id), account_id=account.id, created_at=moment,
                                      last_seen=moment))
    return f"{token_id}.{_sign(token_id)}"


def _token_id(cookie: str | None) -> str | None:
    if not isinstance(cookie, str):
        return None
    token_id, _, signature = cookie.partition(".")
    if not token_id or not signature or len(cookie) > 200:
        return None
    return token_id if hmac.compare_digest(signature, _sign(token_id)) else None


def resume(cookie: str | None) -> accounts.Account | None:
    """The account of a live session, or None (unsigned, unknown, ended, idle, disabled)."""
    token_id = _token_id(cookie)
    if token_id is None or not store.exists():
        return None
    key, moment = _key(token_id), store.now()
    with store.engine().begin() as con:
        row = con.execute(select(T).where(T.c.id == key)).first()
        if row is None or row.ended_at is not None:
            return None
        if moment - row.last_seen > dt.timedelta(minutes=IDLE_MINUTES):
            con.execute(update(T).where(T.c.id == key).values(ended_at=moment, end_reason="expired"))
            return None
        account = accounts.by_id(row.account_id)
        if account is None or account.disabled:
            return None
        if (moment - row.last_seen).total_seconds() >= TOUCH_SECONDS:
            con.execute(update(T).where(T.c.id == key).values(last_seen=moment))
    return account


def end(cookie: str | None, reason: str = "signed_out") -> None:
    token_id = _token_id(cookie)
    if token_id is None or not store.exists():
        return
    with store.engine().begin() as con:
        con.execute(update(T).where(T.c.id == _key(token_id), T.c.ended_at.is_(None))
                    .values(ended_at=store.now(), end_reason=reason))


def open_counts() -> dict[int, int]:
    """Open sessions per account id (accounts without one are absent)."""
    with store.engine().connect() as con:
        rows = con.execute(select(T.c.account_id, func.count()).where(T.c.ended_at.is_(None))
                           .group_by(T.c.account_id)).all()
    return {account_id: n for account_id, n in rows}
