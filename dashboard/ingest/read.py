"""Turn one upload into raw grids (list of rows of cell values), defensively.

The extension is not trusted: ledgers arrive renamed, as PDFs, as HTML saved
with .xls, encrypted, or as CSV in GB18030.  The real type comes from the
first bytes; anything unreadable becomes an UnusableInput with a Chinese
message for the user, never a traceback.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum

from .report import UnusableInput

# An xlsx is a zip; refuse archives that inflate absurdly (zip bombs).
MAX_INFLATE_RATIO = 100
MAX_INFLATED = 8 * 1024 ** 3
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


def _check_zip(name: str, data: bytes | Path) -> None:
    """Refuse zip bombs and zips that are not workbooks (docx, plain archives)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnusableInput(f"文件“{name}”已损坏或不完整，无法作为电子表格读取") from None
    names = {i.filename for i in infos}
    packed = sum(i.compress_size for i in infos) or 1
    inflated = sum(i.file_size for i in infos)
    if inflated > MAX_INFLATED or (inflated > 256 * 1024 ** 2 and inflated / packed > MAX_INFLATE_RATIO):
        raise UnusableInput(f"文件“{name}”解压后过大，疑为异常文件，已拒绝读取")
    if "word/document.xml" in names:
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（看起来是Word文档）")
    if not any(n.startswith(("xl/", "content.xml")) for n in names):
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（是压缩包，但不含Excel工作表）")


def open_book(name: str, data: bytes | Path, head: bytes) -> CalamineWorkbook:
    """A calamine workbook (xlsx/xlsm/xlsb/xls/ods: calamine tells them apart itself)."""
    if head.startswith(b"PK"):
        _check_zip(name, data)
    try:
        if isinstance(data, bytes):
            return CalamineWorkbook.from_filelike(io.BytesIO(data))
        return CalamineWorkbook.from_path(str(data))
    except Exception as e:  # calamine raises several unrelated types
        if "password" in type(e).__name__.lower() or "encrypt" in str(e).lower():
            raise UnusableInput(f"文件“{name}”已加密（设有打开密码），请在Excel中取消密码后再上传") from None
        raise UnusableInput(f"文件“{name}”不是有效的电子表格（无法解析：{type(e).__name__}）") from None


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(8192)


def book_sheets(name: str, book: CalamineWorkbook) -> Iterator[tuple[str, list[list]]]:
    """(sheet name, rows) per worksheet, one at a time to bound memory.

    skip_empty_area=False keeps row 1 of the grid = spreadsheet row 1, so
    row numbers in the report match what the user sees in Excel.
    """
    for meta in book.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        try:
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        except Exception as e:
            raise UnusableInput(f"文件“{name}”的工作表“{meta.name}”无法读取（{type(e).__name__}）") from None
        yield meta.name, rows


def decode_text(name: str, data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    raise UnusableInput(f"文件“{name}”不是有效的电子表格，也不是可识别编码（UTF-8/GB18030）的CSV文本")


def csv_rows(name: str, data: bytes | Path) -> list[list]:
    """Rows of a CSV/TXT (comma, tab or semicolon), padded to one width."""
    raw = data if isinstance(data, bytes) else data.read_bytes()
    text = decode_text(name, raw)
    sample = "\n".join(text.splitlines()[:30])
    delim = max(",\t;", key=sample.count) if any(d in sample for d in ",\t;") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    if not rows:
        raise UnusableInput(f"文件“{name}”没有内容")
    width = max(map(len, rows))
    for r in rows:
        if len(r) < width:
            r.extend([""] * (width - len(r)))
    return rows


def sheets_of(f, max_bytes: int) -> tuple[str, Iterator[tuple[str, list[list]]]]:
    """The display name and an iterator of (sheet, rows) for one upload."""
    name, data = source(f, max_bytes)
    head = data[:8192] if isinstance(data, bytes) else _head(data)
    if sniff(name, head) == "text":
        return name, iter([("CSV", csv_rows(name, data))])
    return name, book_sheets(name, open_book(name, data, head))
