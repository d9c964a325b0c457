"""Column-wise cell cleaning: raw calamine/CSV values → typed arrays.

Ledgers reach a million rows, so nothing here loops over rows in Python.
Each column takes a vectorised fast path for the cells that are already
what they should be (floats in a money column, dates in a date column) and
parses the odd cells once per distinct value (pd.factorize), which keeps
text dates, "12.5万" or "2019年" cheap even when a whole column is text.

A cleaner returns a Cleaned: the typed values, which cells were blank, and a
status per cell — OK, CORRECTED (loaded after a correction), DOUBT (loaded but
doubtful) or BAD (unreadable: the value is empty) — with a note for the report.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard import template as T

from .header import norm as squeeze

OK, CORRECTED, DOUBT, BAD = 0, 1, 2, 3
_EPOCH = dt.date(1970, 1, 1)
_EXCEL_EPOCH_DAYS = (dt.date(1899, 12, 30) - _EPOCH).days
_SERIAL_MAX = (dt.date(2100, 12, 31) - dt.date(1899, 12, 30)).days
_NAT = np.iinfo(np.int64).min
# Cells meaning "nothing here" in hand-kept ledgers.
_NOTHING = {"", "-", "—", "——", "－", "/", "\\", "无", "空", "nan", "NaN", "None", "null", "#N/A"}
_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_NUM_UNIT_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(万元|万|元)?([^\d.]{0,6})$")
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_YEAR_RE = re.compile(r"^(\d{4})(?:\.0+)?(?:年度?)?$")


@dataclass
class Cleaned:
    values: object                 # numpy array or pandas array, one per row
    empty: np.ndarray              # bool: the raw cell was blank
    status: np.ndarray | None      # int8 per row, None when all OK
    notes: np.ndarray | None       # object per row (only read where status != OK)
    # text columns: values == table[codes] (table: the distinct texts, None last), so what is
    # done per text is done once per distinct one; whoever sets `values` must drop `codes`
    codes: np.ndarray | None = None
    table: np.ndarray | None = None
    arrow: object = None           # table as a pyarrow large_string array, once made (arrow_table)

    def take(self, m: np.ndarray) -> "Cleaned":
        """The rows `m` (a mask or indices) of this column."""
        return Cleaned(self.values[m], self.empty[m], None if self.status is None else self.status[m],
                       None if self.notes is None else self.notes[m],
                       None if self.codes is None else self.codes[m], self.table, self.arrow)

    def arrow_table(self):
        """The distinct texts (codes' table) in pyarrow, made once per column."""
        if self.arrow is None:
            import pyarrow as pa
            self.arrow = pa.array(self.table, type=pa.large_string(), from_pandas=True)
        return self.arrow

    def text_array(self, rows: np.ndarray):
        """pandas' text dtype of values[rows] (as as_str_array), built from the distinct texts
        when they are known: one conversion per distinct text, not one per cell."""
        if self.codes is None:
            return as_str_array(self.values[rows])
        import pyarrow as pa
        return _STR.__from_arrow__(self.arrow_table().take(pa.array(self.codes[rows])))

    def flagged(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Indices with a non-OK status (restricted to `rows` mask if given)."""
        if self.status is None:
            return np.empty(0, dtype=np.int64)
        m = self.status != OK
        if rows is not None:
            m &= rows
        return np.flatnonzero(m)


def _types(a: np.ndarray) -> np.ndarray:
    return np.frompyfunc(type, 1, 1)(a)


def _blank(a: np.ndarray, types: np.ndarray) -> np.ndarray:
    """None, NaN, and strings that are empty or whitespace only."""
    empty = (types == type(None))
    is_str = types == str
    if is_str.any():
        s = a[is_str]
        e = s == ""
        rest = ~e
        if rest.any():
            e[rest] = pd.Series(s[rest], dtype=object).str.strip().eq("").to_numpy(bool)
        empty[is_str] = e
    is_float = types == float
    if is_float.any():
        f = a[is_float].astype(float)
        empty[is_float] = np.isnan(f)
    return empty


def _per_unique(a: np.ndarray, idx: np.ndarray, parse, values: np.ndarray,
                status: np.ndarray, notes: np.ndarray) -> None:
    """Parse a[idx] once per distinct value and scatter the results."""
    if idx.size == 0:
        return
    codes, uniq = pd.factorize(a[idx], use_na_sentinel=False)
    res = [parse(u) for u in uniq]
    values[idx] = np.array([r[0] for r in res], dtype=values.dtype)[codes]
    st = np.array([r[1] for r in res], dtype=np.int8)[codes]
    status[idx] = st
    if st.any():
        nt = np.array([r[2] for r in res], dtype=object)[codes]
        notes[idx] = nt


def _finish(values, empty, status, notes) -> Cleaned:
    if not status.any():
        return Cleaned(values, empty, None, None)
    return Cleaned(values, empty, status, notes)


# ---------------------------------------------------------------- numbers
# A number (with its unit) followed by a bracketed note: 10(其中,灾情因素6万元), 20万元（含配套）
_NUM_NOTE_RE = re.compile(r"^([-+]?\d+(?:\.\d+)?(?:万元|万|元)?)[(（\[【](.+)[)）\]】]$")
_NOTE_RE = re.compile(r"[(（\[【](.+)[)）\]】]$")


def _parse_number(v, factor: float, money: bool):
    """(value, status, note) for one odd cell of a money/number column."""
    if isinstance(v, str):
        s = squeeze(v).replace(",", "").replace("，", "").lstrip("¥￥")
        if s in _NOTHING:
            return np.nan, OK, None
        m = _NUM_UNIT_RE.match(s)
        if m:
            x = float(m.group(1))
            cell_unit, tail = m.group(2), m.group(3)
            if cell_unit in ("万", "万元"):
                x *= 10000.0          # the cell's own unit wins over the header's
            elif cell_unit != "元":
                x *= factor
            if not tail:
                return x, OK, None
            if not money:
                return x, CORRECTED, f"去掉单位“{tail}”：{v} → {m.group(1)}"
        m = _NUM_NOTE_RE.match(s)
        if m:                  # “10(其中,灾情因素6万元)”: the amount is 10, the note is kept
            x, _, _ = _parse_number(m.group(1), factor, money)
            if np.isfinite(x):
                note = _NOTE_RE.search(squeeze(v)).group(1)      # as written, commas kept
                return x, DOUBT, f"的值“{_show(v)}”附有说明“{note}”，按{m.group(1)}读取，说明见原表"
    elif isinstance(v, (int, float)) and not isinstance(v, bool):
        x = float(v)
        return (x * factor, OK, None) if np.isfinite(x) else (np.nan, OK, None)
    what = "金额" if money else "数值"
    return np.nan, BAD, f"无法识别为{what}：{_show(v)}"


def numbers(a: np.ndarray, factor: float = 1.0, money: bool = False) -> Cleaned:
    n = len(a)
    types = _types(a)
    is_num = (types == float) | (types == int)
    empty = _blank(a, types)
    values = np.full(n, np.nan)
    status = np.zeros(n, np.int8)
    notes = np.empty(n, dtype=object)
    if is_num.any():
        values[is_num] = a[is_num].astype(float) * factor
        empty[is_num] |= ~np.isfinite(values[is_num])
    odd = ~is_num & ~empty
    if odd.any():
        idx = np.flatnonzero(odd)
        # most odd cells in CSVs are plain numeric text: one C pass first
        quick = pd.to_numeric(pd.Series(a[idx], dtype=object), errors="coerce").to_numpy(float)
        is_str = (types[idx] == str)
        ok = np.isfinite(quick) & is_str
        values[idx[ok]] = quick[ok] * factor
        _per_unique(a, idx[~ok], lambda v: _parse_number(v, factor, money), values, status, notes)
        empty[idx[~ok]] |= np.isnan(values[idx[~ok]]) & (status[idx[~ok]] == OK)
    return _finish(values, empty, status, notes)


# ------------------------------------------------------------------ years
def _parse_year(v):
    y = None
    if isinstance(v, (dt.date, dt.datetime)):
        y = v.year
    elif isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer():
        y = int(v)
    elif isinstance(v, str):
        s = squeeze(v)
        if s in _NOTHING:
            return pd.NA, OK, None
        m = _YEAR_RE.match(s) or _DATE_RE.match(s) or _MONTH_RE.match(s) or _COMPACT_RE.match(s)
        y = int(m.group(1)) if m else None
    if y is not None and 1900 <= y <= 2100:
        return y, OK, None
    return pd.NA, BAD, f"无法识别为年份：{_show(v)}"


def years(a: np.ndarray) -> Cleaned:
    n = len(a)
    types = _types(a)
    empty = _blank(a, types)
    values = np.zeros(n, np.int64)
    valid = np.zeros(n, bool)
    status = np.zeros(n, np.int8)
    notes = np.empty(n, dtype=object)
    is_float = (types == float) | (types == int)
    if is_float.any():
        f = a[is_float].astype(float)
        good = np.isfinite(f) & (f == np.floor(f)) & (f >= 1900) & (f <= 2100)
        idx = np.flatnonzero(is_float)
        values[idx[good]] = f[good].astype(np.int64)
        valid[idx[good]] = True
        odd = ~empty.copy()
        odd[idx[good]] = False
    else:
        odd = ~empty
    idx = np.flatnonzero(odd)
    if idx.size:
        obj = np.empty(n, dtype=object)
        _per_unique(a, idx, _parse_year, obj, status, notes)
        got = idx[~pd.isna(obj[idx])]
        values[got] = obj[got].astype(np.int64)
        valid[got] = True
        empty[idx] |= ~valid[idx] & (status[idx] == OK)
    return _finish(pd.arrays.IntegerArray(values, ~valid), empty, status, notes)


# ------------------------------------------------------------------ dates
def _days(d: dt.date) -> int:
    return (d - _EPOCH).days


def _ymd(y: int, m: int, d: int) -> int | None:
    try:
        return _days(dt.date(y, m, d))
    except ValueError:
        return None


def _parse_date(v):
    """(days since 1970 or NaT, status, note) for one odd date cell."""
    if isinstance(v, (dt.datetime, dt.date)):
        return _days(v.date() if isinstance(v, dt.datetime) else v), OK, None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _number_date(float(v), v)
    if isinstance(v, str):
        s = squeeze(v)
        if s in _NOTHING:
            return _NAT, OK, None
        m = _DATE_RE.match(s) or _COMPACT_RE.match(s)
        if m and (d := _ymd(*map(int, m.groups()[:3]))) is not None:
            return d, OK, None
        m = _MONTH_RE.match(s)
        if m and (d := _ymd(int(m.group(1)), int(m.group(2)), 1)) is not None:
            return d, CORRECTED, f"只有年月，按当月1日读取：{v} → {_iso(d)}"
        if _NUM_RE.match(s) and 1 <= float(s) <= _SERIAL_MAX and "." not in s[:5]:
            d = int(float(s)) + _EXCEL_EPOCH_DAYS
            return d, CORRECTED, f"按Excel日期序号读取：{v} → {_iso(d)}"
    return _NAT, BAD, f"无法识别为日期：{_show(v)}"


def _number_date(x: float, v):
    if 19000101 <= x <= 21001231 and x.is_integer():          # 20240301
        d = _ymd(int(x) // 10000, int(x) // 100 % 100, int(x) % 100)
        if d is not None:
            return d, OK, None
    if 1900 <= x <= 2100 and not x.is_integer():               # 2024.03 typed into Excel
        y, m = int(x), int(round((x - int(x)) * 100))
        if 1 <= m <= 12:
            d = _days(dt.date(y, m, 1))
            if round(x * 10, 6).is_integer():                   # 2024.1: October or January?
                return d, DOUBT, f"的值“{_show(v)}”按{y}年{m}月1日读取（也可能是{y}年{m // 10}月），请核对"
            return d, CORRECTED, f"只有年月，按当月1日读取：{_show(v)} → {_iso(d)}"
    if 1900 <= x <= 2100:
        return _NAT, BAD, f"无法识别为日期：{_show(v)}（只有年份）"
    return _NAT, BAD, f"无法识别为日期：{_show(v)}"


def dates(a: np.ndarray) -> Cleaned:
    n = len(a)
    types = _types(a)
    empty = _blank(a, types)
    days = np.full(n, _NAT, np.int64)
    status = np.zeros(n, np.int8)
    notes = np.empty(n, dtype=object)
    is_date = (types == dt.date) | (types == dt.datetime) | (types == pd.Timestamp)
    if is_date.any():
        codes, uniq = pd.factorize(a[is_date])
        days[is_date] = np.array(list(uniq), dtype="datetime64[D]").astype(np.int64)[codes]
    is_num = (types == float) | (types == int)
    if is_num.any():
        f = a[is_num].astype(float)
        serial = np.isfinite(f) & (f >= 1) & (f <= _SERIAL_MAX) & ~((f >= 1900) & (f <= 2100))
        idx = np.flatnonzero(is_num)
        days[idx[serial]] = np.floor(f[serial]).astype(np.int64) + _EXCEL_EPOCH_DAYS
        is_num[idx[serial]] = False               # the rest are odd numbers
        empty[idx[~np.isfinite(f)]] = True
    odd = ~is_date & ~empty & ((types != float) & (types != int) | is_num)
    idx = np.flatnonzero(odd)
    _per_unique(a, idx, _parse_date, days, status, notes)
    empty[idx] |= (days[idx] == _NAT) & (status[idx] == OK)
    out = days.astype("datetime64[D]").astype("datetime64[us]")   # NaT stays NaT
    return _finish(out, empty, status, notes)


def _iso(days: int) -> str:
    return (_EPOCH + dt.timedelta(days=int(days))).isoformat()


# ------------------------------------------------------------------- text
def _to_text(v):
    if isinstance(v, str):
        s = v.strip()
        return (s or None), OK, None
    if isinstance(v, bool):
        return ("是" if v else "否"), OK, None
    if isinstance(v, float):
        if not np.isfinite(v):
            return None, OK, None
        return (str(int(v)) if v.is_integer() else repr(v)), OK, None
    if isinstance(v, dt.datetime):
        return (v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")), OK, None
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat(), OK, None
    if v is None:
        return None, OK, None
    return str(v), OK, None


def texts(a: np.ndarray) -> Cleaned:
    """Stripped text, None for blank; numbers written without a trailing .0.

    Converted once per distinct value: ledgers repeat the same few words
    (towns, categories) down a million rows.
    """
    codes, uniq = pd.factorize(a, use_na_sentinel=True)       # None/NaN → -1
    table = np.array([(u.strip() or None) if type(u) is str else _to_text(u)[0] for u in uniq] + [None],
                     dtype=object)
    codes[codes < 0] = len(table) - 1                           # the trailing None
    return _coded(table, codes)


def _coded(table: np.ndarray, codes: np.ndarray, status=None, notes=None) -> Cleaned:
    """A text column from its distinct texts (None among them) and each row's code."""
    return Cleaned(table[codes], (table == None)[codes], status, notes, codes, table)  # noqa: E711


def ids(a: np.ndarray) -> Cleaned:
    """资产编号: text with full-width letters and digits folded to half-width (policy-rules §9:
    income rows written “Ｋ３０” belong to asset K30), a folded cell noted as corrected."""
    out = texts(a)
    codes, table = out.codes, out.table
    # NFKC leaves ASCII as it is: only the few IDs with other characters pay for it
    folded = np.array([u if u is None or u.isascii() else unicodedata.normalize("NFKC", u).strip()
                       for u in table], dtype=object)
    changed = np.array([f != u for f, u in zip(folded, table)])
    if not changed.any():
        return out
    hit = changed[codes]
    status = np.where(hit, CORRECTED, OK).astype(np.int8)
    notes = np.empty(len(codes), dtype=object)
    for i in np.flatnonzero(hit):
        notes[i] = f"全角字符已转为半角：“{out.values[i]}”→“{folded[codes[i]]}”"
    return Cleaned(folded[codes], out.empty, status, notes, codes, folded)


def as_str_array(values: np.ndarray):
    """pandas' text dtype (missing = NaN), what the rest of the app reads."""
    return pd.array(values, dtype="str")


_STR = pd.array([], dtype="str").dtype


# ------------------------------------------------------------------ enums
@lru_cache(maxsize=None)
def _spellings(values_items: tuple) -> dict[str, str]:
    table = {}
    for canon, spellings in values_items:
        for sp in (canon, *spellings):
            table.setdefault(squeeze(sp).lower(), canon)
    return table


def enums(a: np.ndarray, col: T.Column) -> Cleaned:
    """Canonical value for each listed spelling; others kept as written, DOUBT."""
    base = texts(a)
    table = _spellings(tuple(col.values.items()))
    allowed = "/".join(col.values)

    def parse(v):
        if v is None:                 # a blank cell: stays blank, nothing to say
            return None, OK, None
        c = table.get(squeeze(v).lower())
        if c is not None:
            return c, OK, None
        return v, DOUBT, f"的值“{v}”不在可选值（{allowed}）中"

    res = [parse(v) for v in base.table]          # once per distinct text
    canon = np.array([r[0] for r in res], dtype=object)
    st = np.array([r[1] for r in res], dtype=np.int8)
    if not st.any():
        return _coded(canon, base.codes)
    nt = np.array([r[2] for r in res], dtype=object)
    return _coded(canon, base.codes, st[base.codes], nt[base.codes])


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return str(v)


def clean(a: np.ndarray, col: T.Column, factor: float = 1.0) -> Cleaned:
    """Dispatch on the template column type."""
    if col.kind == T.MONEY:
        return numbers(a, factor, money=True)
    if col.kind == T.NUMBER:
        return numbers(a)
    if col.kind == T.YEAR:
        return years(a)
    if col.kind == T.DATE:
        return dates(a)
    if col.kind in (T.ENUM, T.YESNO) and col.values:
        return enums(a, col)
    return texts(a)
