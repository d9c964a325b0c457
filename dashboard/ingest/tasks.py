"""What the worker processes run (jobs.py schedules them, worker.py runs them).

Every task reads from a path and returns something small to pickle: loaded
sheets (a 100,000-asset frame pickles in 0.2 s; its raw grid would take 4.6 s),
a sheet list, a scan verdict.  An xlsx is always scanned (guard.py) before its
rows are used, and a sheet with stray cells is read from a copy without them.
"""
from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator

from python_calamine import SheetTypeEnum

from . import guard, read, strays
from .report import Issue, UnusableInput
from .sheet import Loaded, Seen


def survey(name: str, path: str) -> tuple[list[guard.Sheet], str | None] | None:
    """The worksheets and shared strings of an xlsx; None for other workbooks (ods, xlsb)."""
    read.check_zip(name, path)
    with _zip(name, path) as z:
        names = guard.members(z)
        if "content.xml" in names or not any(n.endswith("workbook.xml") for n in names):
            return None
        return guard.workbook(name, z)


def scan(name: str, path: str, sheet: guard.Sheet | None, sst: str | None,
         budget: guard.Budget | None = None) -> guard.Verdict | None:
    """One sheet's verdict, or (sheet None) the shared strings checked."""
    with _zip(name, path) as z:
        if sheet is None:
            guard.check_strings(name, z, sst)
            return None
        return guard.scan_sheet(name, sheet.name, z, sheet.part, budget) if sheet.part else guard.Verdict()


def read_sheet(load, name: str, path: str, sheet: str, seen: dict, clean: tuple | None = None,
               part: str | None = None):
    """(Loaded, doubts) of one xlsx sheet whose scan passed (clean: see cleaned()); or, given its
    `part` (a file with no budget, read before any scan: see unscanned()), the scan's Verdict
    when that found stray cells to leave out."""
    if clean:
        grid, doubts = cleaned(name, path, sheet, clean)
    elif part:
        grid, doubts = unscanned(name, path, sheet, part), []
        if isinstance(grid, guard.Verdict):
            return grid
    else:
        grid, doubts = read.sheet_rows(name, read.open_book(name, path), sheet), []
    return load(name, sheet, grid, seen), doubts


def read_sheets(load, name: str, path: str, sheets: list[tuple[str, str]]) -> list[tuple[str, object]]:
    """read_sheet(…, part=part) of each (sheet, part), one after another in this one process:
    ("ok", its result) or ("refused", why) for each."""
    out = []
    for sheet, part in sheets:
        try:
            out.append(("ok", read_sheet(load, name, path, sheet, {}, None, part)))
        except UnusableInput as e:
            out.append(("refused", str(e)))
    return out


def unscanned(name: str, path: str, sheet: str, part: str) -> list[list] | guard.Verdict:
    """A sheet's rows, scanned only when it needs it.  The scan (guard.scan_sheet) finds the range
    of the valued cells as calamine does; once calamine has parsed the sheet its range is known,
    and a range scan_sheet would pass whatever its cells (guard.small: the 100,000-asset sheet's
    4.2 million cells) needs no scan.  A bigger one is scanned here: no strays, its rows; strays,
    the Verdict (the caller reads a copy without them); too sparse, refused.  A range calamine
    cannot allocate kills this process: the caller scans then (jobs.FileRead.sheet_read)."""
    with _zip(name, path) as z:
        guard.check_head(name, z, part)          # a DTD is refused before calamine sees the part
    found = read.sheet_range(name, read.open_book(name, path), sheet)
    if not guard.small(*read.extent(found)):
        with _zip(name, path) as z:
            verdict = guard.scan_sheet(name, sheet, z, part)
        if verdict.strays:
            return verdict
    return read.values(name, sheet, found)


def cleaned(name: str, path: str, sheet: str, clean: tuple) -> tuple[list[list], list[Issue]]:
    """A sheet's rows read from a copy without its stray cells, and a doubt for each stray.
    clean = (copy path, sheet part, parts to leave out, verdict, shared strings part)."""
    copy, part, skip, verdict, sst = clean
    values = strays.without_strays(name, path, copy, part, skip, verdict.strays, verdict.end, sst)
    area = f"A1:{guard.col_letters(verdict.end[1])}{verdict.end[0]}"
    doubts = [Issue(name, sheet, row, None, f"单元格{ref}远在数据区域（{area}）之外，疑为误录入，"
                    f"已忽略未读入（内容：“{values.get(ref, '')}”）", "doubt") for row, _, ref in verdict.strays]
    return read.sheet_rows(name, read.open_book(name, copy), sheet), doubts


def sheets(name: str, path: str, head: bytes, tmp: str,
           budget: guard.Budget | None = None) -> Iterator[tuple[str, list[list] | UnusableInput, list]]:
    """(sheet, rows or why it cannot be read, doubts) for every sheet of one file, in order: a
    CSV; an xlsx scanned whole first; other workbooks (xls, ods, xlsb) by calamine alone.
    A sheet that cannot be read spoils only itself; a budget (an upload's) exceeded by one
    sheet spoils that sheet, by the sheets together the whole file (UnusableInput)."""
    if read.sniff(name, head) == "text":
        yield "CSV", read.csv_rows(name, path, budget), []
        return
    found = survey(name, path) if head.startswith(b"PK") else None
    if found is None:
        book = read.open_book(name, path)
        sizes: list[tuple[str, int, int]] = []
        for meta in book.sheets_metadata:
            if meta.typ == SheetTypeEnum.WorkSheet:
                yield meta.name, _rows(lambda: read.sheet_rows(name, book, meta.name, budget, sizes)), []
        return
    parts, sst = found
    with _zip(name, path) as z:
        if sst:
            guard.check_strings(name, z, sst)
        verdicts = [_rows(lambda: guard.scan_sheet(name, s.name, z, s.part, budget) if s.part else guard.Verdict())
                    for s in parts]
    if budget:
        budget.total(name, [(s.name, *v.end) for s, v in zip(parts, verdicts) if isinstance(v, guard.Verdict)])
    book = None
    for i, (s, v) in enumerate(zip(parts, verdicts)):
        if isinstance(v, UnusableInput):
            yield s.name, v, []
        elif v.strays:
            skip = {t.part for t in parts if t.part != s.part}
            clean = (os.path.join(tmp, f"{os.getpid()}-{i}.xlsx"), s.part, skip, v, sst)
            got = _rows(lambda: cleaned(name, path, s.name, clean))
            yield (s.name, got, []) if isinstance(got, UnusableInput) else (s.name, *got)
        else:
            book = book or read.open_book(name, path)
            yield s.name, _rows(lambda: read.sheet_rows(name, book, s.name)), []


def _rows(read_them):
    """The result, or the UnusableInput that says why this one sheet cannot be used."""
    try:
        return read_them()
    except UnusableInput as e:
        return e


def read_whole(load, name: str, path: str, head: bytes, seen: dict, tmp: str, budget: guard.Budget | None = None):
    """(Loaded per sheet in order, doubts) of one file read in a single job: a CSV, an xls/ods/
    xlsb, or a small xlsx.  Each sheet sees the keys of the sheets before it."""
    out, doubts = [], []
    for sheet, grid, found in sheets(name, path, head, tmp, budget):
        if isinstance(grid, UnusableInput):
            out.append(failed(name, sheet, str(grid)))
            continue
        out.append(load(name, sheet, grid, seen))
        remember(seen, out[-1])
        doubts += found
    return out, doubts


def grids(name: str, path: str, head: bytes, rows: int | None, tmp: str,
          budget: guard.Budget | None = None) -> list[tuple[str, list[list]]]:
    """Raw grids, at most `rows` rows each (the mapping step's preview); refused sheets left out."""
    return [(s, g[:rows]) for s, g, _ in sheets(name, path, head, tmp, budget) if not isinstance(g, UnusableInput)]


def remember(seen: dict, out: Loaded) -> None:
    """Register a sheet's kept keys, as load_files' commit does."""
    if out.keys:
        kind, index, rows, file, sheet = out.keys
        seen.setdefault(kind, Seen()).keys.append((index, rows, file, sheet))


def failed(file: str, sheet: str, msg: str) -> Loaded:
    """A sheet that could not be read, as load_files reports one."""
    from .report import SheetLoad
    out = Loaded(SheetLoad(file, sheet, None))
    out.fatal = msg
    out.issues.append(Issue(file, sheet or None, None, None, msg, "fatal"))
    return out


_WARM = [["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值（元）", "停运日期"],
         ["K1", "车间", "经营性", "城川镇", "城川嘎查", 2019, 100.0, "2024-01-01"]]
_warmed = False


def warm() -> None:
    """Load a two-row ledger once, so that pandas' and pyarrow's lazy imports and first-use
    set-ups happen in the process the workers are forked from, not again in each of them
    (a fresh worker read a small file in 55 ms, a warmed one in 10 ms)."""
    global _warmed
    if not _warmed:
        import pickle
        from .sheet import load_sheet
        pickle.dumps(load_sheet("warm.csv", "CSV", [list(r) for r in _WARM], {}))
        _warmed = True


def _zip(name: str, path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnusableInput(f"文件“{name}”已损坏或不完整，无法作为电子表格读取") from None
