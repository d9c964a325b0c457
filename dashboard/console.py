"""The SQL console's runner: a user's query on a locked-down copy of the session's tables,
run in a worker process so that no query can make the app server big or slow.

The copy is written once (per evaluation) to a DuckDB file that is unlinked at once; the
Console keeps a read-only descriptor of it and hands that to its workers
(dashboard/console_worker.py), so no copy is ever left on disk.  A worker, before any
user SQL, caps its address space (RLIMIT_AS, `memory_ceiling`: DuckDB's memory_limit
does not bound one huge string or list), forbids writing files, and opens the copy
READ_ONLY with external access and extensions off, DuckDB's own time limit set and the
configuration locked.  Then it refuses anything but one reading statement (a Chinese
reason), and counts the result's rows and bytes while it streams: over `row_cap` rows
the rest is dropped (`truncated`); over `size_cap` bytes the query stops.

Here, each query goes to an idle warm worker; a worker that does not answer within the
time limit (plus a grace) is killed, one that dies (the memory ceiling) is replaced, and
the answer is read with its size checked before it is decoded.  Every failure is one
Chinese ConsoleError without a server path.  No Streamlit here: tests drive it directly.
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard import console_worker, model, rules, safe, settings, sql, template
from dashboard.filters import Filters
from dashboard.scope import Scope

ROW_CAP = 10_000
TIME_LIMIT = settings.number("ZCPH_CONSOLE_SECONDS")                                # seconds
SIZE_CAP = int(settings.number("ZCPH_CONSOLE_RESULT_MB") * 2**20)                   # bytes of a result
MEMORY_CEILING = int(settings.number("ZCPH_CONSOLE_MEMORY_MB") * 2**20)             # a worker's address space
THREADS = 2
MAX_SQL = 100_000            # characters of one query
GRACE = 3.0                  # seconds past the time limit before a worker is killed
RUNNING = threading.BoundedSemaphore(2)   # queries running at once, all consoles together

BASE_TABLES = tuple(s.name for s in template.SHEETS) + ("loaded_columns", "negative_list", "rule_catalog")
FACT_TABLES = tuple(sql.table_name(n) for n in model.LOAD_TIME_QUERIES)   # judged at load
RESULT_TABLES = tuple(sql.table_name(n) for n in rules.PIPELINE)   # the evaluation's TEMP tables and views
CATALOG = """
    SELECT t.table_name AS table_name, any_value(t.estimated_size) AS row_count,
           list(c.column_name || ' ' || c.data_type ORDER BY c.column_index) AS columns
    FROM duckdb_tables() t JOIN duckdb_columns() c USING (database_name, schema_name, table_name)
    WHERE NOT t.internal AND NOT t.temporary
    GROUP BY t.table_name ORDER BY list_position($order, t.table_name), t.table_name"""


# Whose rows a table holds, for a scoped copy.  Tables keyed by the asset's own row_id; the
# reference tables every scope may read whole; any other table is left out of a scoped copy.
ASSET_ROW_TABLES = ("assets", "asset_facts", "asset_checks", "asset_levels", "asset_results")
SHARED_TABLES = ("loaded_columns", "negative_list", "rule_catalog", "eval_params")


def _scope_predicate(cur: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """The WHERE keeping a table's rows of the scope bound as $filters (the macros of
    queries/filters/sidebar.sql), '' for a shared table, None to leave the table out."""
    if name in SHARED_TABLES:
        return ""
    if name in ASSET_ROW_TABLES:
        return "WHERE row_id IN (SELECT row_id FROM scoped_assets($filters))"
    cols = {r[0] for r in cur.execute(f"DESCRIBE {name}").fetchall()}
    town = "town" if "town" in cols else "NULL"
    village = "village" if "village" in cols else "NULL"
    if "asset_row" in cols:
        return f"WHERE row_in_scope($filters, asset_row, {town}, {village})"
    if "town" in cols:
        return f"WHERE row_in_scope($filters, NULL, town, {village})"
    return None


class ConsoleError(ValueError):
    """A query that was refused or failed; the message is Chinese and shown as is."""


@dataclass
class Result:
    frame: pd.DataFrame
    truncated: bool          # more than row_cap rows: only the first row_cap are kept
    seconds: float


class Console:
    """A read-only copy of some tables; `run(sql)` answers one query in a worker process."""

    def __init__(self, tables: dict[str, object], *, row_cap: int = ROW_CAP, time_limit: float = TIME_LIMIT,
                 size_cap: int = SIZE_CAP, memory_ceiling: int = MEMORY_CEILING, threads: int = THREADS):
        self.row_cap, self.time_limit, self.size_cap = row_cap, time_limit, size_cap
        self.memory_ceiling, self.threads = memory_ceiling, threads
        self.names = tuple(tables)
        self._fd, self._catalog = _write_copy(tables)
        self._idle: list[console_worker.Worker] = []
        self._lock = threading.Lock()
        self._close = weakref.finalize(self, _shut, self._idle, self._lock, self._fd)
        self._give(self._spawn())            # warm before the first query

    @classmethod
    def from_cursor(cls, cur: duckdb.DuckDBPyConnection, scope: Scope = Scope(), **kwargs) -> "Console":
        """The base tables and the evaluation's result tables of an evaluated cursor, holding
        only the rows of `scope` (the user's part of the banner), so no query can reach others."""
        present = {r[0] for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() "
            "WHERE NOT internal").fetchall()}
        names = [n for n in BASE_TABLES + FACT_TABLES + RESULT_TABLES if n in present]
        bind = Filters().within(scope).bind()
        tables = {}
        for name in names:
            where = "" if scope.whole else _scope_predicate(cur, name)
            if where is not None:
                tables[name] = cur.sql(f"SELECT * FROM {name} {where}",
                                       params=bind if where else None).to_arrow_table()
        return cls(tables, **kwargs)

    def catalog(self) -> pd.DataFrame:
        """Every table with its rows and columns (name and type), in the copy's order."""
        return self._catalog.copy()

    def run(self, sql: str) -> Result:
        if not sql.strip():
            raise ConsoleError("请输入一条查询语句。")
        if len(sql) > MAX_SQL:
            raise ConsoleError(f"查询语句过长（超过{MAX_SQL:,}个字符）。")
        start = time.monotonic()
        if not RUNNING.acquire(timeout=self.time_limit):
            raise ConsoleError("查询控制台正忙（同时运行的查询已达上限），请稍后再试。")
        try:
            header, payload = self._ask(sql)
        finally:
            RUNNING.release()
        frame = _frame(payload)
        return Result(frame, header["truncated"], time.monotonic() - start)

    def close(self) -> None:
        self._close()

    # --- workers ---------------------------------------------------------------------

    def _ask(self, sql: str) -> tuple[dict, bytes]:
        worker = self._take()
        request = {"sql": sql, "row_cap": self.row_cap, "size_cap": self.size_cap, "seconds": self.time_limit}
        try:
            header, payload = worker.ask(request, self.time_limit + GRACE, self.size_cap)
        except console_worker.Late:
            self._replace(worker)
            raise ConsoleError(self._message("time")) from None
        except console_worker.Dead as dead:
            self._replace(worker)
            raise ConsoleError(self._message("start" if dead.before_ready else "memory")) from None
        if header.get("error") in ("time", "memory") or worker.rss() > self.memory_ceiling // 4:
            self._replace(worker)            # a fresh worker after a time limit, memory error or a big heap
        else:
            self._give(worker)
        if "error" in header:
            raise ConsoleError(self._message(header["error"], header.get("text", "")))
        return header, payload

    def _message(self, kind: str, text: str = "") -> str:
        if kind == "time":
            return f"查询超过{self.time_limit:g}秒时间上限，已停止。请缩小查询范围（加筛选条件或 LIMIT）。"
        if kind == "size":
            return f"查询结果超过{self.size_cap / 2**20:g}MB上限，已停止。请只选需要的列，或加筛选条件、LIMIT。"
        if kind == "memory":
            return f"查询超出内存上限（{self.memory_ceiling / 2**30:g}GB），已停止。请缩小查询范围。"
        if kind == "start":
            return "查询进程未能启动，请稍后再试或联系管理员。"
        if kind == "refused":
            return safe.hide_paths(_first_lines(text))
        what = "不允许访问文件、网络或扩展" if kind == "permission" else "查询出错"
        return f"{what}：{safe.hide_paths(_first_lines(text))}"

    def _spawn(self) -> console_worker.Worker:
        return console_worker.Worker(self._fd, self.memory_ceiling, self.time_limit, self.threads)

    def _take(self) -> console_worker.Worker:
        with self._lock:
            if not self._close.alive:
                raise ConsoleError("查询副本已关闭，请刷新页面。")
            while self._idle:
                worker = self._idle.pop()
                if worker.proc.poll() is None:
                    return worker
                worker.kill()                # died while idle (killed from outside): not this query's fault
        return self._spawn()

    def _give(self, worker: console_worker.Worker) -> None:
        with self._lock:
            if self._close.alive and not self._idle:
                self._idle.append(worker)
                return
        worker.kill()

    def _replace(self, worker: console_worker.Worker) -> None:
        worker.kill()
        if self._close.alive:
            self._give(self._spawn())


def _shut(idle: list[console_worker.Worker], lock: threading.Lock, fd: int) -> None:
    with lock:
        while idle:
            idle.pop().kill()
        os.close(fd)


def _write_copy(tables: dict[str, object]) -> tuple[int, pd.DataFrame]:
    """The tables in a DuckDB file, unlinked at once: (a read-only descriptor, the catalog)."""
    folder = tempfile.mkdtemp(prefix="zcph-console-")
    path = os.path.join(folder, "console.duckdb")
    try:
        writer = duckdb.connect(path)
        try:
            for name, table in tables.items():
                writer.register("_src", table)
                writer.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _src')
                writer.unregister("_src")
            catalog = writer.execute(CATALOG, {"order": list(tables)}).df()
        finally:
            writer.close()
        return os.open(path, os.O_RDONLY), catalog
    finally:
        for leftover in (path, path + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        os.rmdir(folder)


def _frame(payload: bytes) -> pd.DataFrame:
    """The Arrow result as a DataFrame; a column pandas cannot hold (a UNION) becomes text."""
    table = pa.ipc.open_stream(payload).read_all()
    table = table.rename_columns(_unique(table.column_names))
    try:
        return table.to_pandas()
    except (pa.ArrowException, TypeError, ValueError):
        return pd.DataFrame({name: _column(col) for name, col in zip(table.column_names, table.columns)})


def _column(col: pa.ChunkedArray) -> pd.Series:
    try:
        return col.to_pandas()
    except (pa.ArrowException, TypeError, ValueError):
        return pd.Series([None if v is None else str(v) for v in col.to_pylist()], dtype=object)


def _first_lines(text: str) -> str:
    """DuckDB's own message (it names the table or column at fault), first lines only."""
    lines = [line for line in text.strip().splitlines()
             if line.strip() and not line.startswith("LINE ") and not line.strip().startswith("^")]
    return "\n".join(lines[:2])


def _unique(names: list[str]) -> list[str]:
    """Result columns may repeat (SELECT a.x, b.x): suffix repeats so the table can show them."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out
