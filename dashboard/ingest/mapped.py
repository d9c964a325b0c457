"""Applying one mapping-profile entry (profiles.SheetRule) to one sheet: its header row,
the column pairs it states (which win over the importer's own guess), value maps,
constants, and a column holding town and village together."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard import places
from dashboard import template as T

from .header import Header, HeaderCol, find_header, header_at, top_texts
from .profiles import PLACE_PAIR, Applied, ProfileError, SheetRule, key


def sheet_headers(grid: list[list]) -> list[str]:
    """Every text in the rows a header can be on (to match an entry's headers)."""
    return [c for row in top_texts(grid) for c in row if c]


def header(grid: list[list], rule: SheetRule) -> Header | None:
    """The header the entry states, else the row holding most of its source headers, else
    the importer's own guess for the entry's kind."""
    if rule.header_row:
        return header_at(grid, rule.kind, rule.header_row - 1)
    sources = {key(src) for src, _ in rule.columns}
    if sources:
        counts = [sum(1 for c in row if key(c) in sources) for row in top_texts(grid)]
        if counts and max(counts) > 0:
            return header_at(grid, rule.kind, counts.index(max(counts)))
    return find_header(grid, (rule.kind,))


def apply_columns(h: Header, rule: SheetRule, sheet_name: str) -> tuple[Applied, int | None]:
    """Force the entry's column pairs onto the header; returns what was applied and the index
    of a column holding town and village together (None if none)."""
    sheet = T.SHEET_BY_NAME[rule.kind]
    by_zh = {c.zh: c.name for c in sheet.columns}
    by_key = {key(c.text): c for c in h.cols if c.text}
    applied, combined = Applied(rule.profile), None
    missing = [src for src, _ in rule.columns if key(src) not in by_key]
    if missing:
        raise ProfileError(f"导入方案“{rule.profile}”用于工作表“{sheet_name}”，但该表没有列"
                           + "、".join(f"“{m}”" for m in missing))
    forced = {by_zh[t] for _, targets in rule.columns for t in targets}
    for c in h.cols:                  # the entry's pairs win over the importer's own guesses
        if c.canonical in forced:
            c.canonical = None
    for src, targets in rule.columns:
        col: HeaderCol = by_key[key(src)]
        col.canonical, col.spelled = by_zh[targets[0]], True
        applied.pairs[col.text] = "、".join(targets)
        if targets == PLACE_PAIR:
            combined = col.index
    return applied, combined


def value_maps(rule: SheetRule) -> dict[str, dict[str, str]]:
    """canonical English column → {source value: canonical value}."""
    by_zh = {c.zh: c.name for c in T.SHEET_BY_NAME[rule.kind].columns}
    return {by_zh[col]: dict(pairs) for col, pairs in rule.values}


def remap(values: np.ndarray, mapping: dict[str, str]) -> np.ndarray:
    """Source values the map covers become canonical; others stay to be judged as usual."""
    text = pd.Series(values, dtype=object).map(lambda v: None if v is None else str(v).strip())
    return np.where(text.isin(mapping.keys()), text.map(mapping), values).astype(object)


def split_places(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One column of '××镇××村' → (towns, villages), split against the reference list."""
    codes, uniq = pd.factorize(pd.Series(values, dtype=object).map(lambda v: None if v is None else str(v)))
    pairs = [places.split_place(u) for u in uniq] + [(None, None)]
    towns = np.array([p[0] for p in pairs], dtype=object)[codes]
    villages = np.array([p[1] for p in pairs], dtype=object)[codes]
    return towns, villages


# A notice period written as one range fills its start and end columns (ledger-template.md).
RANGE_HEADERS = {
    "村公示": ("village_notice_start", "village_notice_end"),
    "审核公示": ("review_notice_start", "review_notice_end"),
    "网站公示": ("web_notice_start", "web_notice_end"),
}
_RANGE_TAILS = ("时间", "期间", "日期", "起止时间", "起止日期", "期限", "")
_RANGE_RE = re.compile(r"^\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*(?:-|—|–|~|～|至|到)\s*"
                       r"(?:(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*[月./-]\s*)?(\d{1,2})\s*日?\s*$")


def range_column(text: str) -> tuple[str, str] | None:
    """(start, end) canonical columns when a header names a whole notice period."""
    k = key(text)
    for stem, pair in RANGE_HEADERS.items():
        if any(k == stem + tail for tail in _RANGE_TAILS):
            return pair
    return None


def split_range(value) -> tuple[object, object]:
    """'2022年5月30日-6月3日' → ('2022-05-30', '2022-06-03'); the end takes the start's year
    and month when it omits them.  Anything else is left whole in the start, judged as usual."""
    if not isinstance(value, str):
        return value, None
    m = _RANGE_RE.match(value)
    if not m:
        return value, None
    y, mo, d, y2, mo2, d2 = m.groups()
    end = f"{y2 or y}-{int(mo2 or mo):02d}-{int(d2):02d}"
    return f"{y}-{int(mo):02d}-{int(d):02d}", end


def is_place_header(text: str) -> bool:
    """A 所在镇 column headed 位置, 建设地点 … holds the village too (template.PLACE_HEADERS)."""
    return key(text) in T.PLACE_HEADERS
