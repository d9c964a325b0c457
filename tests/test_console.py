"""The SQL console's safeguards, each tried for real on DuckDB: the read-only copy cannot
write tables, reach files, networks or extensions, or change settings — even when the
statement check is bypassed — and queries are capped in rows and time.  The limits by
bytes and memory, and the hostile queries, are in test_console_limits.py."""
from __future__ import annotations

import glob
import io
import os
import tempfile
import time

import duckdb
import openpyxl
import pandas as pd
import pytest

from dashboard import console, console_worker
from dashboard.ui import export


@pytest.fixture(scope="module")
def sample_console(direct):
    c = console.Console.from_cursor(direct, time_limit=1.5)
    yield c
    c.close()


@pytest.fixture(scope="module")
def small():
    c = console.Console({"t": pd.DataFrame({"i": range(25), "s": ["=1+1"] + ["x"] * 24})}, row_cap=10,
                        time_limit=1.0)
    yield c
    c.close()


@pytest.fixture
def locked(tmp_path):
    """The worker's own connection (console_worker.open_copy) on a copy of `t`, without the statement check."""
    path = str(tmp_path / "copy.duckdb")
    with duckdb.connect(path) as writer:
        writer.execute("CREATE TABLE t AS SELECT range::INT AS i, 'x' AS s FROM range(25)")
    con = console_worker.open_copy(path, memory_limit=2**30, seconds=2)
    yield con
    con.close()


def test_copy_holds_the_base_and_result_tables_with_the_same_numbers(direct, sample_console):
    cat = sample_console.catalog()
    names = list(cat.table_name)
    assert names[:5] == ["assets", "income", "distribution", "disposals", "problems"]
    assert {"distribution_checks", "asset_results", "rule_hits", "milestones", "collection_checks"} <= set(names)
    assets_cols = cat.loc[cat.table_name == "assets", "columns"].iloc[0]
    assert "asset_id VARCHAR" in list(assets_cols)
    sql = "SELECT count(*) AS n FROM distribution_checks WHERE list_contains(failed, 'D3')"
    assert sample_console.run(sql).frame.n.iloc[0] == direct.execute(sql).fetchone()[0]


def test_a_warm_query_costs_little_more_than_in_process(direct, sample_console):
    """The per-query overhead of the worker (pipe, Arrow IPC, pandas) on the sample."""
    sql = "SELECT town, level, count(*) AS n FROM asset_results GROUP BY ALL ORDER BY ALL"
    sample_console.run(sql)                                   # warm
    start = time.perf_counter()
    for _ in range(10):
        via_worker = sample_console.run(sql).frame
    worker = (time.perf_counter() - start) / 10
    start = time.perf_counter()
    for _ in range(10):
        in_process = direct.execute(sql).df()
    local = (time.perf_counter() - start) / 10
    print(f"per query: worker {worker * 1000:.1f} ms, in process {local * 1000:.1f} ms")
    assert via_worker.n.tolist() == in_process.n.tolist()
    assert worker < 0.5


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM 'http://127.0.0.1:9/x.csv'",
])
def test_files_and_network_are_out_of_reach(small, sql):
    with pytest.raises(console.ConsoleError, match="不允许访问文件、网络或扩展") as err:
        small.run(sql)
    assert "/etc" not in str(err.value) and "127.0.0.1" not in str(err.value)


@pytest.mark.parametrize("sql,what", [
    ("COPY t TO '{out}'", "COPY"), ("EXPORT DATABASE '{out}'", "EXPORT"), ("ATTACH '{out}' AS x", "ATTACH"),
    ("INSTALL httpfs", "INSTALL"), ("LOAD httpfs", "LOAD"), ("SET threads = 1", "SET"), ("RESET threads", "SET"),
    ("PRAGMA threads = 1", "SET"), ("CREATE TABLE u AS SELECT 1", "CREATE"), ("INSERT INTO t VALUES (1, 'a')", "INSERT"),
    ("UPDATE t SET i = 0", "UPDATE"), ("DELETE FROM t", "DELETE"), ("ALTER TABLE t ADD COLUMN j INT", "ALTER"),
    ("DROP TABLE t", "DROP"), ("CALL checkpoint()", "CALL"),
])
def test_the_statement_check_names_what_is_refused(small, tmp_path, sql, what):
    out = tmp_path / "out"
    with pytest.raises(console.ConsoleError, match="只读") as err:
        small.run(sql.format(out=out))
    assert what in str(err.value)
    assert not out.exists()


@pytest.mark.parametrize("sql", [
    "COPY t TO '{out}'", "EXPORT DATABASE '{out}'", "ATTACH '{out}' AS x", "INSTALL httpfs", "LOAD httpfs",
    "SET enable_external_access = true", "SET lock_configuration = false", "RESET memory_limit",
    "SET max_execution_time = 0", "CREATE TABLE u AS SELECT 1", "INSERT INTO t VALUES (1, 'a')", "DELETE FROM t",
    "DROP TABLE t", "EXPLAIN ANALYZE CREATE TABLE u AS SELECT 1",
])
def test_the_connection_itself_refuses_even_without_the_check(locked, tmp_path, sql):
    out = tmp_path / "out"
    with pytest.raises(duckdb.Error):
        locked.execute(sql.format(out=out)).fetchall()
    assert not out.exists()
    assert locked.execute("SELECT count(*) FROM t").fetchone()[0] == 25
    assert locked.execute("SELECT current_setting('enable_external_access')").fetchone()[0] is False
    assert locked.execute("SELECT current_setting('max_execution_time')").fetchone()[0] == 2000


@pytest.mark.parametrize("sql,message", [
    ("SELECT 1; SELECT 2", "一次只能执行一条语句"),
    ("SELECT 1; DROP TABLE t", "一次只能执行一条语句"),
    ("SELEC 1", "SQL语法错误"),
    ("EXPLAIN ANALYZE CREATE TABLE u AS SELECT 1", "EXPLAIN 只能用于查询语句"),
    ("", "请输入"),
    ("SELECT * FROM nope", "查询出错"),
    ("SELECT 1" + " " * console.MAX_SQL, "查询语句过长"),
])
def test_other_refusals_and_errors_are_chinese(small, sql, message):
    with pytest.raises(console.ConsoleError, match=message):
        small.run(sql)


@pytest.mark.parametrize("sql", ["SELECT 1 AS x", "WITH a AS (SELECT 1 AS x) SELECT * FROM a", "FROM t LIMIT 1",
                                 "SHOW TABLES", "DESCRIBE t", "SUMMARIZE t", "EXPLAIN SELECT * FROM t",
                                 "-- a comment\nEXPLAIN ANALYZE SELECT count(*) FROM t",
                                 "SELECT union_value(k := 1) AS u, INTERVAL 1 DAY AS d, [1, 2] AS l, {'a': 1} AS s"])
def test_reading_statements_run(small, sql):
    assert len(small.run(sql).frame) >= 1


def test_row_cap(small):
    capped = small.run("SELECT * FROM t ORDER BY i")
    assert len(capped.frame) == 10 and capped.truncated and list(capped.frame.i) == list(range(10))
    exact = small.run("SELECT * FROM t WHERE i < 10")
    assert len(exact.frame) == 10 and not exact.truncated
    streamed = small.run("SELECT * FROM range(1000000000000)")        # stops reading after row_cap + 1
    assert len(streamed.frame) == 10 and streamed.truncated


def test_time_limit_interrupts_a_query_that_would_run_for_ever(small):
    start = time.monotonic()
    with pytest.raises(console.ConsoleError, match="查询超过1秒时间上限，已停止"):
        small.run("SELECT sum(hash(range)) FROM range(1000000000000)")
    assert time.monotonic() - start < 1 + console.GRACE + 1
    assert small.run("SELECT count(*) AS n FROM t").frame.n.iloc[0] == 25   # usable afterwards


def test_no_copy_is_left_on_disk():
    pattern = os.path.join(tempfile.gettempdir(), "zcph-console-*")
    before = set(glob.glob(pattern))
    c = console.Console({"t": pd.DataFrame({"i": [1, 2]})})
    try:
        assert set(glob.glob(pattern)) == before
        assert c.run("SELECT sum(i) AS s FROM t").frame.s.iloc[0] == 3
    finally:
        c.close()


def test_closing_ends_the_workers():
    c = console.Console({"t": pd.DataFrame({"i": [1, 2]})})
    c.run("SELECT 1")
    procs = [w.proc for w in c._idle]
    assert procs and all(p.poll() is None for p in procs)
    c.close()
    assert all(p.poll() is not None for p in procs)


def test_repeated_result_columns_and_safe_exports(small):
    result = small.run("SELECT s, s FROM t WHERE i = 0")
    assert list(result.frame.columns) == ["s", "s_2"]
    assert "'=1+1" in export.csv_bytes(result.frame, "查询结果").decode("utf-8-sig")


@pytest.mark.parametrize("header", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_formula_header_is_neutralised_in_csv_and_xlsx(small, header):
    quoted = header.replace('"', '""')
    frame = small.run(f'SELECT 1 AS "{quoted}", s AS "ok" FROM t WHERE i = 0').frame
    assert list(frame.columns) == [header, "ok"]
    csv = export.csv_bytes(frame, "查询结果").decode("utf-8-sig")
    assert pd.read_csv(io.StringIO(csv)).columns[0] == "'" + header
    assert not csv.startswith(header)
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes({"查询结果": frame}))).active
    assert sheet["A3"].value.replace("_x000D_", "\r") == "'" + header and sheet["A3"].data_type == "s"
    assert sheet["A4"].value == 1 and sheet["B4"].value == "'=1+1"   # rows 1–2: title and note


def test_a_carriage_return_cannot_start_a_row_in_csv():
    frame = pd.DataFrame({"a\r=1+1": ["x\r=2+2", "ok"], "n": [1, 2]})
    csv = export.csv_bytes(frame, "查询结果").decode("utf-8-sig")
    rows = [line for line in csv.split("\r\n") if line]
    assert rows == ['"a\r=1+1",n', '"x\r=2+2",1', "ok,2"]


def test_sessions_query_at_once(small):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        sums = list(pool.map(lambda k: small.run(f"SELECT sum(i) + {k} AS s FROM t").frame.s.iloc[0], range(8)))
    assert sums == [300 + k for k in range(8)]
    assert len(small._idle) == 1                    # the extra workers ended
