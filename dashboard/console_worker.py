"""The SQL console's worker process: runs users' queries on the read-only copy, so that
no query can make the app server itself big or slow (dashboard/console.py starts it).

    python -P -s console_worker.py FD CEILING_BYTES SECONDS THREADS

Standalone on purpose (the standard library, duckdb and pyarrow only): it starts fast
and imports nothing of the app.  Both ends of the pipe are here: `main` runs in the
worker, `Worker` is its handle in the app.  Before any user SQL it caps its own address space
(RLIMIT_AS: DuckDB's memory_limit does not bound one huge string or list), forbids
writing files (RLIMIT_FSIZE 0), and opens the copy — an unlinked file inherited as
descriptor FD — READ_ONLY with external access off, extensions off, DuckDB's own
time limit set and the configuration locked.

Protocol: one JSON request per line on stdin ({"sql", "row_cap", "size_cap", "seconds"}); each
answer on stdout is an 8-byte length, a JSON header, then header["payload"] bytes of
Arrow IPC stream (the result), or a header {"error": kind, "text": ...}.  The result
is counted while it streams — rows and bytes — and dropped at the size cap.
"""
from __future__ import annotations

import json
import os
import re
import resource
import select
import struct
import subprocess
import sys
import threading
import time

import duckdb
import pyarrow as pa

BATCH_ROWS = 2048
STARTUP = 30.0               # seconds for a worker to start and open the copy
# The worker's whole environment: no secret of the server's (a database URL, say) reaches
# it; it imports duckdb and pyarrow from where the app does, nothing of the app itself.
ENV = {"PATH": os.defpath, "LANG": "C.UTF-8", "MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system",
       "PYTHONDONTWRITEBYTECODE": "1",
       "PYTHONPATH": os.pathsep.join(sorted({os.path.dirname(os.path.dirname(m.__file__)) for m in (duckdb, pa)}))}

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


class Refused(ValueError):
    """A statement the console does not run; the message is Chinese."""


def limit_self(ceiling: int) -> None:
    """The OS limits of this process: address space, no files written, no core dumps."""
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def open_copy(path: str, *, memory_limit: int, seconds: float, threads: int = 2) -> duckdb.DuckDBPyConnection:
    """The copy READ_ONLY, locked down before any user SQL."""
    return duckdb.connect(path, read_only=True, config={
        "enable_external_access": False, "autoinstall_known_extensions": False,
        "autoload_known_extensions": False, "allow_community_extensions": False,
        "memory_limit": f"{max(memory_limit >> 20, 64)}MB", "temp_directory": "", "threads": threads,
        "max_execution_time": int(seconds * 1000), "lock_configuration": True})


def check(con, sql: str) -> None:
    """Refuse anything but one reading statement, with a Chinese reason."""
    statements = _parse(con, sql)
    if len(statements) != 1:
        raise Refused(f"一次只能执行一条语句（收到{len(statements)}条）。请去掉多余的分号后的语句。")
    statement = statements[0]
    kind = statement.type.name
    if kind == "EXPLAIN":
        # EXPLAIN wraps another statement (EXPLAIN ANALYZE even runs it): check that one too.
        text = _LEADING_COMMENTS.sub("", statement.query)
        inner = _EXPLAIN.sub("", text, count=1)
        if inner == text:
            raise Refused("无法识别的 EXPLAIN 语句。")
        inner_statements = _parse(con, inner)
        if len(inner_statements) != 1 or inner_statements[0].type.name != "SELECT":
            raise Refused("EXPLAIN 只能用于查询语句（SELECT）。")
    elif kind != "SELECT":
        raise Refused(f"查询控制台只读：不允许{REFUSED.get(kind, kind)}。只能执行一条 SELECT、WITH、SHOW、"
                      "DESCRIBE、SUMMARIZE 或 EXPLAIN 语句。")


def _parse(con, sql: str) -> list:
    try:
        return con.extract_statements(sql)
    except duckdb.Error as exc:
        raise Refused("SQL语法错误：" + str(exc)) from None


def weight(batch: pa.RecordBatch) -> int:
    """A result's size: its Arrow bytes plus what its values cost once they are Python
    objects in the app — 8 bytes a value, 100 a list, map or struct cell (a list of a
    billion NULLs holds no Arrow bytes but would become a billion objects)."""
    return batch.nbytes + sum(_cost(column) for column in batch.columns)


def _cost(array: pa.Array) -> int:
    kind, n = array.type, len(array)
    if isinstance(array, (pa.ListArray, pa.LargeListArray, pa.FixedSizeListArray)):   # MapArray too
        return 100 * n + _cost(array.values)
    if pa.types.is_struct(kind) or pa.types.is_union(kind):
        return 100 * n + sum(_cost(array.field(i)) for i in range(kind.num_fields))
    if pa.types.is_dictionary(kind):
        return 8 * n + _cost(array.dictionary)
    return 8 * n


def answer(con, request: dict) -> tuple[dict, bytes]:
    """Run one request: (header, Arrow IPC payload)."""
    try:
        check(con, request["sql"])
    except Refused as exc:
        return {"error": "refused", "text": str(exc)}, b""
    row_cap, size_cap = request["row_cap"], request["size_cap"]
    cur = con.cursor()
    timer = threading.Timer(request["seconds"], cur.interrupt)   # a second guard beside max_execution_time
    timer.start()
    reader = None
    try:
        relation = cur.sql(request["sql"])
        if relation is None:
            return {"error": "refused", "text": "该语句不返回结果，查询控制台不执行。"}, b""
        reader = relation.to_arrow_reader(BATCH_ROWS)
        batches, rows, size = [], 0, reader.schema.serialize().size   # names count too (PIVOT makes them)
        for batch in reader:
            batch = batch.slice(0, min(batch.num_rows, row_cap + 1 - rows))
            rows += batch.num_rows
            size += weight(batch)
            if size > size_cap:
                return {"error": "size"}, b""
            batches.append(batch)
            if rows > row_cap:
                break
        table = pa.Table.from_batches(batches, reader.schema).slice(0, row_cap)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return {"rows": table.num_rows, "truncated": rows > row_cap, "bytes": size}, sink.getvalue().to_pybytes()
    except duckdb.InterruptException:
        return {"error": "time"}, b""
    except (duckdb.OutOfMemoryException, MemoryError):
        return {"error": "memory"}, b""
    except duckdb.PermissionException as exc:
        return {"error": "permission", "text": str(exc)}, b""
    except Exception as exc:                 # the worker answers whatever happens
        return _classified(exc), b""
    finally:
        timer.cancel()
        if reader is not None:
            reader.close()
        cur.close()


def _classified(exc: Exception) -> dict:
    """An error by its text: DuckDB's errors reach the Arrow stream as OSError."""
    text = str(exc)
    for kind, marker in (("memory", "Out of Memory Error"), ("time", "INTERRUPT Error"),
                         ("permission", "Permission Error")):
        if marker in text:
            return {"error": kind, "text": text}
    return {"error": "error", "text": text if isinstance(exc, (duckdb.Error, pa.ArrowException)) else
            f"{type(exc).__name__}: {text}"}


def send(out, header: dict, payload: bytes = b"") -> None:
    header = json.dumps(dict(header, payload=len(payload))).encode()
    out.write(struct.pack("<Q", len(header)) + header)
    out.write(payload)
    out.flush()


def main(argv: list[str]) -> None:
    fd, ceiling, seconds, threads = int(argv[1]), int(argv[2]), float(argv[3]), int(argv[4])
    # The protocol gets a descriptor of its own; anything else writing to fd 1 (DuckDB's C++
    # code, a library's print) goes to stderr instead of into the answers.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    limit_self(ceiling)
    con = open_copy(f"/proc/self/fd/{fd}", memory_limit=ceiling // 2, seconds=seconds, threads=threads)
    os.close(fd)                                             # DuckDB holds its own handle
    send(out, {"ready": True})
    for line in sys.stdin.buffer:
        send(out, *answer(con, json.loads(line)))


# --- the app's side -----------------------------------------------------------------------

class Late(Exception):
    """The worker did not answer in time."""


class Dead(Exception):
    """The worker ended (or spoke out of protocol): before it was ready, or during a query."""

    def __init__(self, before_ready: bool):
        self.before_ready = before_ready


class Worker:
    """A worker process seen from the app: start it, ask it, read its answer (never more
    than the cap allows, never past the deadline), kill it."""

    def __init__(self, fd: int, ceiling: int, seconds: float, threads: int):
        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-s", __file__, str(fd), str(ceiling), repr(seconds), str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, pass_fds=(fd,), env=ENV, cwd="/",
            start_new_session=True)
        self.ready = False

    def ask(self, request: dict, seconds: float, size_cap: int) -> tuple[dict, bytes]:
        if not self.ready:
            try:
                self._receive(time.monotonic() + STARTUP, 0)
            except Late:
                raise Dead(True) from None
            self.ready = True
        try:
            data = memoryview(json.dumps(request).encode() + b"\n")
            while data:
                data = data[self.proc.stdin.write(data):]
        except OSError:
            raise Dead(False) from None
        return self._receive(time.monotonic() + seconds, size_cap * 2 + 2**20)

    def _receive(self, deadline: float, most: int) -> tuple[dict, bytes]:
        size = struct.unpack("<Q", self._read(8, deadline))[0]
        if size > 2**20:
            raise Dead(not self.ready)
        try:
            header = json.loads(self._read(size, deadline))
            length = int(header["payload"])
        except (ValueError, KeyError, TypeError):
            raise Dead(not self.ready) from None
        if length > most:                     # never read more than the cap allows
            raise Dead(not self.ready)
        return header, self._read(length, deadline)

    def _read(self, n: int, deadline: float) -> bytes:
        chunks, fd = [], self.proc.stdout.fileno()
        while n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise Late
            chunk = os.read(fd, min(n, 2**20))
            if not chunk:
                raise Dead(not self.ready)
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def rss(self) -> int:
        """Resident bytes of the worker (0 when unknown)."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as status:
                return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError):
            return 0

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            pipe.close()


if __name__ == "__main__":
    main(sys.argv)
