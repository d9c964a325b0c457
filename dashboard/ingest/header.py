"""Find the header of a sheet and map its columns onto the template.

Headers are matched after normalisation (no whitespace, NFKC so full- and
half-width agree, brackets and 必填 marks dropped, a unit suffix split off),
against the canonical Chinese header and the variants listed in template.py.
Two-level merged headers (合同情况 over 起始日期) are joined before matching.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from dashboard import template as T

HEADER_SCAN_ROWS = 20
UNITS = {"万元": 10000.0, "元": 1.0}
SMALL_MONEY = 1000        # money read as 元 whose median is below this is suspected to be 万元
_OTHER_UNITS = ("亩", "个", "平方米", "㎡", "千瓦", "kw", "人", "户", "年", "%", "座", "处", "栋", "头", "只", "米", "公里")
_UNIT_RE = re.compile(r"^(.*?)(?:[(\[{【]([^()\[\]{}【】]*)[)\]}】]|/([^/]+))$")
_BRACKETED = re.compile(r"[(\[{【][^()\[\]{}【】]*[)\]}】]")
_MARKS = re.compile(r"[*★※:：]|必填|选填")
_NAME_ORDER = ("disposals", "problems", "distribution", "income", "assets")


def norm(text) -> str:
    """NFKC, no whitespace: the form every header and enum spelling is compared in."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def split_unit(text: str) -> tuple[str, str | None]:
    """'资产原值（万元）' → ('资产原值', '万元'); also '原值/元' and '原值万元'."""
    h = _MARKS.sub("", norm(text))
    m = _UNIT_RE.match(h)
    if m:
        unit = (m.group(2) or m.group(3) or "").replace("单位", "")
        if unit in UNITS or unit.lower() in _OTHER_UNITS:
            return m.group(1), unit
    for unit in UNITS:
        if h.endswith(unit) and len(h) > len(unit) + 1 and not h.endswith("单元"):
            return h[: -len(unit)], unit
    return h, None


def looks_like_wan(amounts) -> bool:
    """Amounts read as 元 that are suspiciously small (median below 1,000 元): likely 万元.
    The importer's “数值偏小，疑为万元” and the mapping step's pre-set unit use this one rule."""
    import numpy as np
    v = np.asarray([x for x in amounts if x is not None], dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size) and float(np.median(v)) < SMALL_MONEY


def _keys(text: str) -> list[str]:
    """Normalised spellings to try for one header text, best first."""
    base, _ = split_unit(text)
    out = [base, base.replace("(", "").replace(")", "")]
    out.append(_BRACKETED.sub("", base))
    return [k for k in dict.fromkeys(out) if k]


@lru_cache(maxsize=None)
def lookup(sheet_name: str) -> dict[str, tuple[str, bool]]:
    """normalised header → (canonical column, is the canonical spelling) for one sheet."""
    sheet = T.SHEET_BY_NAME[sheet_name]
    table: dict[str, tuple[str, bool]] = {}
    for c in sheet.columns:
        table.setdefault(norm(c.zh), (c.name, True))
    for c in sheet.columns:
        for v in c.variants:
            table.setdefault(norm(v), (c.name, False))
    return table


def match(text, sheet_name: str) -> tuple[str, bool] | None:
    """(canonical, spelled as the canonical header rather than a variant) for a
    header text; None if it is not a template column."""
    if text is None or text == "":
        return None
    table = lookup(sheet_name)
    raw = norm(text)
    if raw in table:
        return table[raw]
    for k in _keys(text):
        if k in table:
            return table[k]
    return None


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _ffill(row: list[str]) -> list[str]:
    """A merged parent cell holds its text in the first cell only: carry it right."""
    out, last = [], ""
    for v in row:
        last = v or last
        out.append(last)
    return out


@dataclass
class HeaderCol:
    index: int
    text: str                     # header as written (parent/child joined)
    canonical: str | None = None
    spelled: bool = False          # written as the canonical header, not a variant
    unit: str | None = None


@dataclass
class Header:
    kind: str
    row: int                      # 0-based index of the last header row
    first_row: int                # 0-based index of the first header row
    cols: list[HeaderCol] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len({c.canonical for c in self.cols if c.canonical})


def _resolve(parent: str, child: str, sheet_name: str) -> tuple[str | None, bool, str | None, str]:
    """Match one column given its parent and child header text (either may be empty).

    Returns (canonical, spelled canonically, unit, header as the user knows it).
    Parent+child is tried before the child alone (合同情况 + 起始日期 → 合同起始日期);
    the header text names the parent only when the parent was needed.
    """
    joined = f"{parent}/{child}" if parent and child and parent != child else (child or parent)
    tries = []
    if child:
        if parent and parent != child:
            tries.append((parent + child, joined))
            stripped = re.sub(r"(情况|信息)$", "", norm(parent))
            if stripped != norm(parent):
                tries.append((stripped + child, joined))
        tries.append((child, child))
    elif parent:
        tries.append((parent, parent))
    for t, text in tries:
        m = match(t, sheet_name)
        if m:
            unit = split_unit(child)[1] if child else None
            return m[0], m[1], unit or (split_unit(parent)[1] if parent else None), text
    return None, False, None, joined


def _build(rows: list[list[str]], kind: str, last: int, parent: int | None) -> Header:
    """Header from row `last`, joined with row `parent` (above or below) if given."""
    if parent is not None and parent > last:          # detected row is the parent
        last, parent = parent, last
    child = rows[last]
    own = rows[parent] if parent is not None else [""] * len(child)
    filled = _ffill(own)
    h = Header(kind, last, parent if parent is not None else last)
    for j, c in enumerate(child):
        # under an empty child only the parent's own cell counts (vertical merge);
        # its right-carried text would duplicate the column into empty columns
        p = (filled[j] if c else own[j]) if j < len(own) else ""
        canon, spelled, unit, text = _resolve(p, c, kind)
        h.cols.append(HeaderCol(j, text, canon, spelled, unit))
    return h


def _row_score(cells: list[str], kind: str) -> int:
    return len({m[0] for c in cells if (m := match(c, kind))})


def find_header(grid: list[list], kinds: tuple[str, ...]) -> Header | None:
    """The best header (row, kind, two-level joining) within the first rows."""
    top = [[_cell_text(v) for v in r] for r in grid[:HEADER_SCAN_ROWS + 1]]
    best: Header | None = None
    for kind in kinds:
        scores = [_row_score(r, kind) for r in top[:HEADER_SCAN_ROWS]]
        if not scores or max(scores) == 0:
            continue
        r = scores.index(max(scores))
        cands = [_build(top, kind, r, None)]
        if r > 0 and any(top[r - 1]):
            cands.append(_build(top, kind, r, r - 1))
        if r + 1 < len(top) and _looks_like_children(top, r, kind):
            cands.append(_build(top, kind, r, r + 1))
        h = max(cands, key=lambda c: c.score)        # ties keep the one-row header
        if best is None or _rank(h) > _rank(best):
            best = h
    return best


def _looks_like_children(top: list[list[str]], r: int, kind: str) -> bool:
    """Row r+1 holds sub-headers when it is empty under most single-level headers
    of row r (those cells are merged vertically); a data row is not."""
    single = [j for j, c in enumerate(top[r]) if match(c, kind)]
    below = top[r + 1]
    empty = sum(1 for j in single if j >= len(below) or not below[j])
    return bool(single) and empty * 2 >= len(single) and any(below)


def _rank(h: Header) -> tuple:
    """The evidence for a kind: its columns found, a required one counting three times.
    Not "all required present" first: a sheet with six asset columns (four required) is
    a 资产台账 missing two, not a 处置台账 whose one required column (资产编号) it has."""
    sheet = T.SHEET_BY_NAME[h.kind]
    found = {c.canonical for c in h.cols}
    req = sum(1 for c in sheet.required if c.name in found)
    return (h.score + 2 * req, -_NAME_ORDER.index(h.kind))


def missing_required(h: Header) -> list[str]:
    found = {c.canonical for c in h.cols}
    return [c.zh for c in T.SHEET_BY_NAME[h.kind].required if c.name not in found]


def explain(h: Header, with_missing: bool = True) -> str:
    """What was recognised: '按资产台账识别出6列（构建时间→建成年度、…），缺少必填列“资产类别”'."""
    sheet = T.SHEET_BY_NAME[h.kind]
    pairs = "、".join(f"{c.text}→{sheet.column(c.canonical).zh}" if c.text != sheet.column(c.canonical).zh
                     else c.text for c in h.cols if c.canonical)
    missing = missing_required(h)
    return (f"按{sheet.zh}识别出{h.score}列（{pairs}）"
            + ("，缺少必填列" + "、".join(f"“{m}”" for m in missing) if missing and with_missing else ""))


def kind_from_name(sheet_name: str) -> str | None:
    n = norm(sheet_name)
    for kind in _NAME_ORDER:
        if T.SHEET_BY_NAME[kind].zh in n:
            return kind
    return None


def plausible(h: Header) -> bool:
    """A sheet recognised only by its headers must look like that sheet."""
    sheet = T.SHEET_BY_NAME[h.kind]
    found = {c.canonical for c in h.cols}
    req = sum(1 for c in sheet.required if c.name in found)
    return h.score >= 2 and req >= max(1, len(sheet.required) - 1)


# Title rows: "（截至2024年12月31日）", "数据截至：2024-12-31", "单位：万元".
_DATE_RE = re.compile(r"(?:截至|截止|数据日期|统计日期|统计时间|数据时间)[于到:：]?\D{0,3}?"
                      r"(\d{4})\s*[年./-]\s*(\d{1,2})(?:\s*[月./-]\s*(\d{1,2}))?")
_UNIT_NOTE_RE = re.compile(r"单位[:：]\s*(万元|元)")


def title_date(rows: list[list]) -> dt.date | None:
    for r in rows:
        for v in r:
            m = _DATE_RE.search(unicodedata.normalize("NFKC", _cell_text(v)))
            if m:
                y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
                try:
                    if d:
                        return dt.date(y, mo, int(d))
                    # a month only: the ledger is as of that month's end
                    nxt = dt.date(y + mo // 12, mo % 12 + 1, 1)
                    return nxt - dt.timedelta(days=1)
                except ValueError:
                    continue
    return None


def title_unit(rows: list[list]) -> str | None:
    for r in rows:
        for v in r:
            m = _UNIT_NOTE_RE.search(unicodedata.normalize("NFKC", _cell_text(v)))
            if m:
                return m.group(1)
    return None


def top_texts(grid: list[list]) -> list[list[str]]:
    """The first rows as text: where a header is looked for."""
    return [[_cell_text(v) for v in r] for r in grid[:HEADER_SCAN_ROWS + 1]]


def header_at(grid: list[list], kind: str, row: int) -> Header:
    """The header on a given row (0-based), as a profile states it."""
    return _build(top_texts(grid) if row <= HEADER_SCAN_ROWS else [[_cell_text(v) for v in r] for r in grid[:row + 1]],
                  kind, row, None)
