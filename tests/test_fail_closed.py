"""Issue 18 items 2 and 5: the app fails closed.

Demo mode only while the data folder has never held an account, a saved month or a
submission; the last enabled administrator cannot be disabled; a missing, unreadable,
stopped or frozen store is 数据存储不可用 within seconds and serves nothing but 公示, which
is served from what was published."""
from __future__ import annotations

import os
import socket
import threading
import time

import pytest
import sqlalchemy as sa

from conftest import account, app, sample_path
from dashboard import ledgers, store
from dashboard.store import accounts, mode, settings, watchdog
from test_store import PG_URL, _cli, engine_name  # noqa: F401 — the fixture runs both engines

UNAVAILABLE = "数据存储不可用"


def errors(at) -> list[str]:
    return [e.value for e in at.main.error]


def test_a_fresh_folder_is_demo_mode_and_a_used_one_never_again(tmp_path):
    assert mode.current() == mode.DEMO
    ledgers.load([sample_path()]).save("2024-12")        # a saved month, no store: not demo
    assert mode.current() == mode.UNAVAILABLE
    at = _draw(None)
    assert any(UNAVAILABLE in e for e in errors(at))
    assert not at.sidebar.selectbox and not at.main.dataframe     # nothing served


def test_the_last_enabled_administrator_cannot_be_disabled(engine_name):
    account()
    with pytest.raises(accounts.AccountError, match="最后一个启用的旗级管理员"):
        accounts.set_disabled("管理员")
    assert not accounts.get("管理员").disabled
    refused = _cli("users", "disable", "管理员")
    assert refused.returncode == 2 and "最后一个启用的旗级管理员" in refused.stderr
    accounts.add("第二管理员", "admin", "correct-horse-2")
    accounts.set_disabled("管理员")                      # another one is enabled: allowed
    with pytest.raises(accounts.AccountError):
        accounts.set_disabled("第二管理员")
    assert mode.current() == mode.ACCOUNTS


def test_with_every_administrator_disabled_it_is_still_not_demo_mode(engine_name):
    """The audit's path: the only administrator disabled behind the app's back."""
    account()
    account("城川", "town", town="城川镇")
    with store.engine().begin() as con:
        con.execute(sa.update(store.schema.accounts).values(disabled=True)
                    .where(store.schema.accounts.c.role == "admin"))
    assert mode.current() == mode.ACCOUNTS
    at = app("sql_console")
    assert any("用户名" == t.label for t in at.main.text_input)      # the sign-in form, not the console
    assert not at.main.dataframe


@pytest.mark.parametrize("damage", ["missing", "garbage"])
def test_a_missing_or_unreadable_store_serves_nothing_but_gongshi(damage):
    account()
    ledgers.load([sample_path()]).save("2024-12")
    settings.publish("2024-12", "管理员")
    store.dispose()
    path = store.sqlite_path()
    for extra in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    assert mode.current() == mode.UNAVAILABLE
    for page in (None, "sql_console", "ledger"):
        at = _draw(page)
        assert any(UNAVAILABLE in e for e in errors(at)), page
        assert not at.main.dataframe and not at.sidebar.selectbox
    public = _draw("gongshi")
    assert settings.published_month() == "2024-12"          # from the copy kept at publishing
    assert public.main.dataframe                             # 公示 still served


def _draw(page):
    from streamlit.testing.v1 import AppTest
    from conftest import ROOT
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    if page:
        at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- PostgreSQL stopped or frozen, through a proxy the test controls ------------------------

class Proxy:
    """127.0.0.1:<port> → the test database; `freeze()` stops relaying (a stalled server that
    accepts and never answers), `stop()` refuses connections (a stopped server)."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.frozen = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.open.append(client)
            if self.frozen.is_set():
                continue                                   # accepted, never answered
            upstream = socket.create_connection(self.upstream)
            self.open.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._relay, args=(a, b), daemon=True).start()

    def _relay(self, src, dst):
        try:
            while data := src.recv(65536):
                while self.frozen.is_set():
                    time.sleep(0.05)
                dst.sendall(data)
        except OSError:
            pass

    def freeze(self):
        self.frozen.set()

    def stop(self):
        for s in [self.server] + self.open:
            try:
                s.shutdown(socket.SHUT_RDWR)      # wakes the accept() blocked in the other thread
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass


@pytest.fixture
def proxied(monkeypatch):
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test the store on PostgreSQL: set ZCPH_TEST_DATABASE_URL (.ci/run does)")
        pytest.skip("ZCPH_TEST_DATABASE_URL not set")
    from test_store import _empty_postgres
    _empty_postgres(PG_URL)
    url = sa.engine.make_url(PG_URL)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    monkeypatch.setattr(watchdog, "TIMEOUT", 1.0)          # the limits, shortened for the suite
    monkeypatch.setattr(watchdog, "HOLD", 2.0)
    monkeypatch.setenv("ZCPH_DATABASE_URL", url.set(host="127.0.0.1", port=proxy.port)
                       .render_as_string(hide_password=False))
    store.dispose()
    yield proxy
    proxy.stop()
    store.dispose()


def _timed(call):
    started = time.monotonic()
    value = call()
    return value, time.monotonic() - started


def test_a_frozen_postgresql_is_unavailable_within_seconds_and_gongshi_stays(proxied):
    account()
    ledgers.load([sample_path()]).save("2024-12")
    settings.publish("2024-12", "管理员")
    assert mode.current() == mode.ACCOUNTS                  # a pooled connection exists now
    proxied.freeze()
    state, seconds = _timed(mode.current)
    assert state == mode.UNAVAILABLE and seconds <= watchdog.HOLD + 2, seconds
    month, seconds = _timed(settings.published_month)
    assert month == "2024-12" and seconds <= watchdog.HOLD + 2, seconds
    store.dispose()                                          # a new connection to the frozen server
    state, seconds = _timed(mode.current)
    assert state == mode.UNAVAILABLE and seconds <= watchdog.TIMEOUT + 2, seconds


def test_a_stopped_postgresql_is_a_chinese_page_at_once(proxied):
    account()
    assert mode.current() == mode.ACCOUNTS
    proxied.stop()
    state, seconds = _timed(mode.current)
    assert state == mode.UNAVAILABLE and seconds < 3, seconds
    at = _draw(None)
    assert any(UNAVAILABLE in e for e in errors(at))
