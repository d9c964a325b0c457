"""The SQL console's safeguards, each tried for real on DuckDB: the read-only copy cannot
write tables, reach files, networks or extensions, or change settings — even when the
statement check is bypassed — and queries are capped in rows and time."""
from __future__ import annotations

import glob
import os
import tempfile
import time

import duckdb
import pandas as pd
import pytest

from dashboard import console
from dashboard.ui import export


@pytest.fixture(scope="module")
def sample_console(direct):
    return console.Console.from_cursor(direct, time_limit=1.5)


@pytest.fixture
def small(tmp_path):
    return console.Console({"t": pd.DataFrame({"i": range(25), "s": ["=1+1"] + ["x"] * 24})}, row_cap=10,
                           time_limit=1.0)


def test_copy_holds_the_base_and_result_tables_with_the_same_numbers(direct, sample_console):
    cat = sample_console.catalog()
    names = list(cat.table_name)
    assert names[:5] == ["assets", "income", "distribution", "disposals", "problems"]
    assert {"distribution_checks", "asset_results", "rule_hits", "milestones", "collection_checks"} <= set(names)
    assets_cols = cat.loc[cat.table_name == "assets", "columns"].iloc[0]
    assert "asset_id VARCHAR" in list(assets_cols)
    sql = "SELECT count(*) AS n FROM distribution_checks WHERE list_contains(failed, 'D3')"
    assert sample_console.run(sql).frame.n.iloc[0] == direct.execute(sql).fetchone()[0]


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM 'http://127.0.0.1:9/x.csv'",
])
def test_files_and_network_are_out_of_reach(small, sql):
    with pytest.raises(console.ConsoleError, match="不允许访问文件、网络或扩展"):
        small.run(sql)


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
    "CREATE TABLE u AS SELECT 1", "INSERT INTO t VALUES (1, 'a')", "DELETE FROM t", "DROP TABLE t",
    "EXPLAIN ANALYZE CREATE TABLE u AS SELECT 1",
])
def test_the_connection_itself_refuses_even_without_the_check(small, tmp_path, sql):
    out = tmp_path / "out"
    cur = small.con.cursor()
    with pytest.raises(duckdb.Error):
        cur.execute(sql.format(out=out)).fetchall()
    assert not out.exists()
    assert small.run("SELECT count(*) AS n FROM t").frame.n.iloc[0] == 25
    assert small.con.execute("SELECT current_setting('enable_external_access')").fetchone()[0] is False


@pytest.mark.parametrize("sql,message", [
    ("SELECT 1; SELECT 2", "一次只能执行一条语句"),
    ("SELECT 1; DROP TABLE t", "一次只能执行一条语句"),
    ("SELEC 1", "SQL语法错误"),
    ("EXPLAIN ANALYZE CREATE TABLE u AS SELECT 1", "EXPLAIN 只能用于查询语句"),
    ("", "请输入"),
    ("SELECT * FROM nope", "查询出错"),
])
def test_other_refusals_and_errors_are_chinese(small, sql, message):
    with pytest.raises(console.ConsoleError, match=message):
        small.run(sql)


@pytest.mark.parametrize("sql", ["SELECT 1 AS x", "WITH a AS (SELECT 1 AS x) SELECT * FROM a", "FROM t LIMIT 1",
                                 "SHOW TABLES", "DESCRIBE t", "SUMMARIZE t", "EXPLAIN SELECT * FROM t",
                                 "-- a comment\nEXPLAIN ANALYZE SELECT count(*) FROM t"])
def test_reading_statements_run(small, sql):
    assert len(small.run(sql).frame) >= 1


def test_row_cap(small):
    capped = small.run("SELECT * FROM t ORDER BY i")
    assert len(capped.frame) == 10 and capped.truncated and list(capped.frame.i) == list(range(10))
    exact = small.run("SELECT * FROM t WHERE i < 10")
    assert len(exact.frame) == 10 and not exact.truncated


def test_time_limit_interrupts_a_query_that_would_run_for_ever(small):
    start = time.monotonic()
    with pytest.raises(console.ConsoleError, match="时限"):
        small.run("SELECT count(*) FROM range(100000000000) a, range(100000000000) b")
    assert time.monotonic() - start < 10
    assert small.run("SELECT count(*) AS n FROM t").frame.n.iloc[0] == 25   # usable afterwards


def test_no_copy_is_left_on_disk():
    pattern = os.path.join(tempfile.gettempdir(), "zcph-console-*")
    before = set(glob.glob(pattern))
    c = console.Console({"t": pd.DataFrame({"i": [1, 2]})})
    assert set(glob.glob(pattern)) == before
    assert c.run("SELECT sum(i) AS s FROM t").frame.s.iloc[0] == 3


def test_repeated_result_columns_and_safe_exports(small):
    result = small.run("SELECT s, s FROM t WHERE i = 0")
    assert list(result.frame.columns) == ["s", "s_2"]
    assert "'=1+1" in export.csv_bytes(result.frame).decode("utf-8-sig")
