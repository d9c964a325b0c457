"""Several server processes (issue 20.1, 20.2) without a browser: what one process changes in
the store is read by another on its next page run; the proxy's config; the load test's
/proc readings.  The proxy itself is tested in tests/browser/test_proxy.py."""
from __future__ import annotations

import argparse
import os
import socket
import time

import pytest

from conftest import account, app
from dashboard import loadtest, serve
from dashboard.store import settings


def test_a_department_list_saved_by_another_process_is_used_on_the_next_run():
    account()
    at = app("admin", user="管理员")
    assert not at.exception
    doubts = [df for df in at.dataframe if "主管部门" in df.value.columns]
    assert doubts == [], "the sample's departments are all in the shipped list"
    # another process saves a list without 农牧局 (no cache of this process is cleared)
    kept = [d for d in settings.departments() if d.name != "农牧局"]
    settings.save_departments(kept, "旗管理员")
    at.run()
    assert not at.exception
    doubts = [df.value for df in at.dataframe if "主管部门" in df.value.columns]
    assert doubts and "农牧局" in set(doubts[0]["主管部门"]), "the next run must bind the new list"


def test_the_proxy_config_names_every_process_and_keeps_paths_in_the_runtime_folder(tmp_path):
    text = serve.render_config(tmp_path, "127.0.0.1:8080", [41001, 41002], as_root=False)
    assert "${" not in text
    assert "server 127.0.0.1:41001 max_fails=0;" in text and "server 127.0.0.1:41002 max_fails=0;" in text
    assert "listen 127.0.0.1:8080;" in text and f"pid {tmp_path}/nginx.pid;" in text
    assert "hash $zcph_route consistent;" in text and "proxy_set_header Upgrade $http_upgrade;" in text
    assert "client_max_body_size 201m;" in text          # .streamlit's maxUploadSize (200 MB) + 1
    assert "\nuser " not in text
    assert "user www-data;" in serve.render_config(tmp_path, "80", [1], as_root=True)
    directives = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "/etc/nginx" not in directives and "/var/" not in directives


def test_the_load_test_finds_a_listening_process_by_its_port_and_reads_its_cpu():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert loadtest.pids_by_ports([port]) == [os.getpid()]
    before = loadtest.cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    spent = loadtest.cpu_seconds(os.getpid()) - before
    assert 0.2 <= spent <= 5, spent
    assert loadtest.quantile([1.0, 2.0, 3.0, 4.0], .5) == 2.5
    assert loadtest.quantile([5.0], .95) == 5.0


def test_the_load_test_reads_memory_and_reports_start_end_peak_and_every_ten_minutes():
    blob = bytearray(64 * 1024 * 1024)                     # 64 MiB touched: RSS must show it
    blob[::4096] = b"x" * len(blob[::4096])
    assert loadtest.rss_mib(os.getpid()) >= 64
    assert loadtest.rss_mib(2 ** 22 + 7) == 0.0            # a pid that is gone (beyond pid_max)
    short = loadtest.rss_lines([(0.0, 500.0), (15.0, 620.0), (30.0, 580.0)])
    assert short == ["应用进程内存（RSS合计）：开始 500 MiB，结束 580 MiB，峰值 620 MiB（每15秒采样3次）"]
    hour = [(t * 15.0, 400.0 + t) for t in range(241)]      # 60 minutes, +1 MiB a sample
    lines = loadtest.rss_lines(hour)
    assert lines[0].startswith("应用进程内存（RSS合计）：开始 400 MiB，结束 640 MiB，峰值 640 MiB")
    assert lines[1] == "  每10分钟：0分 400，10分 440，20分 480，30分 520，40分 560，50分 600，60分 640 MiB"
    assert loadtest.rss_lines(hour[:-3])[1].endswith("50分 600，59分 637 MiB")   # 59.25 min: the last sample
    assert loadtest.rss_lines([]) == []


def test_loadtest_without_playwright_says_what_to_install_before_starting_anything(monkeypatch, capsys):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "playwright" else real(name, *a))
    monkeypatch.setattr(loadtest, "own_banner", lambda *a: (_ for _ in ()).throw(AssertionError("a server started")))
    args = argparse.Namespace(command="loadtest", sessions=2, minutes=1.0, client="browser")
    assert loadtest.dispatch(args) == 2
    assert "requirements-test.txt" in capsys.readouterr().err
    # the protocol client needs no browser: it goes on to start its banner
    with pytest.raises(AssertionError, match="a server started"):
        loadtest.dispatch(argparse.Namespace(command="loadtest", sessions=2, minutes=1.0, client="protocol",
                                             url=None))


def test_loadtest_signs_in_again_when_told_and_not_when_refused():
    from dashboard.store import accounts
    assert 1 <= loadtest.retry_after(accounts.BUSY) <= 3
    assert 10 <= loadtest.retry_after("登录失败次数较多，请10秒后再试。") <= 12
    assert 30 <= loadtest.retry_after("该账号登录失败次数较多，请30秒后再试。") <= 32
    assert loadtest.retry_after("用户名或密码不正确。") is None
    assert loadtest.retry_after("连续登录失败次数过多，账号已锁定，请5分钟后再试或联系管理员。") is None
