"""A copy of an xlsx without one sheet's stray cells, so calamine reads only the data.

guard.scan_sheet names the strays; here they are cut out of the sheet XML (with
the <dimension> set to the range left) and their values are returned, so the
report can say what was dropped.  The copy holds only the parts calamine needs
to read that one sheet.
"""
from __future__ import annotations

import html
import re
import zipfile

from .guard import chunks, col_letters, root

_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TYPE = re.compile(rb'^[^>]*\st="(\w+)"')
_DIMENSION = re.compile(rb'(<(?:\w+:)?dimension\b[^>]*\bref=")[^"]*(")')


def without_strays(name: str, src: str, dst: str, part: str, skip: set[str],
                   strays: list[tuple[int, int, str]], end: tuple[int, int], sst: str | None) -> dict[str, str]:
    """Write dst; return {cell reference: its value as text} for the cells dropped."""
    refs = {ref for _, _, ref in strays}
    dropped: dict[str, bytes] = {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename in skip:
                continue
            if info.filename != part:
                zout.writestr(info.filename, zin.read(info.filename))
                continue
            prefix = _prefix(name, zin, part)
            cell = re.compile(b"<" + prefix + rb'c r="(' + b"|".join(re.escape(r.encode()) for r in refs)
                              + rb')"(?:[^>]*?/>|[^>]*?>.*?</' + prefix + rb"c>)", re.S)
            dim = f"A1:{col_letters(end[1])}{end[0]}".encode()
            with zout.open(part, "w", force_zip64=True) as out:
                # pieces end after </row>, so no cell is ever split between two of them
                for i, chunk in enumerate(chunks(name, zin, part, cut=b"</" + prefix + b"row>")):
                    if i == 0:
                        chunk = _DIMENSION.sub(lambda m: m.group(1) + dim + m.group(2), chunk, count=1)
                    out.write(cell.sub(lambda m: _keep(m, dropped), chunk))
        values = {ref: _value(name, zin, raw, sst) for ref, raw in dropped.items()}
    return values


def _prefix(name: str, z: zipfile.ZipFile, part: str) -> bytes:
    with z.open(part) as fh:
        return root(name, fh.read(1 << 16))[0]


def _keep(m: re.Match, dropped: dict) -> bytes:
    dropped[m.group(1).decode()] = m.group(0)
    return b""


def _value(name: str, z: zipfile.ZipFile, cell: bytes, sst: str | None) -> str:
    kind = _TYPE.match(cell)
    kind = kind.group(1) if kind else b"n"
    if kind == b"inlineStr":
        raw = b"".join(_TEXT.findall(cell))
    else:
        v = _V.search(cell)
        raw = v.group(1) if v else b""
        if kind == b"s" and raw.strip().isdigit() and sst:
            raw = _shared(name, z, sst, int(raw))
    text = html.unescape(raw.decode("utf-8", "replace")).strip()
    return text if len(text) <= 50 else text[:50] + "…"


def _shared(name: str, z: zipfile.ZipFile, sst: str, index: int) -> bytes:
    """The text of shared string number `index`, found by streaming the part."""
    prefix = _prefix(name, z, sst)
    item = re.compile(b"<" + prefix + rb"si\b(?:\s*/>|.*?</" + prefix + rb"si>)", re.S)
    seen = 0
    for chunk in chunks(name, z, sst, cut=b"</" + prefix + b"si>"):
        items = item.findall(chunk)
        if seen + len(items) > index:
            return b"".join(_TEXT.findall(items[index - seen]))
        seen += len(items)
    return b""
