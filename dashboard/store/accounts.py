"""Accounts: who may sign in, with which role and scope.

Passwords (at least 8 characters) are hashed with argon2 (argon2-cffi) and never stored or
logged in clear.  Every change ends the account's open sessions where it must (disable,
new password) and is written to the audit trail by the caller.

Sign-in (`check`) is counted in the store, so it holds across sessions and servers:

* **Per (name, client address).**  Failures are counted in `sign_in_failures` under the
  name as typed (stripped, NFKC, casefolded) and the client's address, *whatever the name*:
  an unknown name is counted, throttled and locked exactly like a real one.  After
  THROTTLE_AFTER failures an attempt within THROTTLE_SECONDS of the last one is refused
  unread (“请10秒后再试”); the MAX_FAILURES-th failure locks the pair for LOCK_MINUTES
  (“已锁定”).  A count whose last failure is LOCK_MINUTES old starts again.  Only that
  address is locked out, so a guesser cannot lock the real user out from theirs.
* **Per name, over every address** (the row with address '*'): after GLOBAL_AFTER failures
  (counted again from zero after GLOBAL_WINDOW_MINUTES without one) every attempt must come
  GLOBAL_SECONDS after the last, so a guess spread over many addresses is slowed to one
  per GLOBAL_SECONDS.  An address the account signed in from within TRUSTED_DAYS is not
  held by it (the real user still gets in while a distributed guess goes on).
* **Atomic.**  The attempt is reserved — counted as a failure — in one serialised
  transaction *before* the password is read (SQLite: BEGIN IMMEDIATE; PostgreSQL: the two
  rows upserted then SELECT … FOR UPDATE), so N simultaneous attempts read at most
  THROTTLE_AFTER passwords.  A right password then resets the pair and the name's count.
* **Nothing tells a real name from an unknown one.**  The throttle and lock answers
  depend only on the counts, which every name has; an unknown name's password is checked
  against a dummy hash of the same cost, in the same pool; “已停用” is said only after the
  right password (a disabled account with a wrong one answers “用户名或密码不正确”).
* **argon2 off the page's thread, VERIFY_WORKERS at a time**: a module-level pool; an
  attempt that finds no free slot within BUSY_SECONDS is refused (“登录繁忙”) unread and
  uncounted, so guessers cannot take the CPU the signed-in users' pages need.

The administrator lifts every lock of a name (`unlock`; `python -m dashboard users unlock`,
系统管理); a new password does as well.  Behind a reverse proxy every client has the
proxy's address unless Streamlit is told the real one.
"""
from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dashboard import places, scope as scopes
from dashboard.store import engine, now, schema, settings

MIN_PASSWORD = 8
MAX_FAILURES = 5
LOCK_MINUTES = 15
THROTTLE_AFTER = 3
THROTTLE_SECONDS = 10
GLOBAL_AFTER = 10               # failures of one name from all addresses before the global backoff
GLOBAL_SECONDS = 30             # then one attempt per this many seconds on that name
GLOBAL_WINDOW_MINUTES = 60      # the name's count starts again after this long without a failure
TRUSTED_DAYS = 30               # an address signed in from this recently is not held by the global backoff
VERIFY_WORKERS = 2              # argon2 verifications at once (each ~0.1 s of several cores)
BUSY_SECONDS = 5                # the longest an attempt waits for a free verification slot
ALL_ADDRESSES = "*"
UNKNOWN_ADDRESS = "-"
_HASHER = PasswordHasher()
# A hash to verify against when the name is unknown, so both answers take as long: made once with
# _HASHER's parameters from a random password nobody kept (hashing it at every import cost each
# command line and server start 0.22 CPU s; test_store checks it has _HASHER's parameters).
_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$/HFdYoW0taQsAUN3vAionA$zbxaluWruNeSuwgIu+MravJm44FcIm4esUGxd8tDXCE"
_POOL = ThreadPoolExecutor(max_workers=VERIFY_WORKERS, thread_name_prefix="argon2")
_SLOTS = threading.BoundedSemaphore(VERIFY_WORKERS)

WRONG = "用户名或密码不正确。"
BUSY = "登录繁忙，请稍后再试。"
DISABLED = "该账号已停用，请联系管理员。"

T = schema.accounts
F = schema.sign_in_failures


class AccountError(ValueError):
    """A refused account change; the message is Chinese and shown as is."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    town: str | None
    village: str | None
    department: str | None
    disabled: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime

    @property
    def role_zh(self) -> str:
        return scopes.ROLES[self.role]

    def scope(self) -> scopes.Scope:
        aliases = settings.department_aliases(self.department) if self.role == "department" else ()
        return scopes.of_account(self.role, self.town, self.village, self.department, aliases)


@dataclass(frozen=True)
class Check:
    """The answer to a sign-in: the account, or why not (outcome as the audit says it)."""
    account: Account | None
    outcome: str             # ok, failed, locked, refused
    message: str = ""


def _account(row) -> Account:
    return Account(row.id, row.name, row.role, row.town, row.village, row.department, row.disabled,
                   row.locked_until, row.created_at)


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少{MIN_PASSWORD}个字符。")
    if password.strip() != password or "\n" in password:
        raise AccountError("密码首尾不能有空格或换行。")


def _validate_place(role: str, town: str | None, village: str | None, department: str | None) -> tuple:
    """The account's place, checked against the banner's towns, villages and departments."""
    if role not in scopes.ROLES:
        raise AccountError(f"未知角色“{role}”：应为 {'、'.join(f'{k}（{v}）' for k, v in scopes.ROLES.items())}。")
    if role in ("town", "village"):
        if not town:
            raise AccountError("镇、嘎查村账号须指定所在镇（--town）。")
        matched, _, note = places.match_town(town)
        if matched is None:
            raise AccountError(f"{note}。")
        town = matched                                  # as the ledgers are read: 城川 → 城川镇
    if role == "village":
        if not village:
            raise AccountError("嘎查村账号须指定嘎查村（--village）。")
        matched, _, note = places.match_village(town, village)
        if matched is None:
            raise AccountError(f"{note}。")
        village = matched
    if role == "department":
        known = settings.departments()
        if not department:
            raise AccountError("旗行业主管部门账号须指定部门（--department）。")
        canonical = settings.department_of(department)
        if canonical is None:
            raise AccountError(f"“{department}”不在旗行业主管部门名单中；名单：{'、'.join(d.name for d in known)}。")
        department = canonical
    return (town if role in ("town", "village") else None,
            village if role == "village" else None,
            department if role == "department" else None)


def add(name: str, role: str, password: str, *, town: str | None = None, village: str | None = None,
        department: str | None = None, by: str | None = None) -> Account:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise AccountError("用户名不能为空，且不超过64个字符。")
    validate_password(password)
    town, village, department = _validate_place(role, town, village, department)
    with engine().begin() as con:
        if con.execute(select(T.c.id).where(T.c.name == name)).first():
            raise AccountError(f"用户名“{name}”已存在。")
        con.execute(T.insert().values(
            name=name, role=role, town=town, village=village, department=department,
            password_hash=_HASHER.hash(password), disabled=False, failed_logins=0,
            created_at=now(), created_by=by))
    from dashboard.store import mode
    mode.mark_used()                  # from now on a missing store is "unavailable", never demo mode
    return get(name)


def get(name: str) -> Account | None:
    with engine().connect() as con:
        row = con.execute(select(T).where(T.c.name == name)).first()
    return _account(row) if row else None


def by_id(account_id: int) -> Account | None:
    with engine().connect() as con:
        row = con.execute(select(T).where(T.c.id == account_id)).first()
    return _account(row) if row else None


def all_accounts() -> list[Account]:
    with engine().connect() as con:
        return [_account(r) for r in con.execute(select(T).order_by(T.c.role, T.c.name))]


def admin_exists() -> bool:
    """Is there an enabled administrator?  (Demo mode is store/mode.py's question, not this one.)"""
    with engine().connect() as con:
        n = con.execute(select(func.count()).select_from(T)
                        .where(T.c.role == "admin", T.c.disabled.is_(False))).scalar_one()
    return n > 0


def _require(name: str) -> Account:
    account = get(name)
    if account is None:
        raise AccountError(f"没有用户“{name}”。")
    return account


def set_disabled(name: str, disabled: bool = True) -> Account:
    """Disable (or enable again) an account; disabling ends its open sessions at once."""
    account = _require(name)
    with engine().begin() as con:
        con.execute(update(T).where(T.c.id == account.id)
                    .values(disabled=disabled, failed_logins=0, locked_until=None))
        if disabled and account.role == "admin" and _enabled_admins(con) == 0:
            # checked after the update, inside its transaction: two disables at once cannot both pass
            raise AccountError("不能停用最后一个启用的旗级管理员账号：请先新建或启用另一个旗级管理员。")
        if disabled:
            end_sessions(con, account.id, "disabled")
    return _require(name)


def end_sessions(con: Connection, account_id: int, reason: str) -> None:
    """End every open session of an account (inside the caller's transaction): here, not in
    sessions.py, which imports this module."""
    s = schema.sessions
    con.execute(update(s).where(s.c.account_id == account_id, s.c.ended_at.is_(None))
                .values(ended_at=now(), end_reason=reason))


def _enabled_admins(con) -> int:
    query = select(func.count()).select_from(T).where(T.c.role == "admin", T.c.disabled.is_(False))
    if con.dialect.name == "postgresql":        # serialise concurrent disables of admins
        con.execute(select(T.c.id).where(T.c.role == "admin").with_for_update())
    return con.execute(query).scalar_one()


def set_password(name: str, password: str) -> Account:
    """A new password (which also unlocks); the account's open sessions end."""
    validate_password(password)
    account = _require(name)
    with engine().begin() as con:
        con.execute(update(T).where(T.c.id == account.id)
                    .values(password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None))
        _unlock(con, account.name)
        end_sessions(con, account.id, "password")
    return _require(name)


def unlock(name: str) -> int:
    """Lift every lock and count of a name (all addresses); returns how many addresses were locked."""
    account = _require(name)
    with engine().begin() as con:
        return _unlock(con, account.name)


def _unlock(con: Connection, name: str) -> int:
    key, moment = name_key(name), now()
    _hold(con, key)
    locked = con.execute(select(func.count()).select_from(F).where(
        F.c.name == key, F.c.address != ALL_ADDRESSES, F.c.locked_until > moment)).scalar_one()
    con.execute(update(F).where(F.c.name == key).values(failures=0, locked_until=None))
    return locked


def locked_addresses() -> dict[str, int]:
    """Addresses locked out now, per name key (`name_key`), for the administrator's list."""
    with engine().connect() as con:
        rows = con.execute(select(F.c.name, func.count()).where(F.c.locked_until > now(),
                                                               F.c.address != ALL_ADDRESSES)
                           .group_by(F.c.name)).all()
    return {key: n for key, n in rows}


def name_key(name: str | None) -> str:
    """The name as counted: stripped, NFKC, casefolded (ａｄｍｉｎ, Admin and admin are one)."""
    return unicodedata.normalize("NFKC", (name or "").strip()).casefold()[:64]


def _address(address: str | None) -> str:
    text = (address or "").strip()[:64] if isinstance(address, str) else ""
    return text if text and text != ALL_ADDRESSES else UNKNOWN_ADDRESS


def check(name: str, password: str, address: str | None = None) -> Check:
    """Verify a sign-in from a client `address` (None: unknown), counting failures; the
    message never says which part was wrong, nor whether the name exists (module docstring)."""
    typed = (name or "").strip()
    if not _SLOTS.acquire(timeout=BUSY_SECONDS):
        return Check(None, "refused", BUSY)
    try:
        moment = now()
        key, where = name_key(typed), _address(address)
        refused, locks = _reserve(key, where, moment)
        if refused is not None:
            return refused
        with engine().connect() as con:
            row = con.execute(select(T).where(T.c.name == typed)).first()
        right = _POOL.submit(_verify, row.password_hash if row else _DUMMY, password).result()
    finally:
        _SLOTS.release()
    if right and row is not None:
        if row.disabled:                         # said only to whoever knows the password
            return Check(None, "refused", DISABLED)
        with _serialised() as con:
            _hold(con, key, [ALL_ADDRESSES, where])
            con.execute(update(F).where(F.c.name == key, F.c.address == where)
                        .values(failures=0, locked_until=None, last_ok_at=moment))
            con.execute(update(F).where(F.c.name == key, F.c.address == ALL_ADDRESSES).values(failures=0))
        return Check(_account(row), "ok")
    if locks:
        return Check(None, "locked", f"连续{MAX_FAILURES}次登录失败，账号已锁定{LOCK_MINUTES}分钟。")
    return Check(None, "failed", WRONG)


def _hold(con: Connection, key: str, addresses: list[str] | None = None) -> list:
    """Lock a name's rows (those addresses, or all) FOR UPDATE, always in address order, so
    a reservation, a reset and an unlock of one name never wait on each other in a circle."""
    query = select(F).where(F.c.name == key)
    if addresses is not None:
        query = query.where(F.c.address.in_(addresses))
    return con.execute(query.order_by(F.c.address).with_for_update()).all()


@contextmanager
def _serialised() -> Iterator[Connection]:
    """A transaction that no other sign-in of the same name runs beside (SQLite: the write
    lock from the start; PostgreSQL: the rows locked FOR UPDATE by the caller)."""
    with engine().begin() as con:
        if con.dialect.name == "sqlite":
            con.exec_driver_sql("BEGIN IMMEDIATE")
        yield con


def _reserve(key: str, address: str, moment: dt.datetime) -> tuple[Check | None, bool]:
    """Count this attempt before its password is read: (a refusal, None) or (None, whether
    this attempt, if wrong, locks the pair)."""
    insert = (postgresql if engine().dialect.name == "postgresql" else sqlite).insert
    with _serialised() as con:
        con.execute(insert(F).values([{"name": key, "address": ALL_ADDRESSES, "failures": 0},
                                      {"name": key, "address": address, "failures": 0}])
                    .on_conflict_do_nothing())
        rows = {r.address: r for r in _hold(con, key, [ALL_ADDRESSES, address])}
        pair, every = rows[address], rows[ALL_ADDRESSES]
        if pair.locked_until and moment < pair.locked_until:
            minutes = max(1, -int(-(pair.locked_until - moment).total_seconds() // 60))   # rounded up
            return Check(None, "locked", f"连续登录失败次数过多，账号已锁定，请{minutes}分钟后再试或联系管理员。"), False
        since = (moment - pair.last_failed_at).total_seconds() if pair.last_failed_at else None
        failures = pair.failures
        if pair.locked_until or since is None or since >= LOCK_MINUTES * 60:
            failures = 0                                     # a lock served, or the count went stale
        if failures >= THROTTLE_AFTER and since < THROTTLE_SECONDS:
            return Check(None, "refused", f"登录失败次数较多，请{THROTTLE_SECONDS}秒后再试。"), False
        since_any = (moment - every.last_failed_at).total_seconds() if every.last_failed_at else None
        everywhere = every.failures
        if since_any is None or since_any >= GLOBAL_WINDOW_MINUTES * 60:
            everywhere = 0
        trusted = pair.last_ok_at is not None and moment - pair.last_ok_at < dt.timedelta(days=TRUSTED_DAYS)
        if everywhere >= GLOBAL_AFTER and since_any < GLOBAL_SECONDS and not trusted:
            return Check(None, "refused", f"该账号登录失败次数较多，请{GLOBAL_SECONDS}秒后再试。"), False
        failures += 1
        locks = failures >= MAX_FAILURES
        con.execute(update(F).where(F.c.name == key, F.c.address == address).values(
            failures=failures, last_failed_at=moment,
            locked_until=moment + dt.timedelta(minutes=LOCK_MINUTES) if locks else None))
        con.execute(update(F).where(F.c.name == key, F.c.address == ALL_ADDRESSES)
                    .values(failures=everywhere + 1, last_failed_at=moment))
        _forget_stale(con, key, moment)
    return None, locks


def _forget_stale(con: Connection, key: str, moment: dt.datetime) -> None:
    """Remove the rows that no longer count (a guesser's many names), a few at a time; rows
    another sign-in holds are skipped (PostgreSQL), so two attempts never wait on each other."""
    stale = moment - dt.timedelta(minutes=max(LOCK_MINUTES, GLOBAL_WINDOW_MINUTES))
    trusted = moment - dt.timedelta(days=TRUSTED_DAYS)
    old = (select(F.c.name, F.c.address)
           .where(F.c.name != key, F.c.last_failed_at.is_(None) | (F.c.last_failed_at < stale),
                  (F.c.locked_until.is_(None)) | (F.c.locked_until < moment),
                  (F.c.last_ok_at.is_(None)) | (F.c.last_ok_at < trusted))
           .limit(100).with_for_update(skip_locked=True))
    con.execute(F.delete().where(tuple_(F.c.name, F.c.address).in_(old)))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False
