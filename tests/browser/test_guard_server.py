"""Issue 18 item 4 against a real `streamlit run dashboard/server.py`: an anonymous or
non-administrator connection's `clear_cache` leaves every user's caches as they were, an
administrator's still clears them, and `/_stcore/metrics` needs a signed-in session."""
from __future__ import annotations

import asyncio
import os
import re
import threading
import time
import urllib.error
import urllib.request

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.browser.conftest import serving
from dashboard import store
from dashboard.store import accounts, sessions

PASSWORD = "correct-horse-1"
METRICS_TTL = 5.5        # streamlit's _METRICS_EXPENSIVE_STATS_TTL_SECONDS, and a little


@pytest.fixture
def served(tmp_path, monkeypatch):
    var = tmp_path / "var"
    monkeypatch.setenv("ZCPH_DATA_DIR", str(var))
    store.dispose()
    accounts.add("管理员", "admin", PASSWORD)
    accounts.add("城川", "town", PASSWORD, town="城川镇")
    with serving(var, tmp_path / "streamlit.log") as url:
        yield url, {name: sessions.start(accounts.get(name)) for name in ("管理员", "城川")}


def _get(url: str, cookie: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": f"{sessions.COOKIE}={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _cache_bytes(url: str, cookie: str) -> float:
    status, text = _get(f"{url}/_stcore/metrics?families=cache_memory_bytes", cookie)
    assert status == 200, text
    return sum(float(v) for v in re.findall(r"^cache_memory_bytes\{[^}]*\} ([\d.e+]+)$", text, re.M))


async def _send(url: str, cookie: str | None, *messages: BackMsg, settle: float = 0.0) -> None:
    headers = {"Cookie": f"{sessions.COOKIE}={cookie}"} if cookie else {}
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, additional_headers=headers, subprotocols=["streamlit"],
                                  max_size=None) as ws:
        for m in messages:
            await ws.send(m.SerializeToString())
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:            # let the script run (and read what it sends)
            try:
                await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
            except (asyncio.TimeoutError, websockets.ConnectionClosed):
                pass


def _run(coroutine) -> None:
    """asyncio.run on a thread of its own: playwright's sync API keeps a loop running on this
    one when the browser tests share the session."""
    failure = []

    def target():
        try:
            asyncio.run(coroutine)
        except BaseException as e:        # noqa: BLE001 — raised again on the test's thread
            failure.append(e)
    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def _rerun() -> BackMsg:
    m = BackMsg()
    m.rerun_script.query_string = ""
    return m


def _clear() -> BackMsg:
    m = BackMsg()
    m.clear_cache = True
    return m


def test_clear_cache_and_metrics_are_for_whom_they_are_for(served):
    url, cookie = served
    _an_address_that_names_no_page_gets_a_chinese_404(url)
    assert _get(f"{url}/_stcore/metrics")[0] == 403                    # anonymous: refused
    assert _get(f"{url}/_stcore/metrics", "forged.token")[0] == 403
    _run(_send(url, cookie["管理员"], _rerun(), settle=25))      # the administrator's page fills the cache
    filled = _cache_bytes(url, cookie["城川"])                          # any signed-in user may read metrics
    assert filled > 0
    # Streamlit keeps the cache size it reports for 5 s: wait past that before reading it again
    _run(_send(url, None, _clear(), settle=1))                   # an anonymous connection
    _run(_send(url, cookie["城川"], _clear(), settle=METRICS_TTL))   # a town user
    assert _cache_bytes(url, cookie["管理员"]) >= filled
    _run(_send(url, cookie["管理员"], _clear(), settle=METRICS_TTL))   # the administrator: cleared
    assert _cache_bytes(url, cookie["管理员"]) < filled


def _an_address_that_names_no_page_gets_a_chinese_404(url: str) -> None:
    """Streamlit would run the home page under an English "Page not found" dialog; the guard
    answers 404 with a Chinese page and a link home, and leaves every real address alone.
    (Checked on the server of the test above: a server of its own cost the suite 8 s.)"""
    status, text = _get(f"{url}/nosuchpage")
    assert status == 404 and "未找到页面" in text and "没有“/nosuchpage”这一页" in text and 'href="/"' in text
    status, text = _get(f"{url}/%3Cscript%3E")
    assert status == 404 and "<script>" not in text and "&lt;script&gt;" in text      # the path escaped
    for path in ("/", "/overview", "/gongshi", "/admin", "/home", "/_stcore/health", "/favicon.png"):
        with urllib.request.urlopen(f"{url}{path}", timeout=30) as r:          # raises on 4xx/5xx
            assert r.status == 200, path
