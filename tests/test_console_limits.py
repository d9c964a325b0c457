"""The console limits by bytes and memory, not rows: the queries that once took the server
past 8 GiB, and a list of hostile attempts, each end in a Chinese message while the app
process (this test process) stays small; error texts name no server folder; the tables'
own download is switched off (client.disableDataExport)."""
from __future__ import annotations

import os
import re
import resource
import signal
import tempfile
import threading
import time
import tomllib

import pandas as pd
import pytest

from conftest import ROOT
from dashboard import console, console_worker, safe

LIMIT = 1.5                               # seconds: the hostile console's time limit
STOPPED = ("查询超过", "查询结果超过", "查询超出内存上限")
GROWTH = 500 * 2**20                      # bytes the app process may grow by, at most


@pytest.fixture(scope="module")
def hostile():
    c = console.Console({"t": pd.DataFrame({"i": range(25), "s": ["=1+1"] + ["x"] * 24})}, time_limit=LIMIT)
    yield c
    c.close()


@pytest.fixture(scope="module")
def roomy():
    """The default time limit: the size cap, not the clock, stops these (the machine may be busy)."""
    c = console.Console({"t": pd.DataFrame({"i": [1]})})
    yield c
    c.close()


def _status(key: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(key + ":"))


def peak_growth(run) -> int:
    """How far this process's resident memory rose above its level before `run()` (the
    peak, with the kernel's high-water mark reset first; else the lifetime peak)."""
    before = _status("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        run()
        return _status("VmHWM") - before
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        run()
        return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak, _status("VmRSS") - before)


def refused(con: console.Console, sql: str) -> str:
    """The Chinese message `sql` ends in, the process's growth and the time checked."""
    errors: list[str] = []

    def run():
        try:
            con.run(sql)
        except console.ConsoleError as exc:
            errors.append(str(exc))

    start = time.monotonic()
    growth = peak_growth(run)
    assert errors, f"not refused: {sql}"
    message = errors[0]
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert growth < GROWTH, f"the app process grew by {growth >> 20} MB"
    assert time.monotonic() - start < con.time_limit + console.GRACE + console_worker.STARTUP / 3
    assert "/work/" not in message and tempfile.gettempdir() + "/" not in message, message
    return message


@pytest.mark.parametrize("sql", [
    "SELECT repeat('x', 10000000) FROM range(10000)",
    "SELECT list_resize([1], 1000000000)",
    "SELECT repeat('汉', 10000000) FROM range(10000)",
    "SELECT list_resize(['汉'], 1000000000)",
    "SELECT list_resize([repeat('汉', 1000)], 10000000)",
])
def test_the_queries_that_took_the_server_past_8_gib_stop(hostile, sql):
    message = refused(hostile, sql)
    assert message.startswith(STOPPED) and re.search(r"上限(（\d+GB）)?，已停止。", message), message
    assert hostile.run("SELECT count(*) AS n FROM t").frame.n.iloc[0] == 25      # a fresh worker answers


@pytest.mark.parametrize("sql", [
    "SELECT repeat('x', 30000000)",                                   # one cell over the cap
    "SELECT repeat('汉', 3000000) AS s FROM range(10)",                # 90 MB in ten rows
    "SELECT range, repeat('x', 5000) AS s FROM range(9000)",          # 45 MB under the row cap
    "SELECT list_resize([NULL], 5000000) AS l",                       # no bytes, five million values
])
def test_a_result_over_the_size_cap_stops(roomy, sql):
    assert refused(roomy, sql) == "查询结果超过20MB上限，已停止。请只选需要的列，或加筛选条件、LIMIT。"


def test_the_limits_are_settable():
    c = console.Console({"t": pd.DataFrame({"i": [1]})}, size_cap=2**20, time_limit=0.5, memory_ceiling=2**30)
    try:
        assert refused(c, "SELECT repeat('x', 2000000)").startswith("查询结果超过1MB上限，已停止")
        assert refused(c, "SELECT sum(hash(range)) FROM range(1000000000000)").startswith("查询超过0.5秒时间上限，已停止")
        assert refused(c, "SELECT list_resize([1], 200000000)").startswith("查询超出内存上限（1GB），已停止")
        assert len(c.run("SELECT repeat('x', 900000) AS s").frame.s.iloc[0]) == 900000
    finally:
        c.close()


def test_a_worker_killed_mid_query_ends_in_a_message_and_is_replaced(hostile):
    hostile.run("SELECT 1")
    pid = hostile._idle[0].proc.pid                  # the warm worker the next query takes
    threading.Timer(0.3, os.kill, (pid, signal.SIGKILL)).start()
    assert refused(hostile, "SELECT sum(hash(range)) FROM range(1000000000000)").startswith("查询超出内存上限")
    assert hostile.run("SELECT count(*) AS n FROM t").frame.n.iloc[0] == 25


def test_an_idle_worker_killed_from_outside_is_not_the_next_querys_fault(hostile):
    hostile.run("SELECT 1")
    worker = hostile._idle[0]
    os.kill(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait()
    assert hostile.run("SELECT count(*) AS n FROM t").frame.n.iloc[0] == 25


HOSTILE = [
    # files, network, other databases, extensions
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv(['/etc/passwd', '/etc/hosts'])",
    "SELECT * FROM read_text('/proc/self/environ')",
    "SELECT * FROM read_blob('/proc/self/fd/0')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
    "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
    "SELECT * FROM read_json_auto('{data}/negative_list.csv')",
    "SELECT * FROM duckdb_extensions()",
    "SELECT getenv('HOME')",
    "COPY t TO '{tmp}/out.csv'",
    "COPY (SELECT 1) TO '{tmp}/out.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{tmp}/export'",
    "ATTACH '{tmp}/other.duckdb' AS o",
    "ATTACH ':memory:' AS m",
    "DETACH DATABASE memory",
    "INSTALL httpfs",
    "FORCE INSTALL httpfs FROM 'http://127.0.0.1:9'",
    "LOAD httpfs",
    # settings, procedures, writing
    "PRAGMA enable_profiling",
    "SET enable_external_access = true",
    "RESET lock_configuration",
    "SET memory_limit = '100GB'",
    "SET VARIABLE x = 1",
    "UPDATE duckdb_settings() SET value = 'true' WHERE name = 'enable_external_access'",
    "CALL checkpoint()",
    "CHECKPOINT",
    "USE memory",
    "CREATE MACRO m() AS 1",
    "WITH x AS (SELECT 1) INSERT INTO t SELECT 1, 'a'",
    "SELECT * FROM query('DROP TABLE t')",
    "EXPLAIN ANALYZE COPY t TO '{tmp}/x.csv'",
    # several statements, comments hiding one
    "SELECT 1; DROP TABLE t",
    "SELECT 1 /* ; */ ; COPY t TO '{tmp}/x.csv'",
    "-- just a comment\n; DELETE FROM t",
    "/* SELECT */ DELETE FROM t",
    "SELECT 1 AS x -- ;\n; ATTACH ':memory:' AS m",
    # time, memory and size
    "SELECT count(*) FROM range(1000000000) a, range(1000000000) b",
    "SELECT count(*) FROM t a, t b, t c, t d, t e, t f, t g, t h, t i2, t j",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n FROM r, range(10)) SELECT count(*) FROM r",
    "SELECT sum(generate_series) FROM generate_series(1, 1000000000000)",
    "SELECT * FROM generate_series(1, 10000000000) ORDER BY random()",
    "SELECT string_agg(repeat('x', 1000), ',') FROM range(100000000)",
    "SELECT array_agg(range) FROM range(1000000000)",
    "SELECT unnest(range(1000000000))",
    "SELECT regexp_replace(repeat('a', 100000000), '(a*)*b', 'x')",
    "SELECT regexp_extract_all(repeat('a', 300000000), 'a')",
    "SELECT md5(repeat('x', 2000000000))",
    "SELECT repeat(repeat('x', 1000000), 100000)",
    "SELECT * FROM (PIVOT (SELECT range AS k, 1 AS v FROM range(100000)) ON k USING sum(v))",
    "SELECT * FROM (PIVOT (SELECT repeat('x', 30000000) AS k, 1 AS v) ON k USING sum(v))",   # a 30 MB name
    "SELECT " + "(" * 45000 + "1" + ")" * 45000,                                # parser depth
    "SELECT 1" + " " * console.MAX_SQL,
]


@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_attempts_end_in_a_chinese_message_and_the_server_stays_small(hostile, tmp_path, sql):
    data = os.environ["ZCPH_DATA_DIR"]
    refused(hostile, sql.format(tmp=tmp_path, data=data))
    assert not list(tmp_path.iterdir())                                     # nothing written
    assert hostile.run("SELECT count(*) AS n FROM t").frame.n.iloc[0] == 25


def test_there_are_at_least_thirty_hostile_attempts():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('{root}/data/sample.xlsx')", "SELECT * FROM '{tmp}/x.csv'",
    "SELECT * FROM read_text('{data}/negative_list.csv')", "SELECT * FROM glob('{tmp}/*')",
])
def test_error_texts_name_no_server_folder(hostile, tmp_path, sql):
    message = refused(hostile, sql.format(root=ROOT, tmp=tmp_path, data=os.environ["ZCPH_DATA_DIR"]))
    assert str(ROOT) not in message and str(tmp_path) not in message and "zcph" not in message


def test_hide_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("ZCPH_DATA_DIR", str(tmp_path / "my data"))
    text = (f'IO Error: Cannot open file "{tmp_path}/my data/2024-12.duckdb": No such file; '
            f"also /work/main/var/x.csv, ~/.duckdb/extensions/httpfs and https://example.org/x?y=1; 10/2 a / b")
    hidden = safe.hide_paths(text)
    assert "/work" not in hidden and str(tmp_path) not in hidden and "my data" not in hidden
    assert "example.org" not in hidden and ".duckdb/extensions" not in hidden
    assert hidden.startswith('IO Error: Cannot open file "[路径]') and hidden.endswith("10/2 a / b")


def test_the_tables_own_download_is_switched_off():
    import streamlit as st
    from streamlit import config
    assert "client.disableDataExport" in config._config_options_template
    assert st.get_option("client.disableDataExport") is True
    with open(ROOT / ".streamlit" / "config.toml", "rb") as f:
        assert tomllib.load(f)["client"]["disableDataExport"] is True
