"""Turn one upload into raw grids (list of rows of cell values), defensively.

The extension is not trusted: ledgers arrive renamed, as PDFs, as HTML saved
with .xls, encrypted, or as CSV in GB18030.  The real type comes from the
first bytes; anything unreadable becomes an UnusableInput with a Chinese
message for the user, never a traceback.

Only source() and sniff() run in the app's own process; everything that parses
a file runs in a worker process (jobs.py), since python-calamine can abort the
process it runs in.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from python_calamine import CalamineWorkbook, SheetTypeEnum

from .report import UnusableInput

# An xlsx is a zip; refuse archives that inflate absurdly (zip bombs).
MAX_INFLATE_RATIO = 100                    # the 100,000-asset sample: 10.7; a zip bomb: hundreds
MAX_INFLATED = 8 * 1024 ** 3
RATIO_FLOOR = 32 * 1024 ** 2               # below this much XML, any ratio is cheap to read
# A ledger row is a few KB; a longer CSV line or a wider table is an attack or an accident.
MAX_LINE = 4 * 1024 ** 2
MAX_COLUMNS = 16_384                       # Excel's own limit (XFD)
# Files people mistake for spreadsheets, named so the message says what it is.
_MAGIC = (
    (b"%PDF", "PDF文件"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPEG图片"),
    (b"Rar!", "RAR压缩包"),
    (b"7z\xbc\xaf", "7z压缩包"),
    (b"\x1f\x8b", "gzip压缩包"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OLE = "EncryptionInfo".encode("utf-16-le")


def source(f, max_bytes: int) -> tuple[str, bytes | Path]:
    """(display name, bytes or path) of an upload, enforcing the size limit."""
    limit = f"文件“{{}}”超过大小上限{_size(max_bytes)}"
    if hasattr(f, "getvalue") and hasattr(f, "name"):      # a Streamlit UploadedFile
        f = (f.name, f.getvalue())
    if isinstance(f, tuple):
        name, data = f
        name = Path(str(name)).name
        if len(data) > max_bytes:
            raise UnusableInput(limit.format(name))
        return name, bytes(data)
    path = Path(f)
    try:
        size = path.stat().st_size
    except OSError:
        raise UnusableInput(f"文件“{path.name}”无法打开") from None
    if size > max_bytes:
        raise UnusableInput(limit.format(path.name))
    return path.name, path


def _size(n: int) -> str:
    """200MB, 1.5MB, 100KB, 10字节: the limit as users read it."""
    for unit, scale in (("MB", 1024 ** 2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n}字节"


def sniff(name: str, head: bytes) -> str:
    """'book' (xlsx/xls/ods, read by calamine) or 'text' (CSV); else UnusableInput."""
    if not head:
        raise UnusableInput(f"文件“{name}”是空文件（0字节）")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise UnusableInput(f"文件“{name}”不是有效的电子表格（看起来是{what}）")
    if head.startswith(_OLE):
        if _ENCRYPTED_OLE in head:
            raise UnusableInput(f"文件“{name}”已加密（设有打开密码），请在Excel中取消密码后再上传")
        return "book"
    if head.startswith(b"PK\x03\x04"):
        return "book"
    low = head[:512].lstrip().lower()
    if low.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（看起来是网页或XML导出），"
                            "请用Excel打开后另存为.xlsx再上传")
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（无法识别的二进制内容）")
    return "text"


def check_zip(name: str, data: bytes | Path | str) -> None:
    """Refuse zip bombs and zips that are not workbooks (docx, plain archives)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnusableInput(f"文件“{name}”已损坏或不完整，无法作为电子表格读取") from None
    names = {i.filename for i in infos}
    packed = sum(i.compress_size for i in infos) or 1
    inflated = sum(i.file_size for i in infos)
    if inflated > MAX_INFLATED or (inflated > RATIO_FLOOR and inflated / packed > MAX_INFLATE_RATIO):
        raise UnusableInput(f"文件“{name}”解压后过大（{_size(packed)}的文件声明解压后有{_size(inflated)}，"
                            f"是压缩后的{inflated / packed:,.0f}倍），疑为异常文件（压缩炸弹），已拒绝读取")
    if "word/document.xml" in names:
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（看起来是Word文档）")
    if not any(n.startswith(("xl/", "content.xml")) for n in names):
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（是压缩包，但不含Excel工作表）")


def open_book(name: str, path: str) -> CalamineWorkbook:
    """A calamine workbook (xlsx/xlsm/xlsb/xls/ods: calamine tells them apart by content,
    as from_filelike does; from_path would trust the extension)."""
    try:
        with open(path, "rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    except Exception as e:  # calamine raises several unrelated types
        if "password" in type(e).__name__.lower() or "encrypt" in str(e).lower():
            raise UnusableInput(f"文件“{name}”已加密（设有打开密码），请在Excel中取消密码后再上传") from None
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（无法解析：{type(e).__name__}）") from None


def sheet_rows(name: str, book: CalamineWorkbook, sheet: str, budget=None, sizes: list | None = None) -> list[list]:
    """One worksheet's rows.  skip_empty_area=False keeps row 1 of the grid = spreadsheet
    row 1, so row numbers in the report match what the user sees in Excel.  A budget (an
    upload's, guard.Budget) is checked on the sheet's range before its cells become Python
    objects: alone, and with the `sizes` of the sheets before it (xls, ods, xlsb: their ranges
    are known only once calamine has them; an xls sheet is at most 65,536 × 256 cells)."""
    found = sheet_range(name, book, sheet)
    if budget:
        rows, cols = extent(found)
        budget.check(name, sheet, rows, cols)
        if sizes is not None:
            budget.total(name, sizes + [(sheet, rows, cols)])
            sizes.append((sheet, rows, cols))
    return values(name, sheet, found)


def sheet_range(name: str, book: CalamineWorkbook, sheet: str):
    """calamine's sheet: its cells parsed and its range (A1 to the farthest valued cell) allocated."""
    try:
        return book.get_sheet_by_name(sheet)
    except Exception as e:
        raise UnusableInput(f"文件“{name}”的工作表“{sheet}”无法读取（{type(e).__name__}）") from None


def extent(found) -> tuple[int, int]:
    """(rows, columns) of a sheet_range from A1: the farthest valued cell's row and column."""
    if found.height == 0 or found.width == 0:
        return 0, 0
    return found.total_height + 1, found.total_width + 1


def values(name: str, sheet: str, found) -> list[list]:
    """A sheet_range's rows as Python values, row 1 of the grid = spreadsheet row 1."""
    try:
        return found.to_python(skip_empty_area=False)
    except Exception as e:
        raise UnusableInput(f"文件“{name}”的工作表“{sheet}”无法读取（{type(e).__name__}）") from None


def book_sheets(name: str, book: CalamineWorkbook) -> Iterator[tuple[str, list[list]]]:
    """(sheet name, rows) per worksheet, one at a time to bound memory."""
    for meta in book.sheets_metadata:
        if meta.typ == SheetTypeEnum.WorkSheet:
            yield meta.name, sheet_rows(name, book, meta.name)


def decode_text(name: str, data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    raise UnusableInput(f"文件“{name}”不是有效的电子表格，也不是可识别编码（UTF-8/GB18030）的CSV文本")


def check_lines(name: str, raw: bytes) -> None:
    """Refuse a line longer than MAX_LINE before the csv module sees it (a 100 MB line of
    commas would become 100 million fields)."""
    ends = np.flatnonzero(np.frombuffer(raw, np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(raw)]))
    lengths = np.diff(bounds) - 1
    i = int(lengths.argmax())
    if lengths[i] > MAX_LINE:
        raise UnusableInput(f"文件“{name}”第{i + 1}行长达{_size(int(lengths[i]))}，超过每行上限{_size(MAX_LINE)}，"
                            "不像台账，疑为异常文件，已拒绝读取")


def csv_rows(name: str, data: bytes | Path | str, budget=None) -> list[list]:
    """Rows of a CSV/TXT (comma, tab or semicolon), padded to one width.  A budget (an
    upload's, guard.Budget) is checked on the lines times the most delimiters in a line
    before the csv module sees them."""
    raw = data if isinstance(data, bytes) else Path(data).read_bytes()
    check_lines(name, raw)
    text = decode_text(name, raw)
    sample = "\n".join(text[:1 << 20].splitlines()[:30])
    delim = max(",\t;", key=sample.count) if any(d in sample for d in ",\t;") else ","
    if budget:
        lines, width = csv_size(raw, delim)
        if width > MAX_COLUMNS:
            raise _too_wide(name, width)
        budget.check(name, None, lines, width)
    del raw
    csv.field_size_limit(MAX_LINE)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error:
        raise UnusableInput(f"文件“{name}”不是有效的CSV文本（引号不成对或某一格过长）") from None
    if not rows:
        raise UnusableInput(f"文件“{name}”没有内容")
    width = max(map(len, rows))
    if width > MAX_COLUMNS:
        raise _too_wide(name, width)
    for r in rows:
        if len(r) < width:
            r.extend([""] * (width - len(r)))
    return rows


def _too_wide(name: str, width: int) -> UnusableInput:
    return UnusableInput(f"文件“{name}”有{width:,}列，超过上限{MAX_COLUMNS:,}列，不像台账，疑为异常文件，已拒绝读取")


def csv_size(raw: bytes, delim: str) -> tuple[int, int]:
    """(lines, most fields in a line) of a CSV, counted on its bytes: quoted delimiters and
    line breaks count too, so never fewer than the csv module will find."""
    a = np.frombuffer(raw, np.uint8)
    ends = np.flatnonzero(a == 10)
    lines = len(ends) + (1 if len(raw) and raw[-1:] != b"\n" else 0)
    marks = np.flatnonzero(a == ord(delim))
    per_line = np.bincount(np.searchsorted(ends, marks), minlength=1) if len(marks) else np.zeros(1, np.int64)
    return lines, int(per_line.max()) + 1 if lines else 0

