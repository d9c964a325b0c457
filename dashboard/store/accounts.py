"""Accounts: who may sign in, with which role and scope.

Passwords (at least 8 characters) are hashed with argon2 (argon2-cffi) and never stored or
logged in clear.  `check` throttles failed sign-ins (after THROTTLE_AFTER failures in a row
an attempt within THROTTLE_SECONDS of the last failure is refused unread) and locks the
account for LOCK_MINUTES after MAX_FAILURES; both live in the store, so they hold across
sessions and servers.  Every change ends the account's open sessions where it must
(disable, new password) and is written to the audit trail by the caller.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update

from dashboard import places, scope as scopes
from dashboard.store import engine, now, schema, settings

MIN_PASSWORD = 8
MAX_FAILURES = 5
LOCK_MINUTES = 15
THROTTLE_AFTER = 3
THROTTLE_SECONDS = 10
_HASHER = PasswordHasher()
# A hash to verify against when the name is unknown, so both answers take as long.
_DUMMY = _HASHER.hash("not-a-password-of-anyone")

T = schema.accounts


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
    """Demo mode lasts until the first (enabled) administrator exists."""
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
    from dashboard.store import sessions        # sessions imports accounts
    with engine().begin() as con:
        con.execute(update(T).where(T.c.id == account.id)
                    .values(disabled=disabled, failed_logins=0, locked_until=None))
        if disabled:
            sessions.end_all(con, account.id, "disabled")
    return _require(name)


def set_password(name: str, password: str) -> Account:
    """A new password (which also unlocks); the account's open sessions end."""
    validate_password(password)
    account = _require(name)
    from dashboard.store import sessions
    with engine().begin() as con:
        con.execute(update(T).where(T.c.id == account.id)
                    .values(password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None))
        sessions.end_all(con, account.id, "password")
    return _require(name)


def check(name: str, password: str) -> Check:
    """Verify a sign-in, counting failures; the message never says which part was wrong."""
    wrong = Check(None, "failed", "用户名或密码不正确。")
    with engine().begin() as con:
        row = con.execute(select(T).where(T.c.name == (name or "").strip())).first()
        if row is None:
            _verify(_DUMMY, password)
            return wrong
        moment = now()
        if row.locked_until and row.locked_until > moment:
            minutes = max(1, int((row.locked_until - moment).total_seconds() // 60) + 1)
            return Check(None, "locked", f"连续登录失败次数过多，账号已锁定，请{minutes}分钟后再试或联系管理员。")
        if (row.failed_logins >= THROTTLE_AFTER and row.last_failed_at
                and (moment - row.last_failed_at).total_seconds() < THROTTLE_SECONDS):
            return Check(None, "refused", f"登录失败次数较多，请{THROTTLE_SECONDS}秒后再试。")
        if row.disabled:
            _verify(row.password_hash, password)
            return Check(None, "refused", "该账号已停用，请联系管理员。")
        if _verify(row.password_hash, password):
            con.execute(update(T).where(T.c.id == row.id).values(failed_logins=0, locked_until=None))
            return Check(_account(row), "ok")
        failures = row.failed_logins + 1
        locked = failures >= MAX_FAILURES
        con.execute(update(T).where(T.c.id == row.id).values(
            failed_logins=0 if locked else failures, last_failed_at=moment,
            locked_until=moment + dt.timedelta(minutes=LOCK_MINUTES) if locked else None))
    if locked:
        return Check(None, "locked", f"连续{MAX_FAILURES}次登录失败，账号已锁定{LOCK_MINUTES}分钟。")
    return wrong


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False
