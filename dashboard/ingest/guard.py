"""Look inside an xlsx ourselves before python-calamine's reading of it is used (in a worker).

python-calamine 0.9 reserves `uniqueCount` strings when it opens a workbook and
allocates the whole range from A1 to the farthest valued cell when it reads a
sheet: one stray cell at XFD100000 asks for 52 GB and aborts the process.  So
each part is inflated and scanned here first, in chunks (memory stays flat):

* the small parts (workbook.xml, its rels) are parsed with expat, DTDs refused
  (no billion laughs, no external entities); of the big parts expat reads the
  prolog and root element (a DTD there is refused; none may stand later), and
  the cells are found with numpy byte patterns, which expand and fetch nothing
  (calamine's own XML reader expands no entity either);
* a sheet whose range is far larger than its cells loses at most MAX_STRAYS
  cells if that makes it compact (each becomes a doubt), else it is refused.

zipfile enforces every member's declared size and CRC, so a zip that lies
about its sizes fails here as a damaged file.

An upload (not a file the command line names: that one is the caller's own) also
has a budget (Budget): cells (rows × columns of each sheet's range, summed), rows
and columns.  The scan stops as soon as what it has seen already exceeds it, so a
workbook of a million rows, or one 16,384 columns wide, is refused in a second
instead of being read for minutes.
"""
from __future__ import annotations

import re
import zipfile
import xml.parsers.expat
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dashboard import settings

from .report import UnusableInput

CHUNK = 8 << 20
SMALL_PART = 16 << 20            # workbook.xml and rels are kilobytes
MAX_ROWS, MAX_COLS = 1_048_576, 16_384
AREA_FLOOR = 5_000_000           # any range this small is cheap (≈160 MB in calamine)
SPARSE = 4                       # a range may be this many times its valued cells
MAX_STRAYS = 3
STRING_SLACK = 100_000           # uniqueCount may exceed the strings present by this much


CELLS, ROWS, COLUMNS = 20_000_000, 500_000, 1_000     # per upload; the 100,000-asset sample: 5.9 million
                                                     # cells, 233,710 rows, 42 columns at most


@dataclass(frozen=True)
class Budget:
    """What one upload may hold: cells (each sheet's rows × columns, summed over its sheets), rows
    (summed) and the columns of any sheet.  Cells alone cannot tell a hostile file from the
    100,000-asset sample (5.9 million cells): a ledger of 1,048,575 rows × 7 columns has only 7.3
    million, yet costs five times its time; a sheet 16,384 columns wide costs by its width."""
    cells: int = CELLS
    rows: int = ROWS
    columns: int = COLUMNS

    @classmethod
    def resolve(cls) -> "Budget":
        """$ZCPH_UPLOAD_CELL_BUDGET / _ROW_BUDGET / _MAX_COLUMNS, else the defaults (a setting
        that is not a positive whole number is ignored)."""
        return cls(settings.whole("ZCPH_UPLOAD_CELL_BUDGET", CELLS), settings.whole("ZCPH_UPLOAD_ROW_BUDGET", ROWS),
                   settings.whole("ZCPH_UPLOAD_MAX_COLUMNS", COLUMNS))

    def check(self, name: str, sheet: str | None, rows: int, cols: int, at_least: bool = False) -> None:
        """Refuse one sheet (sheet None: a CSV) of rows × cols that alone exceeds the budget."""
        if rows <= self.rows and cols <= self.columns and rows * cols <= self.cells:
            return
        where = f"文件“{name}”" + (f"工作表“{sheet}”" if sheet else "")
        about = "至少有" if at_least else "约有"
        if cols > self.columns:
            over = f"超过单次上传每张表的列数上限（{self.columns:,}列）"
        elif rows > self.rows:
            over = f"超过单次上传的行数上限（{_count(self.rows)}行）"
        else:
            over = f"超过单次上传的单元格上限（{_count(self.cells)}个）"
        raise UnusableInput(f"{where}{about}{rows:,}行×{cols:,}列，{over}。请拆分后分次上传，或请管理员调整上限。")

    def total(self, name: str, sizes: list[tuple[str, int, int]]) -> None:
        """Refuse a file whose sheets (sheet, rows, columns) together exceed the budget."""
        for sheet, rows, cols in sizes:
            self.check(name, sheet, rows, cols)
        rows = sum(r for _, r, _ in sizes)
        cells = sum(r * c for _, r, c in sizes)
        if rows <= self.rows and cells <= self.cells:
            return
        parts = "、".join(f"“{s}”{r:,}行×{c:,}列" for s, r, c in sizes if r * c)
        over = (f"超过单次上传的单元格上限（{_count(self.cells)}个）" if cells > self.cells
                else f"超过单次上传的行数上限（{_count(self.rows)}行）")
        raise UnusableInput(f"文件“{name}”各工作表合计约有{rows:,}行、{cells:,}个单元格（{parts}），{over}。"
                            "请拆分后分次上传，或请管理员调整上限。")


def _count(n: int) -> str:
    """30,000,000 → 3,000万; 500,000 → 50万: a limit as people say it."""
    if n >= 10_000 and n % 10_000 == 0:
        return f"{n // 10_000:,}万"
    return f"{n:,}"


@dataclass
class Sheet:
    name: str
    part: str                    # zip member, e.g. xl/worksheets/sheet1.xml; "" if missing
    size: int                    # declared inflated size (scheduling only)


@dataclass
class Verdict:
    """What the scan found: strays to drop (row, col, ref) and the range left."""
    strays: list[tuple[int, int, str]] = field(default_factory=list)
    end: tuple[int, int] = (0, 0)


def col_letters(col: int) -> str:
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _damaged(name: str) -> UnusableInput:
    return UnusableInput(f"文件“{name}”已损坏或不完整，无法作为电子表格读取")


def _dtd(name: str) -> UnusableInput:
    return UnusableInput(f"文件“{name}”含有XML实体声明（DTD），正常的Excel文件不含此类内容，疑为恶意文件，已拒绝读取")


def chunks(name: str, z: zipfile.ZipFile, part: str, cut: bytes = b">"):
    """The part inflated in pieces that end just after `cut` (no tag is split)."""
    carry = b""
    try:
        with z.open(part) as fh:
            while block := fh.read(CHUNK):
                buf = carry + block
                end = buf.rfind(cut) + len(cut)
                if end < len(cut):
                    if len(buf) > 8 * CHUNK:      # no tag end in 64 MB: not a sheet
                        raise _damaged(name)
                    carry = buf
                    continue
                carry = buf[end:]
                yield buf[:end]
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        raise _damaged(name) from None    # lying sizes, bad CRC, truncation, encryption
    if carry:
        yield carry


class _Root(Exception):
    pass


def _expat(name: str, start) -> xml.parsers.expat.XMLParserType:
    p = xml.parsers.expat.ParserCreate()
    def refuse(*_):
        raise _dtd(name)
    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    p.StartElementHandler = start
    return p


def root(name: str, head: bytes) -> tuple[bytes, dict]:
    """(namespace prefix, attributes) of the root element, read by expat from the first
    chunk; parsing stops there, so the body is never expanded."""
    found = {}
    def start(tag, attrs):
        found.update(tag=tag, attrs=attrs)
        raise _Root
    try:
        _expat(name, start).Parse(head, False)
    except _Root:
        prefix = found["tag"].rpartition(":")[0]
        return (prefix + ":").encode() if prefix else b"", found["attrs"]
    except xml.parsers.expat.ExpatError:
        raise _damaged(name) from None
    raise _damaged(name)


def small_xml(name: str, z: zipfile.ZipFile, part: str, start) -> None:
    """Parse a small part completely with expat (DTDs refused); start(local tag, attrs)."""
    try:
        if z.getinfo(part).file_size > SMALL_PART:
            raise _damaged(name)
        data = z.read(part)
    except KeyError:
        raise _damaged(name) from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        raise _damaged(name) from None
    try:
        _expat(name, lambda tag, attrs: start(tag.rpartition(":")[2], attrs)).Parse(data, True)
    except xml.parsers.expat.ExpatError:
        raise _damaged(name) from None


def members(z: zipfile.ZipFile) -> dict[str, str]:
    """Member names as calamine finds them: case-insensitive, backslashes as slashes."""
    return {n.replace("\\", "/").lower(): n for n in z.namelist()}


def _rels(name: str, z: zipfile.ZipFile, names: dict, part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, Target) of a .rels part."""
    out = []
    def start(tag, a):
        if tag == "Relationship":
            out.append((a.get("Id", ""), a.get("Type", ""), a.get("Target", "")))
    if part.lower() in names:
        small_xml(name, z, names[part.lower()], start)
    return out


def workbook(name: str, z: zipfile.ZipFile) -> tuple[list[Sheet], str | None]:
    """The worksheets in workbook order and the shared-strings member, found the way
    calamine finds them (its xl_path rules, its case-insensitive member lookup)."""
    names = members(z)
    target = next((t for _, ty, t in _rels(name, z, names, "_rels/.rels") if ty.endswith("/officeDocument")),
                  "xl/workbook.xml")
    folder = target.lstrip("/").rpartition("/")[0]
    folder = folder + "/" if folder else ""
    if f"{folder}workbook.xml".lower() not in names:
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（是压缩包，但不含Excel工作表）")
    rels = {i: (ty, t) for i, ty, t in _rels(name, z, names, f"{folder}_rels/workbook.xml.rels")}
    sheets = []
    def start(tag, a):
        rid = next((v for k, v in a.items() if k.rpartition(":")[2] == "id"), None)
        if tag == "sheet" and rid in rels and rels[rid][0].endswith("/worksheet"):
            t = rels[rid][1]
            part = names.get((t[1:] if t.startswith("/") else folder + t).lower(), "")
            # a missing part ("") makes calamine fail that sheet by itself
            sheets.append(Sheet(a.get("name", ""), part, z.getinfo(part).file_size if part else 0))
    small_xml(name, z, names[f"{folder}workbook.xml".lower()], start)
    return sheets, names.get(f"{folder}sharedStrings.xml".lower())


def check_strings(name: str, z: zipfile.ZipFile, part: str) -> None:
    """Refuse a sharedStrings part whose uniqueCount (what calamine reserves) is far beyond
    the strings it really holds."""
    declared, present, prefix = None, 0, b""
    for i, chunk in enumerate(chunks(name, z, part)):
        if i == 0:               # a DTD can only stand before the root: expat refuses it there
            prefix, attrs = root(name, chunk)
            declared = attrs.get("uniqueCount")
        present += chunk.count(b"<" + prefix + b"si>") + chunk.count(b"<" + prefix + b"si ")
    if declared is None:
        return
    try:
        n = int(declared)
    except ValueError:
        raise _damaged(name) from None
    if n > 2 * present + STRING_SLACK:
        raise UnusableInput(f"文件“{name}”的共享字符串表声明有{n:,}个字符串，实际只有{present:,}个，"
                            "声明的数量远超文件所能容纳的，疑为异常文件，已拒绝读取")


def scan_sheet(name: str, sheet: str, z: zipfile.ZipFile, part: str, budget: Budget | None = None) -> Verdict:
    """Find the valued cells' range; name the strays to drop, or refuse the sheet.  With a
    budget, stop at the first chunk after which the sheet surely exceeds it (see _Size)."""
    rows, cols = [], []
    cells = with_ref = 0
    prefix = b""
    size = _Size()
    for i, chunk in enumerate(chunks(name, z, part)):
        if budget and size.over(budget):    # over it before this chunk (past the last one: exact numbers)
            budget.check(name, sheet, *size.least(), at_least=True)
        if i == 0:               # a DTD can only stand before the root: expat refuses it there
            prefix, _ = root(name, chunk)
        r, c, n, k = _cell_refs(chunk, prefix)
        rows.append(r)
        cols.append(c)
        cells += n
        with_ref += k
        if budget:
            size.add(chunk, prefix, r, c, cells != with_ref)
    if cells != with_ref:          # cells without r, or r not first: calamine counts positions
        verdict = _irregular(name, sheet, z, part)
    else:
        verdict = decide(name, sheet, np.concatenate(rows or [np.zeros(0, np.int64)]),
                         np.concatenate(cols or [np.zeros(0, np.int64)]),
                         lambda keep: _cells_where(name, z, part, prefix, keep))
    if budget:
        budget.check(name, sheet, *verdict.end)
    return verdict


def small(rows: int, cols: int) -> bool:
    """A range (from calamine: A1 to the farthest valued cell) that scan_sheet would pass
    whatever its cells: decide() accepts any range of at most AREA_FLOOR cells within Excel's
    limits, so it has no strays to find and is never refused as sparse."""
    return _fits((rows, cols), AREA_FLOOR)


def check_head(name: str, z: zipfile.ZipFile, part: str) -> None:
    """What scan_sheet checks in a part's first chunk: a root element, no DTD before it."""
    first = chunks(name, z, part)
    try:
        head = next(first, b"")
    finally:
        first.close()
    if head:
        root(name, head)


class _Size:
    """What a sheet holds at least, from the chunks seen so far: cheap enough to check after
    every chunk.  From references: the fourth-farthest row and column of the valued cells (up to
    MAX_STRAYS cells may yet be dropped as strays, so not the farthest).  When some cells carry no
    reference (calamine counts their positions): the rows that hold cells times the most cell
    elements in one row."""

    def __init__(self):
        self.far_rows = self.far_cols = np.zeros(0, np.int64)
        self.positional = False
        self.rows = self.widest = self.open = 0          # finished rows with cells; cells in the open row
        self.valued = 0                                  # valued cells with a reference

    def add(self, chunk: bytes, prefix: bytes, rows: np.ndarray, cols: np.ndarray, positional: bool) -> None:
        keep = MAX_STRAYS + 1
        self.valued += len(rows)
        self.far_rows = _farthest(np.concatenate([self.far_rows, rows]), keep)
        self.far_cols = _farthest(np.concatenate([self.far_cols, cols]), keep)
        self.positional |= positional
        if not self.positional:          # rows counted only from here on: still a lower bound
            return
        starts, cells = _starts(chunk, b"<" + prefix + b"row"), _starts(chunk, b"<" + prefix + b"c")
        per_row = np.bincount(np.searchsorted(starts, cells, side="right"), minlength=len(starts) + 1)
        self.open += int(per_row[0])
        if len(starts):                  # the open row ended; those between are whole; the last is open
            whole = np.concatenate([[self.open], per_row[1:-1]])
            self.rows += int(np.count_nonzero(whole))
            self.widest = max(self.widest, int(whole.max()))
            self.open = int(per_row[-1])

    def over(self, budget: Budget) -> bool:
        """Surely over the budget, and said best by it: a range merely far larger than its cells
        is left to decide(), whose message says so (it can stop no later than at the budget's cells)."""
        rows, cols = self.least()
        if rows > budget.rows or cols > budget.columns or self.valued > budget.cells:
            return True
        return rows * cols > budget.cells and (self.positional or self.valued * SPARSE >= rows * cols)

    def least(self) -> tuple[int, int]:
        keep = MAX_STRAYS + 1
        rows = int(self.far_rows[0]) if len(self.far_rows) == keep else 0
        cols = int(self.far_cols[0]) if len(self.far_cols) == keep else 0
        if self.positional:
            rows = max(rows, self.rows + (self.open > 0))
            cols = max(cols, self.widest, self.open)
        return rows, cols


def _farthest(values: np.ndarray, k: int) -> np.ndarray:
    """The k largest values, ascending (all of them when fewer)."""
    if len(values) > k:
        values = np.partition(values, -k)[-k:]
    return np.sort(values)


def _starts(chunk: bytes, tag: bytes) -> np.ndarray:
    """Where the elements `tag` (e.g. b"<c", b"<x:row") start, ascending."""
    a = np.frombuffer(chunk + b"\0" * (len(tag) + 1), np.uint8)
    pair = tag[0] | tag[1] << 8
    p = np.sort(np.concatenate([np.flatnonzero(np.frombuffer(chunk, "<u2", (len(chunk) - o) // 2, o) == pair) * 2 + o
                                for o in (0, 1)]))
    for i in range(2, len(tag)):
        p = p[a[p + i] == tag[i]]
    after = a[p + len(tag)]
    return p[(after == _SPACE) | (after == _GT) | (after == _SLASH)]


_LT, _GT, _SLASH, _QUOTE, _SPACE = b"<>/\" "
_PAD = 96                         # zero bytes after a chunk: every read below stays inside
_TAIL = 64                        # bytes after a reference searched for the end of its tag
_FAR = 10 ** 12                   # what an unreadably long column or row number counts as
# Eight bytes at a time (SWAR): each uint64 holds the 8 bytes from a position on, the first in
# its lowest byte ("lane"); a test sets a lane's top bit where its byte passes.
_H, _ONES = np.uint64(0x8080808080808080), np.uint64(0x0101010101010101)
_LOW7, _UPPER = np.uint64(0x7F7F7F7F7F7F7F7F), np.uint64(0xDFDFDFDFDFDFDFDF)
_M8, _MUL1, _MUL2 = np.uint64(0x000000FF000000FF), np.uint64(100 + (1000000 << 32)), np.uint64(1 + (10000 << 32))
_N8, _N16, _N32 = np.uint64(8), np.uint64(16), np.uint64(32)


def _words(a: np.ndarray) -> np.ndarray:
    """The uint64 at every byte offset of a (a view: words[i] = a[i:i + 8])."""
    return np.ndarray((len(a) - 7,), "<u8", a, 0, (1,))


def _lanes(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Top bit of each lane whose byte is within lo..hi (both below 0x80)."""
    low7 = x & _LOW7
    ge = ((low7 | _H) - np.uint64(lo * 0x0101010101010101)) & _H
    le = ((np.uint64((hi + 1) * 0x0101010101010101) | _H) - low7) & _H
    return ge & le & ~x & _H


def _first(lanes: np.ndarray) -> np.ndarray:
    """Index (0-7) of the first lane set, 8 where none is."""
    return np.bitwise_count((lanes & (~lanes + np.uint64(1))) - np.uint64(1)) >> 3


def _number(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The n (0-8) decimal digits in the first lanes of x as a number (Lemire's eight-digit
    parse: the digits moved to the top lanes behind zeros)."""
    n = n.astype(np.uint64)
    keep = np.where(n >= 8, np.uint64(0xFFFFFFFFFFFFFFFF), (np.uint64(1) << (n * _N8 % np.uint64(64))) - np.uint64(1))
    v = ((x - np.uint64(0x3030303030303030)) & keep) << ((np.uint64(8) - np.minimum(n, _N8)) * _N8 % np.uint64(64))
    v = np.where(n == 0, np.uint64(0), v)
    v = v * np.uint64(10) + (v >> _N8)
    return ((((v & _M8) * _MUL1) + (((v >> _N16) & _M8) * _MUL2)) >> _N32).astype(np.int64)


def _cell_refs(chunk: bytes, prefix: bytes) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(rows, columns) of the valued cells in a chunk, the number of cell elements and how
    many of them start with r="...".  Done with numpy, eight bytes at a time: two million cells
    as Python objects took seconds.  A cell is valued unless its tag closes itself
    (<c r="B2" s="1"/>), as calamine skips those."""
    a = np.frombuffer(chunk + b"\0" * _PAD, np.uint8)
    words = _words(a)
    tag = b"<" + prefix + b"c"
    pair = tag[0] | tag[1] << 8          # "<c" (or "<x") found two bytes at a time: few hits
    p = np.sort(np.concatenate([np.flatnonzero(np.frombuffer(chunk, "<u2", (len(chunk) - o) // 2, o) == pair) * 2 + o
                                for o in (0, 1)]))
    for i in range(2, len(tag)):
        p = p[a[p + i] == tag[i]]
    s = p + len(tag)
    after = a[s]
    s = s[(after == _SPACE) | (after == _GT) | (after == _SLASH)]          # every cell element
    cells = len(s)
    s = s[(a[s] == _SPACE) & (a[s + 1] == ord("r")) & (a[s + 2] == ord("=")) & (a[s + 3] == _QUOTE)] + 4
    x = words[s] & _UPPER                                                   # a-z as A-Z, as calamine
    k = _first(~_lanes(x, 65, 90) & _H)                                    # letters: 1-7 of them
    letters = x.view(np.uint8).reshape(-1, 8)
    col = np.zeros(len(s), np.int64)
    for j in range(int(k[k < 8].max(initial=0))):
        col = np.where(j < k, col * 26 + letters[:, j] - 64, col)
    t = s + k.astype(np.int64)                                              # the digits: 1-10
    y = words[t]
    n = _first(~_lanes(y, 48, 57) & _H)
    row = _number(y, n)
    long = np.flatnonzero(n == 8)                                           # 8 digits or more
    if long.size:
        y2 = words[t[long] + 8]
        n2 = _first(~_lanes(y2, 48, 57) & _H)
        row[long] = row[long] * 10 ** np.minimum(n2, 3).astype(np.int64) + _number(y2, np.minimum(n2, 3))
        n = n.astype(np.int64)
        n[long] += n2.astype(np.int64)
    n = n.astype(np.int64)
    end = t + n                                                             # the closing quote
    good = (k >= 1) & (k <= 7) & (n >= 1) & (n <= 10) & (a[np.minimum(end, len(a) - 1)] == _QUOTE)
    row, col = np.where(good, row, _FAR), np.where(good, col, _FAR)
    # the tag ends at its first '>' after the reference: mostly within 16 bytes (' t="inlineStr">'),
    # else within _TAIL, else looked up among every '>' of the chunk
    g = np.flatnonzero(good)
    start = end[g] + 1
    close = start + _first(_lanes(words[start], 62, 62)).astype(np.int64)
    todo = np.flatnonzero(close - start == 8)
    if todo.size:
        more = start[todo] + 8 + _first(_lanes(words[start[todo] + 8], 62, 62)).astype(np.int64)
        close[todo] = more
        todo = todo[more - start[todo] == 16]
    if todo.size:
        near = sliding_window_view(a, _TAIL)[start[todo]] == _GT
        hit = near.any(axis=1)
        close[todo[hit]] = start[todo[hit]] + np.argmax(near[hit], axis=1)
        todo = todo[~hit]
    if todo.size:
        gts = np.flatnonzero(a == _GT)
        close[todo] = gts[np.minimum(np.searchsorted(gts, start[todo]), len(gts) - 1)] if len(gts) else s[g[todo]]
    valued = np.zeros(len(s), bool)
    valued[g] = a[close - 1] != _SLASH
    return row[valued], col[valued], cells, int(good.sum())


def decide(name: str, sheet: str, rows: np.ndarray, cols: np.ndarray, where) -> Verdict:
    """rows/cols: row and column number of every valued cell.  where(keep) lists the valued
    cells (row, col, ref) for which keep(row, col) is true — a second pass, only for a sparse sheet."""
    n = len(rows)
    if not n:
        return Verdict()
    limit = max(AREA_FLOOR, SPARSE * n)
    end = (int(rows.max()), int(cols.max()))
    if _fits(end, limit):
        return Verdict(end=end)
    # the cells in the MAX_STRAYS farthest rows and columns; every other cell lies inside `base`
    urows, ucols = np.unique(rows), np.unique(cols)
    far_row, far_col = int(urows[-MAX_STRAYS:][0]), int(ucols[-MAX_STRAYS:][0])
    base = (int(urows[urows < far_row].max(initial=0)), int(ucols[ucols < far_col].max(initial=0)))
    far = where(lambda r, c: r >= far_row or c >= far_col)
    best = _drop(far, base, limit, MAX_STRAYS)
    if best is None:
        size = end[0] * end[1]
        raise UnusableInput(f"文件“{name}”的工作表“{sheet}”数据区域为A1:{col_letters(end[1])}{end[0]}"
                            f"（约{size:,}个单元格），而实际有内容的只有{n:,}个，且不是少数几个误录入的单元格，"
                            "疑为异常文件，已拒绝读取")
    dropped, kept = best
    return Verdict(sorted(dropped), _extent(kept, base))


def _fits(end: tuple[int, int], limit: int) -> bool:
    return end[0] <= MAX_ROWS and end[1] <= MAX_COLS and end[0] * end[1] <= limit


def _extent(cells, base) -> tuple[int, int]:
    return (max([base[0]] + [r for r, _, _ in cells]), max([base[1]] + [c for _, c, _ in cells]))


def _drop(far: list, base, limit: int, budget: int):
    """Fewest far cells whose removal makes the range fit: (dropped, kept) or None.
    Each step removes every cell of the farthest row or of the farthest column."""
    if _fits(_extent(far, base), limit):
        return [], far
    if budget == 0 or not far:
        return None
    end = _extent(far, base)
    best = None
    for axis in (0, 1):
        gone = [x for x in far if x[axis] == end[axis]]
        if not gone or len(gone) > budget:
            continue
        sub = _drop([x for x in far if x[axis] != end[axis]], base, limit, budget - len(gone))
        if sub is not None and (best is None or len(sub[0]) + len(gone) < len(best[0])):
            best = (gone + sub[0], sub[1])
    return best


def _cells_where(name, z, part, prefix, keep) -> list[tuple[int, int, str]]:
    pat = re.compile(b"<" + prefix + rb'c r="(([A-Za-z]+)(\d+))"[^>/]*>')
    out = []
    for chunk in chunks(name, z, part):
        for ref, letters, digits in pat.findall(chunk):
            r, c = int(digits), _col_number(letters)
            if keep(r, c):
                out.append((r, c, ref.decode()))
    return out


_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
_ATTR_R = re.compile(rb'\sr="([A-Za-z]*)(\d+)"')


def _positions(name, z, part):
    """(row, col) of every valued cell, counted the way calamine counts cells without r."""
    row = col = 0
    for chunk in chunks(name, z, part):
        it = _TAG.finditer(chunk)
        for m in it:
            close, tag, attrs = m.groups()
            if tag == b"row":
                if close:
                    row, col = row + 1, 0
                    continue
                r = _ATTR_R.search(b" " + attrs)
                if r:
                    row = int(r.group(2)) - 1
                if attrs.endswith(b"/"):
                    row, col = row + 1, 0
            elif not close:
                r = _ATTR_R.search(b" " + attrs)
                if r and r.group(1):
                    row_c, col = int(r.group(2)) - 1, _col_number(r.group(1)) - 1
                else:
                    row_c = row
                if not attrs.endswith(b"/") and not chunk.startswith(b"</", m.end()):
                    yield row_c + 1, col + 1
                col += 1


def _irregular(name, sheet, z, part) -> Verdict:
    """A sheet with cells that carry no reference: positions are counted, no stray can be
    cut out by reference, so a sparse one is refused."""
    found = np.array(list(_positions(name, z, part)), np.int64).reshape(-1, 2)
    verdict = decide(name, sheet, found[:, 0], found[:, 1],
                     lambda keep: [(r, c, "") for r, c in _positions(name, z, part) if keep(r, c)])
    if verdict.strays:
        raise UnusableInput(f"文件“{name}”的工作表“{sheet}”数据区域远大于实际内容，疑为异常文件，已拒绝读取")
    return verdict
