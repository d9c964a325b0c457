"""Builders of hostile uploads, made at test time from a small valid ledger (never committed).

Each takes or returns workbook bytes; `rezip` rewrites members of an xlsx, so every hostile
file differs from a loadable one only in what its name says.
"""
from __future__ import annotations

import io
import os
import re
import struct
import zipfile

from fixtures_messy import simple_assets

ROWS = [["K001", "光伏电站", "经营性", "城川镇", "城川嘎查", 2019, 125000],
        ["K002", "扶贫车间", "经营性", "城川镇", "城川嘎查", 2020, 300000],
        ["K003", "道路", "公益性", "昂素镇", "毛盖图嘎查", 2018, 80000]]
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'           # lol9 expands to 10^9 "lol"s
          + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%s;" % (i - 1 if i > 1 else "")) * 10) for i in range(1, 10))
          + "]>")
XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def ledger() -> bytes:
    """A valid one-sheet 资产台账 (xlsxwriter: shared strings, a <dimension>)."""
    return simple_assets(ROWS)


def rezip(data: bytes, **changes) -> bytes:
    """Rewrite members: changes maps a member (with / as __) to a function of its bytes."""
    changes = {k.replace("__", "/"): f for k, f in changes.items()}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            raw = zin.read(info.filename)
            zout.writestr(info.filename, changes.get(info.filename, lambda b: b)(raw))
    return out.getvalue()


def add_cells(xml: bytes, cells: list[tuple[str, str]]) -> bytes:
    """Append rows with one inline-string cell each, e.g. [("XFD100000", "误录")]."""
    rows = b"".join(f'<row r="{re.sub(r"[A-Z]", "", ref)}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'
                    .encode() for ref, text in cells)
    return xml.replace(b"</sheetData>", rows + b"</sheetData>")


def with_stray(data: bytes, ref: str = "XFD100000", text: str = "误录") -> bytes:
    return rezip(data, **{SHEET.replace("/", "__"): lambda b: add_cells(b, [(ref, text)])})


def scattered(data: bytes) -> bytes:
    """Cells at every far corner: no handful of strays explains the range."""
    far = [("XFD1", "a"), ("A1048576", "b"), ("XFD1048576", "c"), ("ZZ500000", "d"), ("AAA700000", "e")]
    return rezip(data, **{SHEET.replace("/", "__"): lambda b: add_cells(b, far)})


def string_bomb(data: bytes) -> bytes:
    """sharedStrings declaring four billion strings (calamine reserves them all)."""
    return rezip(data, **{STRINGS.replace("/", "__"):
                          lambda b: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', b)})


def _prolog(xml: bytes, dtd: str, text: bytes, entity: str) -> bytes:
    """Put a DTD after the XML declaration and use its entity in place of some text."""
    decl, sep, rest = xml.partition(b"?>")
    return decl + sep + dtd.encode() + rest.replace(text, f"&{entity};".encode(), 1)


def laughs_in_sheet(data: bytes) -> bytes:
    xml = lambda b: _prolog(add_cells(b, [("A10", "LAUGH")]), LAUGHS, b"LAUGH", "lol9")
    return rezip(data, **{SHEET.replace("/", "__"): xml})


def laughs_in_strings(data: bytes) -> bytes:
    return rezip(data, **{STRINGS.replace("/", "__"): lambda b: _prolog(b, LAUGHS, b"K001", "lol9")})


def xxe_in_sheet(data: bytes) -> bytes:
    xml = lambda b: _prolog(add_cells(b, [("A10", "SECRET")]), XXE, b"SECRET", "xxe")
    return rezip(data, **{SHEET.replace("/", "__"): xml})


def xxe_in_workbook(data: bytes) -> bytes:
    return rezip(data, **{"xl__workbook.xml": lambda b: _prolog(b, XXE, "资产台账".encode(), "xxe")})


def lying_sizes(data: bytes, size: int) -> bytes:
    """Declare `size` as the sheet's inflated size, in its local and central headers."""
    buf = bytearray(data)
    name = SHEET.encode()
    for sig, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        pos = 0
        while (pos := buf.find(sig, pos)) >= 0:
            n = struct.unpack_from("<H", buf, pos + (26 if sig == b"PK\x03\x04" else 28))[0]
            if bytes(buf[pos + name_at:pos + name_at + n]) == name:
                struct.pack_into("<I", buf, pos + offset, size)
            pos += 4
    return bytes(buf)


def docx() -> bytes:
    import docx as python_docx
    d = python_docx.Document()
    d.add_paragraph("资产台账")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def xls() -> bytes:
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("资产台账")
    for j, h in enumerate(["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值（元）"]):
        ws.write(0, j, h)
    for i, row in enumerate(ROWS, start=1):
        for j, v in enumerate(row):
            ws.write(i, j, v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def big_csv(rows: int = 200_000) -> bytes:
    """A plain asset ledger as CSV, about 12 MB: reading it needs far more than a few MB."""
    head = "资产编号,资产名称,资产类别,所在镇,所在嘎查村,建成年度,资产原值（元）\n"
    body = "".join(f"K{i:06d},光伏电站,经营性,城川镇,城川嘎查,2019,{i}\n" for i in range(rows))
    return (head + body).encode("utf-8")


def allocate(mb: int) -> None:
    bytearray(mb << 20)


def abort() -> None:
    """A job that dies the way calamine dies when an allocation fails."""
    os.abort()


def segfault() -> None:
    import ctypes
    ctypes.string_at(0)


def sleep(seconds: float) -> None:
    import time
    time.sleep(seconds)


def workbook(sheets: dict[str, bytes]) -> bytes:
    """A minimal xlsx written directly: sheet name → the XML inside its <sheetData>."""
    types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   f'spreadsheetml.sheet.main+xml"/>{types}</Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                   f'spreadsheetml/2006/main" xmlns:r="{rel}"><sheets>'
                   + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, 1))
                   + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                             for i in range(1, len(sheets) + 1)) + "</Relationships>")
        for i, xml in enumerate(sheets.values(), 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", b'<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                       b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + xml + b"</sheetData></worksheet>")
    return out.getvalue()


HEADER = ["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值（元）"]


def ledger_rows(rows: int, far: str | None = None) -> bytes:
    """<row>s of an asset ledger: the header and `rows` assets (7 columns), each row with one
    more cell at column `far` (e.g. "XFD") if given."""
    def cell(ref, value):
        if isinstance(value, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'
    out = []
    for r in range(1, rows + 2):
        values = HEADER if r == 1 else [f"K{r:07d}", "光伏电站", "经营性", "城川镇", "城川嘎查", 2019, r]
        cells = "".join(cell(f"{chr(65 + j)}{r}", v) for j, v in enumerate(values))
        if far:
            cells += cell(f"{far}{r}", 1)
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out).encode()


def million_rows(rows: int = 1_048_575) -> bytes:
    """The ledger's header and `rows` rows of one number (about 6.5 MB at 1,048,575 rows)."""
    head = "".join(f'<c r="{chr(65 + j)}1" t="inlineStr"><is><t>{h}</t></is></c>' for j, h in enumerate(HEADER))
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r % 1000}</v></c></row>'
                   for r in range(2, rows + 2))
    return workbook({"资产台账": f'<row r="1">{head}</row>{body}'.encode()})


def columns_16384_refs(rows: int = 20) -> bytes:
    """An asset ledger whose every row also holds a cell at XFD (with references)."""
    return workbook({"资产台账": ledger_rows(rows, "XFD")})


def columns_16384(rows: int = 320) -> bytes:
    """The ledger's header, then rows of 16,384 cells without references (about 158 KB at 320
    rows): it passed the range check (every cell valued) and took minutes to read."""
    head = "".join(f'<c r="{chr(65 + j)}1" t="inlineStr"><is><t>{h}</t></is></c>' for j, h in enumerate(HEADER))
    row = b"<row>" + b"<c><v>1</v></c>" * 16_384 + b"</row>"
    return workbook({"资产台账": f'<row r="1">{head}</row>'.encode() + row * rows})


def dense_bomb(rows: int, width: int) -> bytes:
    """Cells without references (calamine counts their positions), all alike: a sheet of
    rows × width valued cells that deflate about a thousand to one."""
    row = b"<row>" + b"<c><v>1</v></c>" * width + b"</row>"
    return workbook({"Sheet1": row * rows})
