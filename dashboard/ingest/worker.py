"""Run reading jobs in child processes with a memory ceiling and a time limit.

python-calamine can abort the whole process (SIGABRT, no exception) on a hostile
workbook, and a hostile CSV can take minutes: in the app that would stop the
server for everyone.  So every job runs in its own child process, at most
`workers` at once; the child caps its address space (RLIMIT_AS, counted above
what it already maps, so the ceiling means "memory this reading may add"),
and the parent kills it at the deadline.  Whatever happens to a child becomes
an Outcome the caller turns into a Chinese message.

Start method: 'fork' when this process runs no other Python thread (the CLI,
the bench: children start at once with everything imported); 'forkserver'
otherwise (Streamlit runs threads, and a fork could copy a lock some thread
holds).  The fork server preloads this package and warms it (tasks.warm), so its
children start at once.

Whoever waits for the jobs may leave: in the app, the browser closed or the page
ran again.  Run checks that every WATCH_SECONDS (session_check, made when the
Runner is: in a Streamlit script thread, its session's state); once its caller is
gone it kills the children, whose memory goes back with them, and raises.
"""
from __future__ import annotations

import contextlib
import faulthandler
import gc
import heapq
import io
import itertools
import logging
import mmap
import multiprocessing as mp
import multiprocessing.connection as mpc
import multiprocessing.spawn as mp_spawn
import os
import pickle
import re
import resource
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler
from typing import Any, Callable

from dashboard import settings

from .report import UnusableInput

MEMORY_MB = 8192        # the 1,000,000-asset bench peaked at 4.4 GiB in one process
SECONDS = 600           # ... and took 98 s
WATCH_SECONDS = 1.0     # how often a waiting Runner asks whether its caller is still there
_EXIT_MEMORY = 86       # a child that ran out of memory exits with this
_MEMORY_WORDS = re.compile(r"memory allocation of|bad_alloc|MemoryError|out of memory|capacity overflow")
log = logging.getLogger(__name__)
_errors_file = None


@dataclass(frozen=True)
class Limits:
    memory_mb: int = MEMORY_MB
    seconds: float = SECONDS
    workers: int = 2

    @classmethod
    def resolve(cls, memory_mb=None, seconds=None, workers=None) -> "Limits":
        """Parameters first, then $ZCPH_IMPORT_MEMORY_MB / _SECONDS / _WORKERS, then defaults
        (a setting that is not a positive number is ignored)."""
        def pick(given, env: str, default, kind):
            for value in (given, settings.text(env)):
                with contextlib.suppress(TypeError, ValueError):
                    if kind(value) > 0:
                        return kind(value)
            return default
        return cls(pick(memory_mb, "ZCPH_IMPORT_MEMORY_MB", MEMORY_MB, int),
                   pick(seconds, "ZCPH_IMPORT_SECONDS", SECONDS, float),
                   pick(workers, "ZCPH_IMPORT_WORKERS", min(2, os.cpu_count() or 1), int))

    def memory_text(self) -> str:
        mb = self.memory_mb
        return f"{mb / 1024:g}GB" if mb >= 1024 else f"{mb}MB"


@dataclass
class Outcome:
    status: str                 # ok | refused | memory | timeout | crashed | error
    value: Any = None           # ok: the job's result; refused: the message; crashed: the signal
    detail: str = ""            # error: the traceback, for the log only


@dataclass(order=True)
class Job:
    priority: tuple
    seq: int
    fn: Callable = field(compare=False)
    args: tuple = field(compare=False)
    group: Any = field(compare=False)            # jobs of one file share a deadline
    done: Callable[[Outcome], None] = field(compare=False)


def _context():
    method = settings.text("ZCPH_IMPORT_START") or ("fork" if threading.active_count() == 1 else "forkserver")
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["dashboard.ingest.warm"])
    return ctx


_starting = threading.local()


def _preparation_data(name, _stdlib=mp_spawn.get_preparation_data):
    """multiprocessing makes every forkserver child run the parent's main script again
    (streamlit's launcher, pytest's: a second each).  Our children run only functions of
    this package, so for them that step is left out; other users of multiprocessing are
    untouched (the flag is per thread and set only while one of ours starts)."""
    data = _stdlib(name)
    if getattr(_starting, "ours", False):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


mp_spawn.get_preparation_data = _preparation_data


def launch(ctx, proc) -> None:
    """Start one of our children (made by `ctx`, from _context): with fork, the child's
    collector leaves the parent's objects alone; with forkserver, the parent's main script
    is not run again.  Also used by reports/charts.py for its drawing process."""
    fork = ctx.get_start_method() == "fork"
    if fork:
        gc.freeze()       # the child's collector then leaves our objects (and pages) alone
    _starting.ours = True
    try:
        proc.start()
    finally:
        _starting.ours = False
        if fork:
            gc.unfreeze()


def context():
    """The start method our children use (see the module's text); reports/charts.py's too."""
    return _context()


_FILE_BYTES = 1 << 20    # a result bigger than this comes through a file, not the pipe


@dataclass
class _InFile:
    """A result the child wrote to a file (pickle protocol 5, arrays out of band, 64-byte
    aligned): the parent maps the file and the frames' arrays stay there.  Through the pipe
    a 100,000-asset sheet (66 MB) took 0.3 s to receive, 64 KB at a time, and to copy again."""
    path: str
    size: int                           # the pickle itself, at offset 0
    spans: list[tuple[int, int]]        # (offset, length) of each out-of-band buffer

    def load(self):
        try:
            with open(self.path, "rb") as fh:
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)   # writable, private
        finally:
            with contextlib.suppress(OSError):
                os.remove(self.path)             # the mapping keeps the pages while it is used
        view = memoryview(mapped)
        return pickle.loads(view[:self.size], buffers=[view[o:o + n] for o, n in self.spans])


def _send(conn, out: "Outcome", path: str) -> None:
    """out through the pipe, or (a big one) through a file next to the child's errors file."""
    try:
        buffers: list[pickle.PickleBuffer] = []
        data = io.BytesIO()
        ForkingPickler(data, 5, True, buffers.append).dump(out)
        if data.tell() + sum(b.raw().nbytes for b in buffers) >= _FILE_BYTES:
            spans = []
            with open(path, "wb") as fh:
                fh.write(data.getbuffer())
                for b in buffers:
                    fh.write(b"\0" * (-fh.tell() % 64))
                    spans.append((fh.tell(), b.raw().nbytes))
                    fh.write(b.raw())
            conn.send(_InFile(path, data.tell(), spans))
            return
    except (OSError, BufferError, pickle.PicklingError):      # no room for the file, say: the pipe
        with contextlib.suppress(OSError):
            os.remove(path)
    conn.send(out)


def _child(conn, fn, args, memory_bytes: int, errors: str) -> None:
    """Child side: cap memory, run, send the outcome, and leave at once (freeing
    millions of cells one by one would only cost time).  Its stdout and stderr go to
    a file: calamine's dying words must not reach the user (the CLI promises one
    Chinese line on stderr); the parent logs them."""
    try:
        fd = os.open(errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.environ["RUST_BACKTRACE"] = "0"      # a dying calamine need not symbolise its stack
        global _errors_file                     # faulthandler (pytest enables it) writes the Python
        _errors_file = os.fdopen(fd, "w")       # stack there too, not on the parent's stderr
        faulthandler.enable(file=_errors_file)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))          # no core file when calamine aborts
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = _mapped() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
        out = Outcome("ok", fn(*args))
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    except UnusableInput as e:
        out = Outcome("refused", str(e))
    except BaseException as e:  # noqa: BLE001 — a bug: the parent logs it, the user gets a message
        out = Outcome("error", type(e).__name__, traceback.format_exc())
    try:
        _send(conn, out, errors[:-len(".err")] + ".out")
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    except BaseException:  # noqa: BLE001 — e.g. the parent went away
        os._exit(1)
    os._exit(0)


def _mapped() -> int:
    """Bytes this process maps already (Linux); 0 where that cannot be read."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def streamlit_check() -> Callable[[], None] | None:
    """In a Streamlit script thread: a check that raises StopException (the script ends quietly)
    once the run is asked to stop — its session disconnected (browser closed), or the page ran
    again (fastReruns) — or the session is no longer active.  None anywhere else.  Streamlit has
    no public hook for a session's end; both reads are thread-safe (Runtime.is_active_session
    says so; the request state is one attribute)."""
    if "streamlit" not in sys.modules:
        return None
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner_utils.exceptions import StopException
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:
        return None
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return None

    def check() -> None:
        stopped = getattr(ctx.script_requests, "_state", None) == ScriptRequestType.STOP
        if stopped or (Runtime.exists() and not Runtime.instance().is_active_session(ctx.session_id)):
            log.info("import stopped: session %s ended or its run was stopped", ctx.session_id)
            raise StopException()
    return check


session_check = streamlit_check      # tests put their own here


def trim() -> None:
    """Give the heap's free pages back to the system (glibc keeps them otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Runner:
    """At most limits.workers children at a time; lower priority tuples start first."""

    def __init__(self, limits: Limits, tmp: str):
        self.limits = limits
        self.check = session_check()                       # raises once the caller is gone
        self.tmp = tmp                                     # the children's stderr files
        self.ctx = _context()
        self.pending: list[Job] = []
        self.running: dict[Any, tuple[Job, Any]] = {}      # connection → (job, process)
        self.deadline: dict[Any, float] = {}               # group → time its first job started
        self.leaving: list = []                            # children done, maybe still exiting
        self.seq = itertools.count()

    def submit(self, fn, args, group, done, priority=(0,)) -> None:
        heapq.heappush(self.pending, Job(tuple(priority), next(self.seq), fn, args, group, done))

    def cancel(self, which: Callable[[Job], bool]) -> None:
        """Drop the pending jobs `which` picks and kill the running ones (no callbacks)."""
        self.pending = [j for j in self.pending if not which(j)]
        heapq.heapify(self.pending)
        for conn, (job, proc) in list(self.running.items()):
            if which(job):
                self._stop(conn, proc)

    def stop(self) -> None:
        """Kill whatever still runs (load_files left by an exception)."""
        self.cancel(lambda job: True)
        self._reap()

    def _reap(self) -> None:
        """Children that sent their result and have since left (exitcode reaps them)."""
        self.leaving = [p for p in self.leaving if p.exitcode is None]

    def run(self) -> None:
        """Run every job; if the caller leaves (self.check raises), kill them all and re-raise."""
        try:
            self._run()
        except BaseException:
            self.stop()
            raise

    def _run(self) -> None:
        while self.pending or self.running:
            if self.check:
                self.check()
            self._start()
            now = time.monotonic()
            wait = min((self.deadline[j.group] - now for j, _ in self.running.values()), default=1.0)
            if self.check:
                wait = min(wait, WATCH_SECONDS)
            handles = [h for conn, (_, proc) in self.running.items() for h in (conn, proc.sentinel)]
            ready = set(mpc.wait(handles, timeout=max(0.0, wait)))
            for conn, (job, proc) in list(self.running.items()):
                if conn not in self.running:              # stopped by a callback in this round
                    continue
                if conn in ready or proc.sentinel in ready:
                    out = self._collect(conn, proc)
                elif time.monotonic() >= self.deadline[job.group]:
                    self._stop(conn, proc)
                    out = Outcome("timeout")
                else:
                    continue
                job.done(out)

    def _start(self) -> None:
        self._reap()
        while self.pending and len(self.running) < self.limits.workers:
            job = heapq.heappop(self.pending)
            self.deadline.setdefault(job.group, time.monotonic() + self.limits.seconds)
            recv, send = self.ctx.Pipe(duplex=False)
            proc = self.ctx.Process(target=_child, args=(send, job.fn, job.args, self.limits.memory_mb << 20,
                                                         self._errors(job)), daemon=True)
            launch(self.ctx, proc)
            send.close()          # so that a dead child reads as EOF here
            self.running[recv] = (job, proc)

    def _errors(self, job: Job) -> str:
        return os.path.join(self.tmp, f"job{job.seq}.err")

    def _collect(self, conn, proc) -> Outcome:
        job = self.running.pop(conn)[0]
        out = None
        try:
            if conn.poll():
                out = conn.recv()
                if isinstance(out, _InFile):
                    out = out.load()
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            out = None
        conn.close()
        if out is None:
            proc.join()
        else:            # its result is in: the child only has to leave, which after a big read
            self.leaving.append(proc)      # (freeing its memory) takes a while — not waited for
        said = self._said(job)
        code = proc.exitcode
        if out is None:
            out = Outcome("crashed", code, said)
            # calamine (Rust) aborts when an allocation fails; the kernel's OOM killer uses SIGKILL
            if code in (_EXIT_MEMORY, -signal.SIGKILL) or (code == -signal.SIGABRT and _MEMORY_WORDS.search(said)):
                out = Outcome("memory", None, said)
        if said:    # a failure's last words, or a traceback a caught bug logged: for the log, never
            log.info("import worker %s (%s) said:\n%s", job.fn.__name__, out.status, said)   # the CLI's stderr
        return out

    def _said(self, job: Job) -> str:
        path = self._errors(job)
        try:
            with open(path, "rb") as fh:
                said = fh.read(2048)
                fh.seek(max(fh.tell(), os.path.getsize(path) - 2048))
                tail = fh.read()
                return (said + (b"\n...\n" if tail and len(said) == 2048 else b"") + tail).decode("utf-8", "replace")
        except OSError:
            return ""
        finally:
            with contextlib.suppress(OSError):
                os.remove(path)

    def _stop(self, conn, proc) -> None:
        job = self.running.pop(conn)[0]
        proc.kill()
        proc.join()
        conn.close()
        self._said(job)
