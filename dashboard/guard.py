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
"""
from __future__ import annotations

import logging
from http.cookies import CookieError, SimpleCookie

from streamlit.proto.BackMsg_pb2 import BackMsg

log = logging.getLogger(__name__)
METRICS, STREAM, MEDIA = "/_stcore/metrics", "/_stcore/stream", "/media/"


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


async def _forbidden(send) -> None:
    body = "需要登录后访问。".encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
