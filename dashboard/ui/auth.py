"""Who is using the app: demo mode, sign-in, the signed-in user's role and scope, and the
one call every page makes to put an action in the audit trail.

* **Demo mode** — no administrator yet (`python -m dashboard users add NAME --role admin`):
  every page works on the bundled sample and uploads can be viewed, but nothing is saved
  and nothing is written to the store.
* **Signed in** — the sign-in form (用户名, 密码, 登录) stands in for any page until a session
  is live; the page asked for is drawn right after, so a forwarded link lands where it
  points.  The session token (dashboard/store/sessions.py) is kept in this Streamlit
  session and in a cookie (SameSite=Strict) set from the page, because Streamlit can read
  cookies (`st.context.cookies`) but not set them; a reload resumes from the cookie.
  Every run asks the store whether the session is still live, so signing out, disabling
  the account or a new password ends it at once, on every server.
"""
from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard.safe import md
from dashboard.scope import ROLES, Scope
from dashboard.store import accounts, audit, mode, sessions

TOKEN = "auth.token"          # session_state: this session's cookie value
COOKIE_JS = "auth.cookie_js"  # session_state: a cookie to set (or clear) on the next draw
DEMO_ROLE = "demo"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class User:
    """The person at the keyboard: an account, or the demo visitor."""
    name: str | None
    role: str                 # admin, leader, town, department, village, demo
    scope: Scope

    @property
    def demo(self) -> bool:
        return self.role == DEMO_ROLE

    @property
    def role_zh(self) -> str:
        return "演示模式" if self.demo else ROLES[self.role]

    def may(self, right: str) -> bool:
        return self.role in RIGHTS[right]


# What each role may do beyond reading its scope (the demo visitor may look, not keep).
RIGHTS = {
    "upload": ("admin", "town", "department", "demo"),
    "save_snapshot": ("admin",),
    "save_profile": ("admin", "town", "department"),
    "submit": ("admin", "town", "department"),          # a month's part (月调度)
    "monthly": ("admin", "leader", "town", "department", "demo"),
    "edit_policy": ("admin",),          # thresholds in force and the negative list
    "administer": ("admin",),           # accounts, departments, 公示, audit, snapshots
    "supervise": ("admin", "leader"),   # 督办: issue, overview, sign-off T2–T4 (verification.md §3)
    "answer_supervision": ("town", "department"),   # 督办事项: the reporting authority's inbox, T1 sign-off
}


class StoreUnavailable(Exception):
    """The store cannot be read although this data folder has held accounts: serve nothing."""


def demo_mode() -> bool:
    """Only while the data folder has never held an account, a saved month or a submission."""
    return mode.current() == mode.DEMO


def unavailable_page() -> None:
    """数据存储不可用, in place of any page but 公示."""
    st.title("资产盘活驾驶舱")
    st.error(mode.UNAVAILABLE_MESSAGE)
    st.caption("公示信息（群众监管）仍可在“公示”页查看。")


_BOUND: contextvars.ContextVar[User | None] = contextvars.ContextVar("auth.bound", default=None)
_BOUND_WHERE: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("auth.bound_where", default=None)


def current() -> User:
    """The user of this run (set by `gate`), or the one a deferred download was bound to."""
    return _BOUND.get() or st.session_state.get("auth.user") or User(None, DEMO_ROLE, Scope())


class DownloadRefused(PermissionError):
    """A download asked for after its session ended (signed out, account disabled, new password)."""


def bound(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """A download's builder that remembers who asked for it.  Streamlit calls a download
    button's data function when the browser fetches the file, outside the page's run and
    without its session state, so the user is captured now and restored then — and the
    session is asked again then: a button drawn before the account was disabled (or signed
    out) builds nothing after it (Streamlit answers the click with an error, no file)."""
    user, where, cookie = current(), attribution(), _session_cookie()

    def run() -> bytes:
        if not still_signed_in(user, cookie):
            log.warning("download refused: the session of %s has ended", user.name or "演示模式")
            raise DownloadRefused("登录已结束，请重新登录后再下载。")
        token, place = _BOUND.set(user), _BOUND_WHERE.set(where)
        try:
            return build()
        finally:
            _BOUND.reset(token)
            _BOUND_WHERE.reset(place)
    return run


def _session_cookie() -> str | None:
    try:
        return st.session_state.get(TOKEN) or st.context.cookies.get(sessions.COOKIE)
    except Exception:                 # noqa: BLE001 — outside a page run (bare calls in tests)
        return None


def still_signed_in(user: User, cookie: str | None) -> bool:
    """Is `user`'s session (the cookie it was drawn with) still live?  The demo visitor only
    while the app is still in demo mode."""
    try:
        if user.demo:
            return mode.current() == mode.DEMO
        account = sessions.resume(cookie)
    except Exception:                 # noqa: BLE001 — a store that does not answer hands out nothing
        log.exception("session check failed")
        return False
    return account is not None and account.name == user.name


def gate() -> User | None:
    """Resolve who is using this run; None = not signed in (draw `sign_in_form`)."""
    _flush_cookie()
    state = mode.current()
    if state == mode.UNAVAILABLE:
        st.session_state["auth.user"] = None
        raise StoreUnavailable
    if state == mode.DEMO:
        user = User(None, DEMO_ROLE, Scope())
    else:
        try:
            account = sessions.resume(st.session_state.get(TOKEN) or st.context.cookies.get(sessions.COOKIE))
        except Exception as exc:          # noqa: BLE001 — the store stopped answering between two calls
            st.session_state["auth.user"] = None
            raise StoreUnavailable from exc
        user = User(account.name, account.role, account.scope()) if account else None
        if account is None:
            st.session_state.pop(TOKEN, None)
    st.session_state["auth.user"] = user
    return user


def sign_in_form() -> None:
    """用户名 / 密码 / 登录 in place of the page asked for."""
    st.title("资产盘活驾驶舱")
    st.caption("鄂托克前旗扶贫（帮扶）项目资产监管。请使用旗级管理员分配的账号登录。")
    with st.form("auth.sign_in"):
        name = st.text_input("用户名", key="auth.name")
        password = st.text_input("密码", type="password", key="auth.password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        answer = accounts.check(name, password, client_address())
        account = answer.account
        client, session = attribution()
        audit.record("sign_in", user=(name or "").strip()[:64] or None, role=account.role if account else None,
                     scope=account.scope().label if account else None, outcome=answer.outcome,
                     client=client, session=session)
        if account is None:
            st.error(answer.message)
            return
        token = sessions.start(account)
        st.session_state[TOKEN] = token
        st.session_state[COOKIE_JS] = token
        st.rerun()
    st.caption("公示信息（群众监管）无需登录：见“公示”页。")


def client_address() -> str | None:
    """The browser's address as Streamlit saw the connection (None on localhost, in tests,
    or when unknown); sign-in failures are counted per name and this address."""
    try:
        address = st.context.ip_address
    except Exception:                 # noqa: BLE001 — no client context (bare runs)
        return None
    return address if isinstance(address, str) and address else None


def sign_out() -> None:
    user = current()
    token = st.session_state.pop(TOKEN, None) or st.context.cookies.get(sessions.COOKIE)
    sessions.end(token)
    record("sign_out", user.name or "")
    st.session_state[COOKIE_JS] = ""
    st.session_state["auth.user"] = None


def sidebar_box(user: User) -> None:
    """Who is signed in (and 退出登录), or the demo-mode notice, at the top of the sidebar."""
    if user.demo:
        st.sidebar.warning("**演示模式**：尚未创建管理员账号。可浏览示例数据、查看上传的台账，但不会保存任何内容。"
                           "在服务器上创建第一个旗级管理员账号后即结束演示模式（见使用说明）。")
        return
    place = "" if user.scope.whole else f" · {user.scope.label}"
    left, right = st.sidebar.columns([3, 2], vertical_alignment="center")
    left.markdown(f"**{md(user.name)}**  \n{user.role_zh}{md(place)}")
    if right.button("退出登录", key="auth.sign_out"):
        sign_out()
        st.rerun()


def _flush_cookie() -> None:
    """Set (or clear, when empty) the session cookie in the browser."""
    value = st.session_state.pop(COOKIE_JS, None)
    if value is None:
        return
    age = int(sessions.IDLE_MINUTES * 60) if value else 0
    st.html(f"""<script>
document.cookie = "{sessions.COOKIE}={value}; path=/; max-age={age}; SameSite=Strict"
  + (location.protocol === "https:" ? "; Secure" : "");
</script>""", unsafe_allow_javascript=True, width="content")


def record(action: str, obj: str = "", outcome: str = "ok", details: dict | None = None) -> None:
    """Put what this user did in the audit trail (not in demo mode: nothing is written), with
    the browser's address and the session (`attribution`)."""
    user = current()
    if user.demo and demo_mode():
        return
    client, session = _BOUND_WHERE.get() or attribution()
    audit.record(action, user=user.name, role=user.role, scope=user.scope.label, obj=obj,
                 outcome=outcome, details=details, client=client, session=session)


def attribution() -> tuple[str | None, str | None]:
    """(client address, session) of this run for the audit trail.  The session is the sign-in
    session when there is one — "登录" and the first 16 hex digits of its key in the store's
    sessions table (SHA-256 of the token's id, never the token), so an entry leads to its
    sign-in across reloads and servers — else the Streamlit session id ("页面" and the id of
    this browser tab's session; sign-in attempts, demo mode)."""
    token = None
    try:
        token = st.session_state.get(TOKEN)
    except Exception:                 # noqa: BLE001 — outside a page run
        pass
    if token:
        return client_address(), f"登录 {sessions.key_of(token)[:16]}"
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx(suppress_warning=True)
    return client_address(), f"页面 {ctx.session_id}" if ctx else None

