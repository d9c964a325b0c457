"""What the server refuses before Streamlit sees it (issue 18 item 4).

Streamlit lets any browser connection send `clear_cache`, which empties every user's
cached data at once (the audit: 8 messages in 90 s took page p50 from 9.3 to 22.4 s and
the server from 1.4 to 3.0 GiB), and serves `/_stcore/metrics` to anyone.  This ASGI
middleware (mounted by dashboard/server.py through `st.App`) drops a `clear_cache`
message unless the connection's session cookie is a live session of an enabled
administrator, and answers 403 on the metrics route unless the cookie is a live session.

The cookie is the one the browser sent when the connection opened (Streamlit keeps one
websocket per tab): after signing in, the administrator's cache button works from the next
reload.  Every message is checked against the store, so a session ended since is refused.

A downloaded file (a `/media/` answer with Content-Disposition: attachment — the exports,
reports and forms of download buttons) goes only to a request whose cookie is a live session
(in demo mode to anyone): a file's address kept from before an account was disabled or
signed out serves nothing after it (issue 19 item 9).  Images (the favicon) stay public.

An address that names no page of ours (`/nosuchpage`) gets a Chinese 404 page with a link
home: Streamlit would open it on the home page under an English "Page not found" dialog.
"""
from __future__ import annotations

import functools
import html
import logging
import re
from http.cookies import CookieError, SimpleCookie

from streamlit.proto.BackMsg_pb2 import BackMsg

log = logging.getLogger(__name__)
METRICS, STREAM, MEDIA = "/_stcore/metrics", "/_stcore/stream", "/media/"
# A page's address is one segment without a dot; Streamlit's own routes have more, or a dot.
PAGE_ADDRESS = re.compile(r"^/([^/.]+)/?$")
STREAMLIT_SINGLE = {"_stcore", "static", "media", "app", "component", "auth", "oauth2callback"}


def _cookie(scope) -> str | None:
    from dashboard.store import sessions
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            try:
                jar = SimpleCookie(value.decode("latin-1"))
            except CookieError:
                return None
            morsel = jar.get(sessions.COOKIE)
            return morsel.value if morsel else None
    return None


def _account(scope):
    """The live session's account behind this connection, or None (never raises)."""
    try:
        from dashboard.store import sessions
        return sessions.resume(_cookie(scope))
    except Exception:                      # noqa: BLE001 — a store that is down signs no one in
        log.exception("session check failed")
        return None


def is_clear_cache(data: bytes | None) -> bool:
    if not data:
        return False
    try:
        return BackMsg.FromString(data).WhichOneof("type") == "clear_cache"
    except Exception:                      # noqa: BLE001 — not ours to judge: Streamlit refuses it
        return False


class Guard:
    """ASGI middleware: refuse clear_cache and metrics to anyone but whom they are for."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "http" and path.endswith(METRICS):
            if _account(scope) is None:
                await _forbidden(send)
                return
        if scope["type"] == "websocket" and path.endswith(STREAM):
            receive = self._filtered(scope, receive)
        if scope["type"] == "http" and MEDIA in path:
            send = _downloads_checked(scope, send)
        if scope["type"] == "http" and unknown_page(path):
            await _not_found(send, path)
            return
        await self.app(scope, receive, send)

    def _filtered(self, scope, receive):
        async def next_message():
            while True:
                message = await receive()
                if message.get("type") == "websocket.receive" and is_clear_cache(message.get("bytes")):
                    account = _account(scope)
                    if account is None or account.role != "admin":
                        log.warning("clear_cache refused (not a signed-in administrator)")
                        continue                 # dropped: the caches stay
                return message
        return next_message


def _attachment(message) -> bool:
    return any(name.lower() == b"content-disposition" and value.lower().startswith(b"attachment")
               for name, value in message.get("headers") or ())


def may_download(scope) -> bool:
    """A file goes to a live session's request, or to anyone in demo mode (never raises)."""
    try:
        from dashboard.store import mode
        if mode.current() == mode.DEMO:
            return True
    except Exception:                      # noqa: BLE001 — unsure: the session decides
        log.exception("mode check failed")
    return _account(scope) is not None


def _downloads_checked(scope, send):
    """send, except that a download's answer becomes 403 when `may_download` says no."""
    refused = False

    async def checked(message):
        nonlocal refused
        if message["type"] == "http.response.start" and _attachment(message) and not may_download(scope):
            refused = True
            log.warning("download refused: no live session (%s)", scope.get("path", ""))
            await _forbidden(send)
            return
        if not refused:
            await send(message)
    return checked


def unknown_page(path: str) -> bool:
    """Whether `path` looks like a page's address and names none of dashboard/ui/pages.py's."""
    found = PAGE_ADDRESS.match(path)
    return bool(found) and found.group(1) not in STREAMLIT_SINGLE | _page_addresses()


@functools.cache
def _page_addresses() -> frozenset[str]:
    from dashboard.ui.pages import HOME, PAGES
    return frozenset({p.url for p in PAGES} | {HOME.url})


async def _not_found(send, path: str) -> None:
    await _answer(send, 404, "text/html", (
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>未找到页面</title>"
        "<body style=\"font-family:sans-serif;margin:3em\"><h1>未找到页面</h1>"
        f"<p>资产盘活驾驶舱没有“{html.escape(path)}”这一页。</p><p><a href=\"/\">返回首页</a></p></body></html>"))


async def _forbidden(send) -> None:
    await _answer(send, 403, "text/plain", "需要登录后访问。")


async def _answer(send, status: int, kind: str, text: str) -> None:
    """A whole answer from the guard itself, in UTF-8."""
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", f"{kind}; charset=utf-8".encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
