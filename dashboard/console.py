"""The SQL console's runner: a user's query on a locked-down copy of the session's tables.

Safety does not rest on checking the text alone.  The copy is written to a DuckDB
file that is opened READ_ONLY with external access disabled and the configuration
locked, then unlinked (the open handle keeps it readable; nothing is left behind):

* no table of the copy can be changed (the database is read-only — this also stops
  `EXPLAIN ANALYZE CREATE …`, which the parser reports as a mere EXPLAIN);
* no file, URL, extension or other database can be reached (enable_external_access);
* no setting can be changed back (lock_configuration), memory is capped and nothing
  spills to disk.

On top of that, the statement check gives a Chinese reason for what is refused (a
single SELECT / WITH / SHOW / DESCRIBE / SUMMARIZE / EXPLAIN statement only), each
query runs on its own cursor with a time limit (a timer calls interrupt()), and at
most `row_cap` rows are fetched.  No Streamlit here: tests drive it directly.
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard import model, rules, sql, template

ROW_CAP = 10_000
TIME_LIMIT = 10.0            # seconds
MEMORY_LIMIT = "2GB"

BASE_TABLES = tuple(s.name for s in template.SHEETS) + ("loaded_columns", "negative_list", "rule_catalog")
FACT_TABLES = tuple(sql.table_name(n) for n in model.LOAD_TIME_QUERIES)   # judged at load
RESULT_TABLES = tuple(sql.table_name(n) for n in rules.PIPELINE)   # the evaluation's TEMP tables and views

# Refused statement kinds, named for the user.
REFUSED = {
    "INSERT": "插入数据（INSERT）", "UPDATE": "修改数据（UPDATE）", "DELETE": "删除数据（DELETE）",
    "CREATE": "创建对象（CREATE）", "CREATE_FUNC": "创建函数（CREATE MACRO）", "ALTER": "修改表结构（ALTER）",
    "DROP": "删除对象（DROP）", "COPY": "导入导出文件（COPY）", "COPY_DATABASE": "复制数据库（COPY）",
    "EXPORT": "导出数据库（EXPORT）", "ATTACH": "挂接数据库（ATTACH）", "DETACH": "卸载数据库（DETACH）",
    "LOAD": "安装或加载扩展（INSTALL/LOAD）", "EXTENSION": "安装或加载扩展（INSTALL/LOAD）",
    "SET": "修改设置（SET/RESET/PRAGMA）", "VARIABLE_SET": "设置变量（SET VARIABLE）",
    "PRAGMA": "PRAGMA语句", "CALL": "调用过程（CALL）", "TRANSACTION": "事务语句",
    "PREPARE": "预备语句（PREPARE）", "EXECUTE": "执行预备语句（EXECUTE）", "VACUUM": "VACUUM",
    "ANALYZE": "ANALYZE", "MERGE_INTO": "合并数据（MERGE）", "MULTI": "多步语句（如 PIVOT 语句）",
}
_LEADING_COMMENTS = re.compile(r"^(\s+|--[^\n]*\n?|/\*.*?\*/)*", re.S)
_EXPLAIN = re.compile(r"^EXPLAIN\s+(ANALY[SZ]E\s+)?(\([^)]*\)\s*)?", re.I)


class ConsoleError(ValueError):
    """A query that was refused or failed; the message is Chinese and shown as is."""


@dataclass
class Result:
    frame: pd.DataFrame
    truncated: bool          # more than row_cap rows: only the first row_cap are kept
    seconds: float


class Console:
    """A read-only copy of some tables; `run(sql)` answers one query at a time per cursor."""

    def __init__(self, tables: dict[str, object], *, row_cap: int = ROW_CAP,
                 time_limit: float = TIME_LIMIT, memory_limit: str = MEMORY_LIMIT):
        self.row_cap, self.time_limit = row_cap, time_limit
        self.names = tuple(tables)
        self.con = _read_only_copy(tables, memory_limit)

    @classmethod
    def from_cursor(cls, cur: duckdb.DuckDBPyConnection, **kwargs) -> "Console":
        """The base tables and the evaluation's result tables of an evaluated cursor."""
        present = {r[0] for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() "
            "WHERE NOT internal").fetchall()}
        names = [n for n in BASE_TABLES + FACT_TABLES + RESULT_TABLES if n in present]
        return cls({n: cur.sql(f"SELECT * FROM {n}").to_arrow_table() for n in names}, **kwargs)

    def catalog(self) -> pd.DataFrame:
        """Every table with its rows and columns (name and type), in the copy's order."""
        cur = self.con.cursor()
        try:
            return cur.execute("""
                SELECT t.table_name AS table_name, any_value(t.estimated_size) AS row_count,
                       list(c.column_name || ' ' || c.data_type ORDER BY c.column_index) AS columns
                FROM duckdb_tables() t JOIN duckdb_columns() c USING (database_name, schema_name, table_name)
                WHERE NOT t.internal AND NOT t.temporary
                GROUP BY t.table_name ORDER BY list_position($order, t.table_name), t.table_name""",
                {"order": list(self.names)}).df()
        finally:
            cur.close()

    def check(self, sql: str) -> None:
        """Refuse anything but one reading statement, with a Chinese reason."""
        if not sql.strip():
            raise ConsoleError("请输入一条查询语句。")
        statements = _parse(self.con, sql)
        if len(statements) != 1:
            raise ConsoleError(f"一次只能执行一条语句（收到{len(statements)}条）。请去掉多余的分号后的语句。")
        _check_statement(self.con, statements[0])

    def run(self, sql: str) -> Result:
        self.check(sql)
        cur = self.con.cursor()
        timer = threading.Timer(self.time_limit, cur.interrupt)
        start = time.monotonic()
        timer.start()
        try:
            res = cur.execute(sql)
            rows = res.fetchmany(self.row_cap + 1)
            names = [d[0] for d in res.description or []]
        except duckdb.InterruptException:
            raise ConsoleError(f"查询超过{self.time_limit:g}秒时限，已中止。请缩小查询范围（加筛选条件或 LIMIT）。") from None
        except duckdb.OutOfMemoryException:
            raise ConsoleError(f"查询所需内存超过上限（{MEMORY_LIMIT}），已中止。请缩小查询范围。") from None
        except duckdb.Error as exc:
            raise ConsoleError(_error_text(exc)) from None
        finally:
            timer.cancel()
            cur.close()
        frame = pd.DataFrame.from_records(rows[: self.row_cap], columns=_unique(names))
        return Result(frame, len(rows) > self.row_cap, time.monotonic() - start)

    def close(self) -> None:
        self.con.close()


def _read_only_copy(tables: dict[str, object], memory_limit: str) -> duckdb.DuckDBPyConnection:
    folder = tempfile.mkdtemp(prefix="zcph-console-")
    path = os.path.join(folder, "console.duckdb")
    try:
        writer = duckdb.connect(path)
        try:
            for name, table in tables.items():
                writer.register("_src", table)
                writer.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _src')
                writer.unregister("_src")
        finally:
            writer.close()
        return duckdb.connect(path, read_only=True, config={
            "enable_external_access": False, "memory_limit": memory_limit,
            "temp_directory": "", "lock_configuration": True})
    finally:
        # The open read-only handle keeps the file readable; no copy stays on disk.
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(folder)


def _parse(con, sql: str) -> list:
    try:
        return con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ConsoleError("SQL语法错误：" + _error_text(exc, prefix=False)) from None


def _check_statement(con, statement) -> None:
    kind = statement.type.name
    if kind == "EXPLAIN":
        # EXPLAIN wraps another statement (EXPLAIN ANALYZE even runs it): check that one too.
        text = _LEADING_COMMENTS.sub("", statement.query)
        inner = _EXPLAIN.sub("", text, count=1)
        if inner == text:
            raise ConsoleError("无法识别的 EXPLAIN 语句。")
        statements = _parse(con, inner)
        if len(statements) != 1 or statements[0].type.name != "SELECT":
            raise ConsoleError("EXPLAIN 只能用于查询语句（SELECT）。")
        return
    if kind != "SELECT":
        what = REFUSED.get(kind, kind)
        raise ConsoleError(f"查询控制台只读：不允许{what}。只能执行一条 SELECT、WITH、SHOW、DESCRIBE、"
                           "SUMMARIZE 或 EXPLAIN 语句。")


def _error_text(exc: Exception, prefix: bool = True) -> str:
    """DuckDB's own message (it names the table or column at fault), first lines only."""
    text = str(exc).strip()
    kind = "查询出错" if not isinstance(exc, duckdb.PermissionException) else "不允许访问文件、网络或扩展"
    lines = [line for line in text.splitlines()
             if line.strip() and not line.startswith("LINE ") and not line.strip().startswith("^")]
    body = "\n".join(lines[:2])
    return f"{kind}：{body}" if prefix else body


def _unique(names: list[str]) -> list[str]:
    """Result columns may repeat (SELECT a.x, b.x): suffix repeats so the table can show them."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out
