"""One load_files call's reading, as jobs for worker processes (tasks.py, worker.py).

A small file (CSV, xls, ods, xlsb, or an xlsx under PARALLEL_BYTES) is one job:
scanned, read and loaded in one child.  A bigger xlsx takes a quick survey
(zip checks, sheet list), then for every sheet a read (calamine + load_sheet)
and a scan (guard.scan_sheet), plus a scan of the shared strings, biggest first
on the two cores.  A read does not wait for its scan: its result is used only
once the scans pass — a hostile sheet's read dies or is killed in its own
process, a sheet with stray cells is read again from a cleaned copy — so the
scan costs no time on the path of the biggest sheet.

A file the command line names (no budget) skips the scan of a sheet up to UNSCANNED_BYTES:
its read looks at the range calamine allocated, and only a range the scan could find fault
with is scanned there (tasks.unscanned); one calamine cannot allocate kills its read, and
the scan runs then.  The verdicts are the scan's own, at no scan's cost for a normal sheet.
Such sheets up to SMALL_BYTES are read in one job, one after another.

An upload (bytes, not a path the command line names) has a budget (guard.Budget):
each scan stops as soon as its sheet exceeds it, and the sheets' ranges are summed
here as their verdicts come in; over it, the file's jobs are killed at once.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import guard, read
from .report import Issue, UnusableInput
from .sheet import Loaded
from .tasks import failed, grids, read_sheet, read_sheets, read_whole, scan, survey, warm
from .worker import Limits, Outcome, Runner, trim

log = logging.getLogger(__name__)
READ_COST = 3                    # reading a sheet costs about three scans of it
PARALLEL_BYTES = 2 * 1024 ** 2   # below this an xlsx is one job: more processes would cost more
UNSCANNED_BYTES = 200 * 1024 ** 2   # a sheet part up to this size, in a file with no budget, is scanned
                                    # only if calamine's range asks for it (tasks.unscanned): its read
                                    # then costs no scan (the 100,000-asset sheet is 141 MB); a bigger
                                    # one is scanned beside its read, as an upload's always is
SMALL_BYTES = 64 * 1024 ** 2     # such sheets up to this size are read one after another in one job:
                                 # a process for each cost 0.1-0.2 s of CPU more than the sheet alone


# --- the parent: one file's jobs -------------------------------------------------------------

@dataclass
class FileRead:
    """One uploaded file: its jobs, and when they are done its sheets or why it failed."""
    batch: "Batch"
    index: int
    name: str
    path: str = ""
    head: bytes = b""
    fatal: str | None = None
    doubts: list[Issue] = field(default_factory=list)
    sheets: list[guard.Sheet] = field(default_factory=list)
    sst: str | None = None
    whole: list[Loaded] | None = None                  # a file read in one job: its sheets
    verdicts: dict[int, object] = field(default_factory=dict)   # sheet → Verdict, or why refused
    reads: dict[int, Outcome] = field(default_factory=dict)
    clean: dict[int, tuple] = field(default_factory=dict)       # sheet → read_sheet's clean argument
    unscanned: set[int] = field(default_factory=set)           # sheets read first, scanned if need be
    budget: guard.Budget | None = None                 # an upload's; None: the caller's own file

    def message(self, out: Outcome, sheet: str | None = None) -> str:
        where = f"文件“{self.name}”" + (f"的工作表“{sheet}”" if sheet else "")
        limits = self.batch.limits
        if out.status == "refused":
            return out.value
        if out.status == "memory":
            return f"{where}读取时超出内存上限（{limits.memory_text()}），已停止读取"
        if out.status == "timeout":
            return f"文件“{self.name}”读取超过时间上限（{limits.seconds:g}秒），已停止读取"
        if out.status == "crashed":
            code = out.value
            how = f"信号{signal.Signals(-code).name}" if code and code < 0 else f"退出码{code}"
            return f"{where}读取进程意外退出（{how}），文件可能已损坏或含有异常内容，已停止读取"
        log.info("import of %s failed in a worker:\n%s", self.name, out.detail)    # a bug: for the log
        return f"{where}读取失败（{out.value}），请检查文件是否完整"

    def fail(self, out: Outcome) -> None:
        if self.fatal is None:
            self.fatal = self.message(out)
        self.batch.runner.cancel(lambda job: job.group == self.index)

    def submit(self, fn, args, done, cost: float = 0) -> None:
        """Biggest jobs first (the survey before all); a timeout stops the whole file."""
        def guarded(out: Outcome) -> None:
            if self.fatal is None:
                self.fail(out) if out.status == "timeout" else done(out)
        self.batch.runner.submit(fn, args, self.index, guarded, (1 if cost else 0, -cost, self.index))

    def start(self) -> None:
        if self.head.startswith(b"PK") and os.path.getsize(self.path) > PARALLEL_BYTES:
            self.submit(survey, (self.name, self.path), self.surveyed)
        else:
            self.read_whole()

    def read_whole(self) -> None:
        def done(out: Outcome) -> None:
            if out.status != "ok":
                return self.fail(out)
            self.whole, doubts = out.value
            self.doubts.extend(doubts)
        self.submit(read_whole, (self.batch.load, self.name, self.path, self.head, {}, self.batch.tmp,
                                 self.budget), done,
                    1 + os.path.getsize(self.path) * READ_COST)

    def surveyed(self, out: Outcome) -> None:
        if out.status != "ok":
            return self.fail(out)
        if out.value is None:                   # ods, xlsb: calamine alone, in one job
            return self.read_whole()
        self.sheets, self.sst = out.value
        if self.sst:
            self.submit(scan, (self.name, self.path, None, self.sst), lambda o: o.status == "ok" or self.fail(o), 1)
        for i, s in enumerate(self.sheets):
            if self.budget is None and s.part and s.size <= UNSCANNED_BYTES:
                self.unscanned.add(i)
        small = [i for i in sorted(self.unscanned) if self.sheets[i].size <= SMALL_BYTES]
        if len(small) > 1:
            self.read_together(small)
        for i, s in enumerate(self.sheets):
            if i in small and len(small) > 1:
                continue
            self.read_one(i)
            if i not in self.unscanned:
                self.submit(scan, (self.name, self.path, s, None, self.budget),
                            lambda o, i=i: self.sheet_scanned(i, o), 1 + s.size)

    def read_one(self, i: int) -> None:
        s = self.sheets[i]
        self.submit(read_sheet, (self.batch.load, self.name, self.path, s.name, {}, None,
                                 s.part if i in self.unscanned else None),
                    lambda o: self.sheet_read(i, o), 1 + s.size * READ_COST)

    def read_together(self, which: list[int]) -> None:
        """Small unscanned sheets read in one job, each as read_sheet would (its own outcome); if
        the job dies, each is read again in a job of its own, so the outcome is always a sheet's."""
        def done(out: Outcome) -> None:
            if out.status != "ok":
                for i in which:
                    self.read_one(i)
                return
            for i, (status, value) in zip(which, out.value):
                self.sheet_read(i, Outcome(status, value))
        sheets = [(self.sheets[i].name, self.sheets[i].part) for i in which]
        self.submit(read_sheets, (self.batch.load, self.name, self.path, sheets), done,
                    1 + sum(self.sheets[i].size for i in which) * READ_COST)

    def _drop_read(self, sheet: str) -> None:
        self.batch.runner.cancel(lambda job: job.group == self.index and job.fn is read_sheet
                                 and job.args[3] == sheet)

    def sheet_scanned(self, i: int, out: Outcome) -> None:
        sheet = self.sheets[i]
        if out.status != "ok":
            self.verdicts[i] = self.message(out, sheet.name)
            return self._drop_read(sheet.name)
        self.verdicts[i] = out.value
        if self.budget:
            try:
                self.budget.total(self.name, [(self.sheets[j].name, *v.end) for j, v in sorted(self.verdicts.items())
                                              if isinstance(v, guard.Verdict)])
            except UnusableInput as e:
                return self.fail(Outcome("refused", str(e)))
        if out.value.strays:                    # read again, from a copy without them
            self._drop_read(sheet.name)
            self.reads.pop(i, None)
            skip = {s.part for s in self.sheets if s.part != sheet.part}
            self.clean[i] = (os.path.join(self.batch.tmp, f"{self.index}-{i}.xlsx"), sheet.part, skip,
                             out.value, self.sst)
            self.submit(read_sheet, (self.batch.load, self.name, self.path, sheet.name, {}, self.clean[i]),
                        lambda o: self.sheet_read(i, o, cleaned=True), 1 + sheet.size * READ_COST)

    def sheet_read(self, i: int, out: Outcome, cleaned: bool = False) -> None:
        if i in self.unscanned and not cleaned and i not in self.verdicts:
            if out.status == "ok" and isinstance(out.value, guard.Verdict):     # its scan found strays
                return self.sheet_scanned(i, out)
            if out.status in ("memory", "crashed"):       # calamine could not hold its range: scan now
                self.reads[i] = out
                s = self.sheets[i]
                return self.submit(scan, (self.name, self.path, s, None, None),
                                   lambda o: self.sheet_scanned(i, o), 1 + s.size)
        if cleaned or i not in self.clean:      # a read made before its scan found strays is void
            self.reads[i] = out

    def loaded(self, seen: dict):
        """This file's sheets in order; one that loaded keys an earlier sheet holds is read
        again with those keys, so its duplicates are found as before."""
        if self.whole is not None:
            if any(_conflicts(out, seen) for out in self.whole):
                again, why = self._again(read_whole, (self.batch.load, self.name, self.path, self.head, seen,
                                                      self.batch.tmp, self.budget))
                self.whole = again[0] if why is None else [failed(self.name, "", why)]
            yield from self.whole
            return
        for i, s in enumerate(self.sheets):
            verdict, out = self.verdicts.get(i), self.reads.get(i)
            if isinstance(verdict, str) or out is None or out.status != "ok":
                yield failed(self.name, s.name, verdict if isinstance(verdict, str) else
                              self.message(out or Outcome("crashed", None), s.name))
                continue
            loaded, doubts = out.value
            if _conflicts(loaded, seen):
                again, why = self._again(read_sheet, (self.batch.load, self.name, self.path, s.name, seen,
                                                      self.clean.get(i)))
                if why:
                    yield failed(self.name, s.name, why)
                    continue
                loaded, doubts = again
            self.doubts.extend(doubts)
            yield loaded

    def _again(self, fn, args):
        """(result, None) or (None, why) of one more job, run now."""
        got: list[Outcome] = []
        self.batch.runner.submit(fn, args, (self.index, "again"), got.append)
        self.batch.runner.run()
        return (got[0].value, None) if got[0].status == "ok" else (None, self.message(got[0]))


def _conflicts(out: Loaded, seen: dict) -> bool:
    """Did this sheet keep keys that a sheet committed before it holds?  Then its duplicate
    check, made without them, must be made again."""
    if not out.keys or out.keys[0] not in seen:
        return False
    return bool(seen[out.keys[0]].first(out.keys[1].to_numpy())[0].any())


class Batch:
    """The files of one load_files call and the Runner that reads them; a temporary folder
    holds uploaded bytes and cleaned copies while it lasts."""

    def __init__(self, limits: Limits, load):
        self.limits = limits
        self.budget = guard.Budget.resolve()     # for uploads
        self.load = load                 # load(file, sheet, grid, seen) -> Loaded, run in the workers
        self.tmp = tempfile.mkdtemp(prefix="zcph-import-")
        self.runner = Runner(limits, self.tmp)
        if self.runner.ctx.get_start_method() == "fork":
            warm()                       # once: the children are forked from us
        self.files: list[FileRead] = []

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, *exc) -> None:
        self.runner.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        trim()

    def place(self, name: str, data: bytes | Path, index: int) -> tuple[str, bytes]:
        """(path, first bytes) of a source() result: uploaded bytes become a file the workers
        can open.  UnusableInput when the first bytes already say it is no spreadsheet."""
        if isinstance(data, bytes):
            path = os.path.join(self.tmp, str(index))
            Path(path).write_bytes(data)
        else:
            path = os.path.abspath(data)       # a fork server does not share our working folder
        with open(path, "rb") as fh:
            head = fh.read(8192)
        read.sniff(name, head)
        return path, head

    def add(self, name: str, data: bytes | Path) -> None:
        path, head = self.place(name, data, len(self.files))
        budget = self.budget if isinstance(data, bytes) else None
        self.files.append(FileRead(self, len(self.files), name, path, head, budget=budget))
        self.files[-1].start()

    def refuse(self, name: str, msg: str) -> None:
        self.files.append(FileRead(self, len(self.files), name, fatal=msg))

    def run(self) -> list[FileRead]:
        self.runner.run()
        return self.files


def sheets_of(f, max_bytes: int, rows: int | None = None) -> tuple[str, list[tuple[str, list[list]]]]:
    """(name, [(sheet, top rows)]) of one upload (the mapping step's preview), read in a worker
    with load_files' checks; `rows` keeps only the top rows, which saves sending whole grids back."""
    name, data = read.source(f, max_bytes)
    with Batch(Limits.resolve(), None) as b:
        path, head = b.place(name, data, 0)
        got: list[Outcome] = []
        b.runner.submit(grids, (name, path, head, rows, b.tmp, b.budget if isinstance(data, bytes) else None),
                        0, got.append)
        b.runner.run()
        if got[0].status != "ok":
            raise UnusableInput(FileRead(b, 0, name).message(got[0]))
        return name, got[0].value
