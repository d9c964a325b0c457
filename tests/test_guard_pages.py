"""The guard's page addresses (dashboard/guard.py): which paths it answers with its Chinese 404."""
from __future__ import annotations

import asyncio
import threading

import pytest

from dashboard import guard
from dashboard.ui.pages import HOME, PAGES


@pytest.mark.parametrize("path", ["/nosuchpage", "/nosuchpage/", "/Overview", "/总览", "/overview2"])
def test_an_unknown_page_address(path):
    assert guard.unknown_page(path)


@pytest.mark.parametrize("path", ["/", "", *(f"/{p.url}" for p in PAGES), f"/{HOME.url}", "/overview/",
                                  "/_stcore/health", "/_stcore", "/static/js/main.js", "/media/abc.csv",
                                  "/favicon.png", "/robots.txt", "/overview/_stcore/host-config", "/app/static/x"])
def test_every_real_address_passes(path):
    assert not guard.unknown_page(path)


def test_the_guard_answers_404_without_calling_streamlit():
    called, sent = [], []

    async def app(scope, receive, send):
        called.append(scope["path"])

    async def send(message):
        sent.append(message)

    def run(coroutine) -> None:      # in a thread of its own: another test's browser may hold this one's loop
        worker = threading.Thread(target=asyncio.run, args=(coroutine,))
        worker.start()
        worker.join(30)

    g = guard.Guard(app)
    run(g({"type": "http", "path": "/nosuchpage", "headers": []}, None, send))
    assert not called and sent[0]["status"] == 404
    assert "未找到页面".encode() in sent[1]["body"]
    run(g({"type": "http", "path": "/overview", "headers": []}, None, send))
    assert called == ["/overview"]
