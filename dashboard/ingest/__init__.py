"""Ledger importer: uploads (xlsx/xlsm/xls/ods/csv) → typed tables + rejection report.

    from dashboard.ingest import load_files
    result = load_files(["台账.xlsx", ("上传.csv", b"...")])
    result.tables["assets"], result.issues, result.usable

load_files never raises on bad input: every unusable file or sheet becomes a
Chinese message in result.fatal, every row not loaded an Issue.
"""
from __future__ import annotations

import logging
from functools import partial

import pandas as pd

from dashboard import template as T

from .mapped import sheet_headers
from .profiles import Profile, ProfileError, choose, read_profile, saved_profiles
from .jobs import Batch
from .read import source
from .report import KIND_ZH, ImportResult, Issue, SheetLoad, UnusableInput
from .sheet import KEPT_COLUMN, Loaded, Seen, load_sheet
from .worker import Limits

__all__ = ["load_files", "ImportResult", "Issue", "SheetLoad", "UnusableInput", "KIND_ZH",
           "Profile", "ProfileError", "read_profile"]
log = logging.getLogger(__name__)
MAX_BYTES = 200 * 1024 * 1024
NO_ASSETS = ("未找到资产台账：请上传含“资产台账”工作表（或含资产编号、资产名称、资产类别、所在镇、"
             "建成年度、资产原值表头）的文件")


def load_files(files, max_bytes: int = MAX_BYTES, mappings: list[Profile] | tuple = (),
               use_saved: bool = True, memory_mb: int | None = None,
               seconds: float | None = None, authority: str | None = None) -> ImportResult:
    """`mappings`: profiles given for this import (--mapping, or chosen on the upload page);
    saved profiles apply by themselves unless `use_saved` is off: the administrator's, and
    — for an upload by a town or department (`authority`) — that authority's own.
    `memory_mb` / `seconds`: ceiling and time limit of the worker processes that parse each
    file (default $ZCPH_IMPORT_MEMORY_MB / $ZCPH_IMPORT_SECONDS, else 8 GB / 600 s)."""
    result = ImportResult()
    frames: dict[str, list[pd.DataFrame]] = {}
    seen: dict[str, Seen] = {}
    closest: list[str] = []          # sheets not loaded, with the kind they came closest to
    profiles = _profiles(result, mappings, use_saved, authority)
    with Batch(Limits.resolve(memory_mb, seconds), partial(_read_sheet, profiles)) as batch:
        for f in files:
            try:
                batch.add(*source(f, max_bytes))
            except UnusableInput as e:
                batch.refuse(_name(f), str(e))
            except Exception as e:            # e.g. no room for the upload's temporary copy
                log.exception("import of %s failed", _name(f))
                batch.refuse(_name(f), f"文件“{_name(f)}”读取失败（{type(e).__name__}），请检查文件是否完整")
        for file in batch.run():        # every file parsed in worker processes (jobs.py)
            name = file.name
            try:
                if file.fatal:
                    raise UnusableInput(file.fatal)
                found = False
                for out in file.loaded(seen):
                    found |= out.load.kind is not None
                    if out.closest:
                        closest.append(out.closest)
                    _commit(result, frames, seen, out)
                result.issues.extend(file.doubts)
                if not found:
                    result.issues.append(Issue(name, None, None, None, f"文件“{name}”中没有可识别的台账工作表", "info"))
            except UnusableInput as e:
                _fatal(result, name, None, str(e))
            except Exception as e:            # a bug: report, never a traceback
                log.exception("import of %s failed", name)
                _fatal(result, name, None, f"文件“{name}”读取失败（{type(e).__name__}），请检查文件是否完整")
    for kind, parts in frames.items():
        result.tables[kind] = _concat(kind, parts)
    result.auto_profiles = _auto(result, profiles)
    if "income" in result.tables:
        result.issues.extend(_summed_income_years(result.tables["income"]))
    if "assets" in result.tables:
        result.issues.extend(_orphan_rows(result))
    if "assets" not in result.tables and not any("资产台账" in m for m in result.fatal):
        near = [c for c in closest if "最接近资产台账" in c]
        result.fatal.append(NO_ASSETS + ("。" + "；".join(near) if near else ""))
    return result


def _profiles(result: ImportResult, mappings, use_saved: bool, authority: str | None) -> list[Profile]:
    if not use_saved:
        return list(mappings)
    saved, problems = saved_profiles(authority)
    for message in problems:          # a broken saved profile is said, and the import goes on
        result.issues.append(Issue("导入方案", None, None, None, message, "info"))
    given = {p.name for p in mappings}
    return list(mappings) + [p for p in saved if p.name not in given]


def _auto(result: ImportResult, profiles: list[Profile]) -> dict[str, list[str]]:
    """Saved profiles applied by themselves (name → "file/sheet"), for the audit trail."""
    saved = {p.name for p in profiles if p.saved}
    out: dict[str, list[str]] = {}
    for s in result.sheets:
        if s.profile in saved:
            out.setdefault(s.profile, []).append(f"{s.file}/{s.sheet}")
    return out


def _read_sheet(profiles: list[Profile], file: str, sheet_name: str, grid, seen) -> Loaded:
    """Run in a worker process for each sheet read: the profile entry that fits, then the sheet
    loaded (the note on disagreeing saved profiles goes first among its issues)."""
    rule, note = choose(profiles, file if sheet_name == "CSV" else sheet_name, sheet_headers(grid))
    out = _load(file, sheet_name, grid, seen, rule)
    if note:
        out.issues.insert(0, Issue(file, sheet_name, None, None, note, "info"))
    return out


def _load(file: str, sheet_name: str, grid, seen, rule=None) -> Loaded:
    """One sheet; an unexpected error spoils only this sheet (nothing is half-committed)."""
    try:
        return load_sheet(file, sheet_name, grid, seen, rule)
    except MemoryError:               # the worker's ceiling: the whole read stops, with its message
        raise
    except Exception as e:
        log.exception("sheet %s / %s failed", file, sheet_name)
        msg = f"文件“{file}”的工作表“{sheet_name}”无法读取（{type(e).__name__}）"
        out = Loaded(SheetLoad(file, sheet_name, None))
        out.fatal = msg
        out.issues.append(Issue(file, sheet_name, None, None, msg, "fatal"))
        return out


def _commit(result: ImportResult, frames, seen, out: Loaded) -> None:
    result.sheets.append(out.load)
    result.issues.extend(out.issues)
    if out.fatal:
        result.fatal.append(out.fatal)
    result.empty_required.extend((out.load.file, out.load.sheet, *r) for r in out.empty_required)
    if out.data_date and (result.data_date is None or out.data_date > result.data_date):
        result.data_date = out.data_date
    if out.frame is not None:
        frames.setdefault(out.load.kind, []).append(out.frame)
        present = {c for c in out.frame.columns if c in _canonical(out.load.kind)}
        result.columns.setdefault(out.load.kind, set()).update(present)
    if out.keys:
        kind, index, rows, file, sheet = out.keys
        seen.setdefault(kind, Seen()).keys.append((index, rows, file, sheet))


def _canonical(kind: str) -> set[str]:
    return {c.name for c in T.SHEET_BY_NAME[kind].columns}


def _concat(kind: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack sheets of one kind; a column missing from a part is empty there."""
    if len(parts) == 1:
        return parts[0]
    frame = pd.concat(parts, ignore_index=True)
    order = [c.name for c in T.SHEET_BY_NAME[kind].columns if c.name in frame.columns]
    tail = ("source_file", "source_sheet", "source_row", "qa")
    kept = [KEPT_COLUMN] if KEPT_COLUMN in frame.columns else []     # DQ2's mark, not a column of the file
    rest = [c for c in frame.columns if c not in order and c not in tail and c not in kept]
    frame = frame[order + rest + list(tail) + kept]
    for c in order:
        spec = T.SHEET_BY_NAME[kind].column(c)
        if spec.kind in (T.TEXT, T.ENUM, T.YESNO):
            frame[c] = frame[c].astype("str")
    for c in rest:
        frame[c] = frame[c].astype("str")
    return frame


def _orphan_rows(result: ImportResult) -> list[Issue]:
    """Rows of the other sheets naming a 资产编号 the asset ledger lacks (policy-rules §9):
    loaded, in no asset rule, each listed as a doubt and counted per sheet (orphan_rows)."""
    # Looked up in Arrow (pyarrow's is_in), not Series.isin(set): that loops in Python over arrow
    # strings (2 s at 100k); an Index of Python strings took 0.15 s of CPU to make and search.
    known = _arrow_text(result.tables["assets"].asset_id)
    issues = []
    for kind in ("income", "distribution", "disposals", "problems"):
        frame = result.tables.get(kind)
        if frame is None or "asset_id" not in frame.columns:
            continue
        is_orphan = frame.asset_id.notna() & ~_known(frame.asset_id, known)
        frame.loc[is_orphan, "qa"] = True        # a doubt on the row, like any other
        orphan = frame[is_orphan]
        for r in orphan.itertuples(index=False):
            issues.append(Issue(str(r.source_file), str(r.source_sheet), int(r.source_row), "资产编号",
                                f"资产编号“{r.asset_id}”不在资产台账中，本行已载入但不参与资产规则", "doubt",
                                str(r.asset_id)))
        counts = orphan.groupby(["source_file", "source_sheet"]).size()
        for load in result.sheets:
            if load.kind == kind:
                load.orphan_rows = int(counts.get((load.file, load.sheet), 0))
    return issues


def _arrow_text(ids: pd.Series):
    """A text column as a pyarrow array, or (not all text) its Python objects without NaN."""
    import pyarrow as pa
    try:
        return _flat(pa.array(ids.array)).drop_null()
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pd.Index(ids.dropna().to_numpy(object))


def _flat(array):
    """One pyarrow Array: a column pandas keeps in Arrow (string[pyarrow]) comes back chunked."""
    import pyarrow as pa
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _known(ids: pd.Series, known) -> pd.Series:
    """Which ids are among `known` (an _arrow_text); a missing id is not."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if isinstance(known, pa.Array):
        try:
            found = pc.is_in(_flat(pa.array(ids.array)), value_set=known).to_numpy(zero_copy_only=False)
            return pd.Series(found, index=ids.index)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
            known = pd.Index(known.drop_null().to_pylist())
    return pd.Series(known.get_indexer(ids.to_numpy(object)) >= 0, index=ids.index) & ids.notna()


def _summed_income_years(income: pd.DataFrame) -> list[Issue]:
    """Several 收益台账 rows for one asset and year are summed by every rule (policy-rules §9):
    loaded as they are, and listed once per asset and year as a doubt."""
    if not {"asset_id", "year"} <= set(income.columns):
        return []
    keyed = income[income.asset_id.notna() & income.year.notna()]
    repeated = keyed[keyed.duplicated(["asset_id", "year"], keep=False)]
    issues = []
    for (asset_id, year), rows in repeated.groupby(["asset_id", "year"], sort=False):
        first = rows.iloc[0]
        income.loc[rows.index[0], "qa"] = True          # the row the doubt is listed on
        where = "、".join(f"第{int(r)}行" for r in rows.source_row)
        issues.append(Issue(str(first.source_file), str(first.source_sheet), int(first.source_row), None,
                            f"同一资产同一年度有{len(rows)}行收益记录，已合计（资产编号“{asset_id}”，"
                            f"{int(year)}年度：{where}）", "doubt", str(asset_id)))
    return issues


def _fatal(result: ImportResult, file: str, sheet, msg: str) -> None:
    result.fatal.append(msg)
    result.issues.append(Issue(file, sheet, None, None, msg, "fatal"))


def _name(f) -> str:
    from pathlib import Path
    try:
        return Path(str(f[0] if isinstance(f, tuple) else getattr(f, "name", f))).name
    except Exception:
        return str(f)
