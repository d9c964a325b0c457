"""Load one sheet: header → column plan → cleaned columns → rows kept or rejected.

Row decisions are taken on whole columns (boolean masks); Python only touches
the rows that end up in the report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import places, template as T

from . import clean as C
from . import mapped
from .header import (UNITS, Header, explain, find_header, kind_from_name, looks_like_wan, plausible, title_date,
                     title_unit)
from .profiles import ProfileError, SheetRule
from .report import Issue, SheetLoad

_TOTAL_RE = re.compile(r"合\s*计|小\s*计|总\s*计|累\s*计")
PLACE_SHEETS = ("assets", "distribution")


@dataclass
class Seen:
    """Keys already loaded (across files), to reject later duplicates."""
    keys: list[tuple[pd.Index, np.ndarray, str, str]] = field(default_factory=list)

    def first(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mask of keys seen before, where: 'file 工作表 row N' per hit)."""
        hit = np.zeros(len(keys), bool)
        where = np.empty(len(keys), dtype=object)
        for index, rows, file, sheet in self.keys:
            m = ~hit & pd.Index(keys).isin(index)
            if m.any():
                pos = index.get_indexer(keys[m])
                where[m] = [f"“{file}”{sheet}第{r}行" for r in rows[pos]]
                hit |= m
        return hit, where


@dataclass
class Column:
    index: int
    header: str                # as written (parent/child joined)
    name: str                  # output column name
    spec: T.Column | None      # None: unknown column, kept as text
    unit: str | None = None


@dataclass
class Loaded:
    load: SheetLoad
    frame: pd.DataFrame | None = None
    issues: list[Issue] = field(default_factory=list)
    data_date: object = None
    fatal: str | None = None
    keys: tuple | None = None   # (kind, kept keys, their rows, file, sheet), registered on commit
    closest: str | None = None  # a sheet not loaded: the kind it came closest to, and why not
    empty_required: list[tuple] = field(default_factory=list)   # DQ1: (row, column, asset_id, town, department)


def _letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def plan(h: Header, grid_width: int, load: SheetLoad, issues: list[Issue]) -> list[Column]:
    """Choose which header column feeds each canonical column; keep the others."""
    sheet = T.SHEET_BY_NAME[h.kind]
    best: dict[str, object] = {}
    for c in h.cols:
        if c.canonical and (c.canonical not in best or (c.spelled and not best[c.canonical].spelled)):
            best[c.canonical] = c
    cols = []
    for c in h.cols:
        if c.canonical and best[c.canonical] is c:
            spec = sheet.column(c.canonical)
            cols.append(Column(c.index, c.text, c.canonical, spec, c.unit))
            if c.text == spec.zh:
                load.columns_recognised.append(c.canonical)
            else:
                load.columns_variant[c.text] = c.canonical
            continue
        if c.canonical:
            first = best[c.canonical]
            issues.append(Issue(load.file, load.sheet, None, c.text,
                                f"第{_letter(c.index)}列“{c.text}”与第{_letter(first.index)}列“{first.text}”"
                                f"都对应“{sheet.column(c.canonical).zh}”，按第{_letter(first.index)}列读取，"
                                "此列按原样保留", "info"))
        cols.append(Column(c.index, c.text, "", None))
    for j in range(len(h.cols), grid_width):
        cols.append(Column(j, "", "", None))
    # unknown columns are named by their header; collisions get a suffix
    used = {c.name for c in cols if c.spec} | set(T.PROVENANCE) | {"qa"}
    for c in cols:
        if c.spec is None:
            base = c.header or f"未命名列{_letter(c.index)}"
            name, k = base, 2
            while name in used:
                name, k = f"{base}_{k}", k + 1
            used.add(name)
            c.name = name
    return cols


def recognise(file: str, sheet_name: str, grid: list[list]) -> tuple[Header | None, SheetLoad, str | None]:
    """The sheet's header and kind; (None, load, message) when not a ledger sheet — the
    message then says which kind it came closest to and what was and was not recognised."""
    by_name = kind_from_name(sheet_name) if sheet_name != "CSV" else None
    kinds = (by_name,) if by_name else tuple(s.name for s in T.SHEETS)
    load = SheetLoad(file, sheet_name, by_name)
    if by_name is None and "说明" in sheet_name:        # 填表说明 and the like: instructions, not data
        return None, load, None
    h = find_header(grid, kinds)
    if h is None or (by_name is None and not plausible(h)):
        if by_name:
            return None, load, f"工作表“{sheet_name}”按名称应为{T.SHEET_BY_NAME[by_name].zh}，但前20行中找不到表头"
        return None, load, (f"最接近{T.SHEET_BY_NAME[h.kind].zh}：{explain(h)}" if h is not None else None)
    load.kind = h.kind
    load.header_row = h.row + 1
    return h, load, None


def load_sheet(file: str, sheet_name: str, grid: list[list], seen: dict[str, Seen],
               rule: SheetRule | None = None) -> Loaded:
    """One sheet → a frame and its issues; `rule` is the mapping-profile entry that applies."""
    if rule is not None:
        return _load_mapped(file, sheet_name, grid, seen, rule)
    h, load, problem = recognise(file, sheet_name, grid)
    if h is None:
        out = Loaded(load)
        where = f"文件“{file}”的工作表“{sheet_name}”" if sheet_name != "CSV" else f"文件“{file}”"
        if problem and problem.startswith("最接近"):       # a guess too weak to load
            out.closest = f"{where}{problem}"
            out.issues.append(Issue(file, sheet_name, None, None,
                                    f"{where}未识别为任何台账，未载入；{problem}。可在“数据上传”页指定工作表类型和各列的对应关系", "info"))
        elif problem:
            out.fatal = problem if sheet_name != "CSV" else f"{where}找不到表头"
            out.issues.append(Issue(file, sheet_name, None, None, out.fatal, "fatal"))
        elif any(any(v not in ("", None) for v in r) for r in grid[:50]):
            out.issues.append(Issue(file, sheet_name, None, None,
                                    f"{where}未识别为任何台账（资产台账/收益台账/收益分配/处置台账/问题台账），未载入", "info"))
        return out
    return _load_header(Loaded(load), h, grid, seen)


def _load_header(out: Loaded, h: Header, grid: list[list], seen: dict[str, Seen],
                 rule: SheetRule | None = None, combined: int | None = None) -> Loaded:
    """The rows below a recognised header: planned, (mapped), checked and cleaned."""
    sheet, load = T.SHEET_BY_NAME[h.kind], out.load
    width = max((len(r) for r in grid[h.row:h.row + 1]), default=0)
    ranges = _range_columns(h)
    if combined is None:
        combined = _place_column(h)
    cols = plan(h, width, load, out.issues)
    body = grid[h.row + 1:]
    data = np.array(body, dtype=object, order="F") if body else np.empty((0, width), dtype=object)   # by column
    if data.ndim != 2:        # ragged rows (CSV padding failed): pad here
        data = _rectangular(body)
    if data.shape[1] < len(cols):
        data = np.hstack([data, np.full((len(data), len(cols) - data.shape[1]), None, dtype=object)])
    if rule is not None:
        data, cols = _apply_rule(rule, sheet, cols, data)
    if combined is not None:
        data, cols = _split_place_column(combined, sheet, cols, data)
    data, cols = _split_ranges(ranges, sheet, cols, data)
    present = {c.spec.name for c in cols if c.spec}
    missing = [c.zh for c in sheet.required if c.name not in present]
    if missing:
        out.fatal = (f"文件“{load.file}”的{sheet.zh}（工作表“{load.sheet}”）缺少必填列："
                     + "、".join(f"“{m}”" for m in missing) + f"（{explain(h, with_missing=False)}）")
        out.issues.append(Issue(load.file, load.sheet, None, "、".join(missing), out.fatal, "fatal"))
        return out
    titles = grid[:h.first_row]
    out.data_date = title_date(titles)
    rownum = np.arange(h.row + 2, h.row + 2 + len(body))
    unit = (rule.unit if rule is not None else None) or title_unit(titles)
    _fill(out, sheet, cols, data, rownum, unit, seen)
    return out


def _range_columns(h: Header) -> dict[int, str]:
    """Header columns naming a whole notice period (村公示时间): read as its start column;
    returns {column index: the end column to fill}."""
    found = {c.canonical for c in h.cols if c.canonical}
    out = {}
    for c in h.cols:
        pair = None if c.canonical else mapped.range_column(c.text)
        if pair and pair[0] not in found and pair[1] in T.SHEET_BY_NAME[h.kind].columns_by_name:
            c.canonical, found = pair[0], found | set(pair)
            out[c.index] = pair[1]
    return out


def _split_ranges(ranges: dict[int, str], sheet: T.Sheet, cols: list[Column],
                  data: np.ndarray) -> tuple[np.ndarray, list[Column]]:
    """'2022年5月30日-6月3日' in one cell → the start date here, the end in a column of its own."""
    for index, end in ranges.items():
        pairs = [mapped.split_range(v) for v in data[:, index]]
        data[:, index] = np.array([a for a, _ in pairs], dtype=object)
        header = next(c.header for c in cols if c.index == index)
        cols.append(Column(data.shape[1], f"{header}（止）", end, sheet.column(end)))
        data = np.hstack([data, np.array([b for _, b in pairs], dtype=object).reshape(-1, 1)])
    return data, cols


def _load_mapped(file: str, sheet_name: str, grid: list[list], seen: dict[str, Seen],
                 rule: SheetRule) -> Loaded:
    load = SheetLoad(file, sheet_name, None if rule.kind == "skip" else rule.kind, profile=rule.profile)
    out = Loaded(load)
    if rule.kind == "skip":
        out.issues.append(Issue(file, sheet_name, None, None,
                                f"按导入方案“{rule.profile}”跳过工作表“{sheet_name}”", "info"))
        return out
    try:
        h = mapped.header(grid, rule)
        if h is None:
            raise ProfileError(f"导入方案“{rule.profile}”用于工作表“{sheet_name}”，但找不到表头")
        applied, combined = mapped.apply_columns(h, rule, sheet_name)
    except ProfileError as e:
        out.fatal = str(e)
        out.issues.append(Issue(file, sheet_name, None, None, out.fatal, "fatal"))
        return out
    load.header_row, load.profile_pairs = h.row + 1, applied.pairs
    return _load_header(out, h, grid, seen, rule, combined)


def _place_column(h: Header) -> int | None:
    """The 所在镇 column when its header says it holds the whole place (位置, 建设地点 …) and
    no 所在嘎查村 column exists: split it (returns its index)."""
    if h.kind not in PLACE_SHEETS or any(c.canonical == "village" for c in h.cols):
        return None
    return next((c.index for c in h.cols if c.canonical == "town" and mapped.is_place_header(c.text)), None)


def _split_place_column(index: int, sheet: T.Sheet, cols: list[Column],
                        data: np.ndarray) -> tuple[np.ndarray, list[Column]]:
    """'城川镇大发村' → 所在镇 here and 所在嘎查村 in a column of its own (unless one exists)."""
    towns, villages = mapped.split_places(data[:, index])
    data[:, index] = towns
    if any(c.spec is not None and c.spec.name == "village" for c in cols):
        return data, cols
    header = next(c.header for c in cols if c.index == index)
    cols.append(Column(data.shape[1], f"{header}（拆分）", "village", sheet.column("village")))
    return np.hstack([data, villages.reshape(-1, 1)]), cols


def _apply_rule(rule: SheetRule, sheet: T.Sheet, cols: list[Column],
                data: np.ndarray) -> tuple[np.ndarray, list[Column]]:
    """Value maps and constants, on the raw cells."""
    maps = mapped.value_maps(rule)
    for c in cols:
        if c.spec is not None and c.spec.name in maps:
            data[:, c.index] = mapped.remap(data[:, c.index], maps[c.spec.name])
    extra: list[tuple[Column, np.ndarray]] = []
    names = {c.spec.name for c in cols if c.spec}
    by_zh = {c.zh: c for c in sheet.columns}
    for zh, value in rule.constants:
        spec = by_zh[zh]
        if spec.name not in names:
            extra.append((Column(0, f"{zh}（导入方案常量）", spec.name, spec),
                          np.full(len(data), value, dtype=object)))
    for col, values in extra:
        col.index = data.shape[1]
        data = np.hstack([data, values.reshape(-1, 1)])
        cols.append(col)
    return data, cols


def _rectangular(rows: list[list]) -> np.ndarray:
    width = max(map(len, rows))
    arr = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):
        arr[i, :len(r)] = r
    return arr


def _col_data(data: np.ndarray, j: int) -> np.ndarray:
    if j < data.shape[1]:
        return data[:, j]
    return np.full(data.shape[0], "", dtype=object)


def _unit(c: Column, title: str | None, load: SheetLoad, issues: list[Issue]) -> tuple[float, bool]:
    """(factor to 元, unit was assumed) for a money column."""
    if c.unit in UNITS:
        load.units[c.spec.name] = f"{c.unit}（表头）"
        return UNITS[c.unit], False
    if title:
        load.units[c.spec.name] = f"{title}（表头上方“单位：{title}”）"
        issues.append(Issue(load.file, load.sheet, None, c.header,
                            f"{c.spec.zh}按表头上方的“单位：{title}”读取", "info"))
        return UNITS[title], False
    load.units[c.spec.name] = "元（未注明，按元读取）"
    return 1.0, True


def _fill(out: Loaded, sheet: T.Sheet, cols: list[Column], data: np.ndarray, rownum: np.ndarray,
          title_unit_: str | None, seen: dict[str, Seen]) -> None:
    load = out.load
    cleaned, assumed = _clean_all(cols, np.asfortranarray(data), title_unit_, out)   # columns contiguous
    del data
    # blank rows are not "read"
    keep = ~np.logical_and.reduce([x.empty for x in cleaned.values()])
    if not keep.all():
        rownum = rownum[keep]
        cleaned = {k: _take(x, keep) for k, x in cleaned.items()}
    # columns with neither header nor data are stray cells' width, not columns
    cols = [c for c in cols if c.spec or c.header or not cleaned[c.name].empty.all()]
    load.columns_unknown = [c.name for c in cols if c.spec is None]
    n = load.rows_read = len(rownum)

    total, reasons = _row_reasons(sheet, cols, cleaned, n)
    rejected = np.zeros(n, bool)
    rejected[list(reasons)] = True
    if sheet.key:
        _duplicates(sheet, cols, cleaned, rownum, rejected, reasons, seen, out)
    loaded = ~rejected
    qa = np.zeros(n, bool)
    ids = cleaned["asset_id"].values if "asset_id" in cleaned else None
    _place_check(sheet, cols, cleaned, loaded, qa, rownum, ids, out)
    _cell_issues(cols, cleaned, loaded, qa, rownum, ids, out)
    _unit_notes(assumed, cleaned, loaded, out)
    for i in sorted(reasons):
        out.issues.append(Issue(load.file, load.sheet, int(rownum[i]), reasons[i][0][0] or None,
                                "；".join(r for _, r in reasons[i]), "skipped" if total[i] else "rejected",
                                ids[i] if ids is not None and isinstance(ids[i], str) else None))
    # the report reads top to bottom: sheet-level notes, then by row
    out.issues.sort(key=lambda i: i.row or 0)
    load.rows_rejected = int(rejected.sum())
    load.rows_loaded = n - load.rows_rejected
    out.frame = _loaded_frame(sheet, cols, cleaned, loaded, qa, rownum, load.file, load.sheet)
    kept = _kept_as_written(sheet, cols, cleaned)
    if kept is not None:
        out.frame[KEPT_COLUMN] = pd.array(kept[loaded], dtype="str")
    out.empty_required = _empty_required(sheet, cols, cleaned, rownum, total, reasons)


# DQ2 (verification.md §2): the columns whose values the importer keeps as written (按原文保留)
# when they are none of the column's list nor a spelling it folds into one (template.py's
# `values`; 处置方式 has a list and no spellings).  Each loaded row gets KEPT_COLUMN: the
# canonical names of its cells kept so, ';'-joined (NULL when none) — what queries/dq/ reads,
# because only the importer knows a value was not folded.
KEPT_COLUMN = "dq_kept"
DQ2_COLUMNS = {
    "assets": ("category", "ownership_status", "owner_level", "platform", "operating_mode",
               "operating_status", "renewed", "disposal_status", "revitalisation_path", "batch_recorded"),
    "disposals": ("method",),
}
LISTS_WITHOUT_SPELLINGS = {"method": T.DISPOSAL_METHODS}


def _kept_as_written(sheet: T.Sheet, cols: list[Column], cleaned) -> np.ndarray | None:
    """Per row, the DQ2 columns whose value was kept as written; None for a sheet DQ2 skips."""
    names = DQ2_COLUMNS.get(sheet.name)
    if names is None:
        return None
    n = next(iter(cleaned.values())).empty.size if cleaned else 0
    out = np.full(n, None, dtype=object)
    for c in cols:
        if c.spec is None or c.spec.name not in names:
            continue
        x = cleaned[c.name]
        if c.spec.name in LISTS_WITHOUT_SPELLINGS:
            text = pd.Series(np.asarray(x.values, dtype=object))
            kept = (text.notna() & ~text.str.strip().isin(LISTS_WITHOUT_SPELLINGS[c.spec.name])).to_numpy(bool)
        elif x.status is not None:
            kept = x.status == C.DOUBT
        else:
            continue
        for i in np.flatnonzero(kept):
            out[i] = c.spec.name if out[i] is None else f"{out[i]};{c.spec.name}"
    return out


def _empty_required(sheet: T.Sheet, cols: list[Column], cleaned, rownum, total, reasons) -> list[tuple]:
    """DQ1: the 资产台账 rows rejected for an empty required cell (they are in the rejection report
    too): (row, column, asset_id, town, department) per empty cell."""
    if sheet.name != "assets" or not reasons:
        return []
    by_name = {c.spec.name: cleaned[c.name] for c in cols if c.spec}

    def cell(name, i):
        x = by_name.get(name)
        v = None if x is None or x.empty[i] else x.values[i]
        return None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)

    out = []
    for i in sorted(reasons):
        if total[i]:
            continue
        for c in sheet.required:
            x = by_name.get(c.name)
            if x is not None and x.empty[i]:
                out.append((int(rownum[i]), c.name, cell("asset_id", i), cell("town", i), cell("department", i)))
    return out


def _clean_all(cols: list[Column], data: np.ndarray, title_unit_: str | None,
               out: Loaded) -> tuple[dict[str, C.Cleaned], list[Column]]:
    """Every column cleaned by its type; unknown columns as text.  Also returns the
    money columns whose unit had to be assumed."""
    cleaned: dict[str, C.Cleaned] = {}
    assumed: list[Column] = []
    for c in cols:
        a = _col_data(data, c.index)
        if c.spec is None:
            cleaned[c.name] = C.texts(a)
            continue
        factor = 1.0
        if c.spec.kind == T.MONEY:
            factor, guess = _unit(c, title_unit_, out.load, out.issues)
            if guess:
                assumed.append(c)
        cleaned[c.name] = C.ids(a) if c.spec.name == "asset_id" else C.clean(a, c.spec, factor)
    return cleaned, assumed


def _row_reasons(sheet: T.Sheet, cols: list[Column], cleaned: dict[str, C.Cleaned],
                 n: int) -> tuple[np.ndarray, dict[int, list[tuple[str, str]]]]:
    """(合计 mask, row → [(header, reason)]) for rows that cannot be loaded."""
    reasons: dict[int, list[tuple[str, str]]] = {}
    total = _total_rows(cols, cleaned, n)
    for i in np.flatnonzero(total):
        reasons[int(i)] = [("", "合计行，未作为资产载入" if sheet.name == "assets" else "合计行，未载入")]
    for c in cols:
        if not (c.spec and c.spec.required):
            continue
        x = cleaned[c.name]
        status = x.status if x.status is not None else np.zeros(n, np.int8)
        for i in np.flatnonzero((x.empty | (status == C.BAD)) & ~total):
            why = f"必填列“{c.header}”为空" if x.empty[i] else f"“{c.header}”{x.notes[i]}"
            reasons.setdefault(int(i), []).append((c.header, why))
        if c.spec.kind in (T.ENUM, T.YESNO):          # unknown value in a required enum
            for i in np.flatnonzero((status == C.DOUBT) & ~total):
                reasons.setdefault(int(i), []).append((c.header, f"必填列“{c.header}”{x.notes[i]}"))
    return total, reasons


def _take(x: C.Cleaned, m: np.ndarray) -> C.Cleaned:
    return x.take(m)


def _total_rows(cols: list[Column], cleaned: dict[str, C.Cleaned], n: int) -> np.ndarray:
    """Rows whose first two non-empty cells (left to right) say 合计/小计/总计/累计."""
    total = np.zeros(n, bool)
    seen = np.zeros(n, np.int8)
    for c in sorted(cols, key=lambda c: c.index):
        if (seen >= 2).all():
            break
        x = cleaned[c.name]
        look = ~x.empty & (seen < 2)
        idx = np.flatnonzero(look)
        if idx.size and x.codes is not None:           # text columns: each distinct text once
            total[idx] |= _total_texts(x)[x.codes[idx]]
        elif idx.size and x.values.dtype == object:    # text columns: str or None
            s = pd.Series(x.values[idx], dtype="str")
            hit = s.str.contains(_TOTAL_RE.pattern, regex=True) & (s.str.len() <= 15)
            total[idx] |= hit.to_numpy(bool, na_value=False)
        seen[idx] += 1
    return total


def _total_texts(x: C.Cleaned) -> np.ndarray:
    """Which of a text column's distinct texts say 合计/小计/总计/累计 (at most 15 characters).  Every
    word of _TOTAL_RE ends in 计: pyarrow finds the few texts holding it, over the whole table at
    once (a column of 100,000 distinct names took 0.08 s one text at a time), and only those meet
    the regex."""
    try:
        arr = x.arrow_table()
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):      # not all text: one at a time
        return np.array([isinstance(t, str) and len(t) <= 15 and _TOTAL_RE.search(t) is not None
                         for t in x.table], bool)
    maybe = pc.and_(pc.match_substring(arr, "计"), pc.less_equal(pc.utf8_length(arr), 15))
    said = np.zeros(len(x.table), bool)
    for i in np.flatnonzero(pc.fill_null(maybe, False).to_numpy(zero_copy_only=False)):
        said[i] = _TOTAL_RE.search(x.table[i]) is not None
    return said


def _duplicates(sheet, cols, cleaned, rownum, rejected, reasons, seen, out: Loaded) -> None:
    """Keep the first row of each key (across files); reject the rest, naming the first."""
    key_col = next(c for c in cols if c.spec and c.spec.name == sheet.key)
    keys = cleaned[key_col.name].values
    cand = np.flatnonzero(~rejected)
    k = pd.Series(keys[cand], dtype=object)
    dup = k.duplicated(keep="first").to_numpy(bool)
    before, where = seen.setdefault(sheet.name, Seen()).first(keys[cand])
    label = f"“{out.load.file}”{out.load.sheet}"
    if dup.any():
        firsts = k[~dup & k.duplicated(keep=False).to_numpy(bool)]
        first_row = dict(zip(firsts.to_numpy(), rownum[cand][firsts.index.to_numpy()]))
        for p in np.flatnonzero(dup & ~before):
            where[p] = f"{label}第{first_row[keys[cand[p]]]}行"
    bad = dup | before
    zh = key_col.header
    for p in np.flatnonzero(bad):
        i = int(cand[p])
        reasons[i] = [(zh, f"重复的{sheet.column(sheet.key).zh}“{keys[i]}”，已保留首次出现（{where[p]}）")]
        rejected[i] = True
    kept = cand[~bad]
    out.keys = (sheet.name, pd.Index(keys[kept]), rownum[kept], out.load.file, out.load.sheet)


def _place_check(sheet, cols, cleaned, loaded, qa, rownum, ids, out: Loaded) -> None:
    """Check (所在镇, 所在嘎查村) against places.py, one call per distinct pair."""
    names = {c.spec.name: c for c in cols if c.spec}
    if sheet.name not in PLACE_SHEETS or "town" not in names:
        return
    town = cleaned[names["town"].name]
    vill = cleaned[names["village"].name] if "village" in names else None
    tv = town.values
    vv = vill.values if vill is not None else np.full(len(tv), None, dtype=object)
    tc, tu = pd.factorize(tv, use_na_sentinel=True)
    vc, vu = pd.factorize(vv, use_na_sentinel=True)
    pair = (tc.astype(np.int64) + 1) * (len(vu) + 1) + (vc + 1)
    upair, inv = np.unique(pair, return_inverse=True)
    res = []
    for p in upair:
        t, v = divmod(int(p), len(vu) + 1)
        res.append(places.match_place(tu[t - 1] if t else None, vu[v - 1] if v else None))
    town.values, town.codes = np.array([r.town for r in res], dtype=object)[inv], None
    if vill is not None:
        vill.values, vill.codes = np.array([r.village for r in res], dtype=object)[inv], None
    for key, attr in (("town", "town"), ("village", "village")):
        if key not in names:
            continue
        kinds = np.array([getattr(r, attr + "_kind") for r in res], dtype=object)[inv]
        notes = np.array([getattr(r, attr + "_note") for r in res], dtype=object)[inv]
        hdr = names[key].header
        flag = (kinds != None) & loaded  # noqa: E711 (elementwise)
        qa |= flag
        for i in np.flatnonzero(flag):
            out.issues.append(Issue(out.load.file, out.load.sheet, int(rownum[i]), hdr,
                                    f"{'所在镇' if key == 'town' else '所在嘎查村'}{notes[i]}", kinds[i],
                                    ids[i] if ids is not None else None))


def _cell_issues(cols, cleaned, loaded, qa, rownum, ids, out: Loaded) -> None:
    """Corrections and doubts in the cells of loaded rows."""
    for c in cols:
        x = cleaned[c.name]
        if x.status is None:
            continue
        idx = x.flagged(loaded)
        if not idx.size:
            continue
        qa[idx] = True
        for i in idx:
            st = x.status[i]
            reason = f"“{c.header}”{x.notes[i]}"
            if st == C.BAD:
                reason += "，已置空"
            elif st == C.DOUBT and c.spec is not None and c.spec.kind in (T.ENUM, T.YESNO):
                reason += "，按原文保留"
            out.issues.append(Issue(out.load.file, out.load.sheet, int(rownum[i]), c.header, reason,
                                    "corrected" if st == C.CORRECTED else "doubt",
                                    ids[i] if ids is not None else None))


def _unit_notes(assumed: list[Column], cleaned, loaded, out: Loaded) -> None:
    for c in assumed:
        v = cleaned[c.name].values[loaded]
        v = v[np.isfinite(v)]
        reason = f"{c.spec.zh}未注明单位，按元读取"
        if looks_like_wan(v):
            reason += "；数值偏小，疑为万元，请核对"
        out.issues.append(Issue(out.load.file, out.load.sheet, None, c.header, reason, "info"))


def _loaded_frame(sheet, cols, cleaned, loaded, qa, rownum, file, sname) -> pd.DataFrame:
    data = {}
    for c in sorted(cols, key=lambda c: _order(sheet, c)):
        kind = c.spec.kind if c.spec else T.TEXT
        if kind in (T.TEXT, T.ENUM, T.YESNO):
            data[c.name] = cleaned[c.name].text_array(loaded)
        else:
            data[c.name] = cleaned[c.name].values[loaded]
    n = int(loaded.sum())
    data["source_file"] = pd.array([file] * n, dtype="str")
    data["source_sheet"] = pd.array([sname] * n, dtype="str")
    data["source_row"] = rownum[loaded].astype(np.int64)
    data["qa"] = qa[loaded]
    return pd.DataFrame(data)


def _order(sheet: T.Sheet, c: Column) -> tuple[int, int]:
    """Template order for template columns, then unknown columns as in the file."""
    if c.spec is None:
        return 1, c.index
    return 0, sheet.columns.index(c.spec)
