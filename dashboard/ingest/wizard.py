"""The mapping step of 数据上传, without Streamlit: what a sheet's headers could mean, ranked;
the distinct values of a column; a profile written as TOML; saved profiles listed, renamed
and deleted.  The page (pages/upload.py, dashboard/ui/mapping.py) only draws these."""
from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dashboard import template as T

from . import clean as C
from .header import find_header, looks_like_wan, norm, plausible, split_unit, title_unit, top_texts
from .profiles import (PLACE_PAIR, ProfileError, authority_dir, folder_name, legacy_owners, parse, read_profile,
                       saved_dir)

SAMPLE_ROWS = 50
HISTORY = "历史版本"        # replaced and deleted profiles, kept to go back to


@dataclass
class SheetView:
    """A sheet as the wizard shows it: its header row (0-based), headers and some values."""
    header_row: int
    headers: list[str]
    samples: dict[str, list] = field(default_factory=dict)   # header → values below it


def view(grid: list[list], header_row: int | None = None) -> SheetView:
    """The header row is the one given, else the first row with the most texts among the top."""
    top = top_texts(grid)
    if header_row is None:
        counts = [sum(1 for c in row if c and not _numeric(c)) for row in top]
        header_row = counts.index(max(counts)) if counts else 0
    names = top[header_row] if header_row < len(top) else []
    headers, samples = [], {}
    for j, h in enumerate(names):
        if not h or h in samples:
            continue
        headers.append(h)
        samples[h] = [r[j] for r in grid[header_row + 1:header_row + 1 + SAMPLE_ROWS]
                      if j < len(r) and r[j] not in (None, "")]
    return SheetView(header_row, headers, samples)


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,.]+", text))


def _project_header(base: str) -> bool:
    """项目编号, 项目代码, 项目名称 …: a header naming the project, not the asset."""
    return base.startswith("项目") and "资产" not in base and base.endswith(("编号", "代码", "名称", "序号"))


def _asset_header(base: str) -> bool:
    """资产编号, 资产代码, 资产名称, 项目资产名称 …: a header naming the asset itself."""
    return "资产" in base and base.endswith(("编号", "代码", "名称"))


_PROJECT_TITLE = re.compile(r"项目(?:汇总|清单|明细|计划|库|实施|台账|一览)")


def projects_not_assets(grid: list[list], sheet: SheetView | None = None) -> list[str] | None:
    """The project headers (or title) of a sheet whose rows are projects, not assets — an
    annex such as 附件5-1 项目汇总表: it names projects (项目编号, 项目名称) and no asset
    (资产编号, 资产名称); None when it may hold assets."""
    sheet = sheet or view(grid)
    bases = [split_unit(h)[0] for h in sheet.headers]
    if any(_asset_header(b) for b in bases):
        return None
    named = [h for h, b in zip(sheet.headers, bases) if _project_header(b)]
    titles = [c for row in top_texts(grid)[:sheet.header_row] for c in row if c and _PROJECT_TITLE.search(c)]
    return (named or titles[:1]) or None


def propose(sheet_name: str, grid: list[list], loaded_as: str | None) -> tuple[str, str]:
    """(kind, why) the mapping step pre-selects for a sheet: what the import read it as
    ("skip" when a profile skipped it); 跳过 for instructions, an empty sheet and a sheet of
    projects; else the kind it came closest to; 资产台账 when nothing is recognised."""
    if loaded_as:
        return loaded_as, ""
    if "说明" in sheet_name:
        return "skip", "填表说明，不是台账"
    sheet = view(grid)
    if not sheet.headers:
        return "skip", "表中没有内容"
    named = projects_not_assets(grid, sheet)
    if named:
        what = "、".join(f"“{h}”" for h in named)
        return "skip", f"此表每行是一个项目（{what}），没有资产编号或资产名称，不是资产台账"
    h = find_header(grid, tuple(s.name for s in T.SHEETS))
    if h is not None and plausible(h):
        return h.kind, ""
    return (h.kind if h is not None else "assets"), ""


def unit_hint(grid: list[list], sheet: SheetView, money_header: str) -> tuple[str, str]:
    """(unit, why) to pre-set for money columns whose header states no unit: the “单位：”
    line above the table; else 万元 when the amounts are suspiciously small for 元 (the
    importer's “数值偏小，疑为万元”); else 元."""
    above = title_unit(grid[:sheet.header_row])
    if above:
        return above, f"表头上方注明“单位：{above}”"
    values = []
    for v in sheet.samples.get(money_header, []):
        try:
            values.append(float(str(v).replace(",", "")))
        except ValueError:
            continue
    if looks_like_wan(values):
        return "万元", f"“{money_header}”数值偏小，疑为万元，已预选万元；如确为元，请改选“元”"
    return "元", ""


def rank(column: T.Column, sheet: SheetView) -> list[tuple[str, float]]:
    """The sheet's headers ranked for one canonical column: by name (the column's Chinese
    header and its variants) and by whether the values look like it (dates, money, years,
    the enumeration's words).  Best first; a score of 0 is no guess at all."""
    names = [norm(column.zh)] + [norm(v) for v in column.variants]
    out = []
    for h in sheet.headers:
        base = split_unit(h)[0]
        if column.name == "asset_id" and _project_header(base):
            continue                     # 项目编号 beside 资产编号 is not the same thing
        by_name = max(difflib.SequenceMatcher(None, base, n).ratio() for n in names)
        if base in names:
            by_name = 1.0
        out.append((h, round(0.7 * by_name + 0.3 * _fits(column, sheet.samples.get(h, [])), 3)))
    return sorted(out, key=lambda x: -x[1])


_FITS: dict[tuple, float] = {}       # (template column, sample values) → _fits: every rerun of the page asks again


def _fits(column: T.Column, values: list) -> float:
    """Share of sample values that the column's cleaner reads without complaint."""
    if not values:
        return 0.0
    if column.kind == T.TEXT:
        return 0.5
    try:
        key = (id(column), tuple(values))     # template columns live as long as the process
        hash(key)
    except TypeError:
        return _fits_now(column, values)
    if key not in _FITS:
        if len(_FITS) > 20_000:
            _FITS.clear()
        _FITS[key] = _fits_now(column, values)
    return _FITS[key]


def _fits_now(column: T.Column, values: list) -> float:
    got = C.clean(np.array(values, dtype=object), column)
    status = got.status if got.status is not None else np.zeros(len(values), np.int8)
    return float(np.mean((status == C.OK) & ~got.empty))


def _names(column: T.Column) -> set[str]:
    return {norm(column.zh)} | {norm(v) for v in column.variants}


def exact_headers(sheet: T.Sheet, view: SheetView) -> dict[str, str]:
    """Header → the canonical column it names exactly (its Chinese name or a variant)."""
    out = {}
    for h in view.headers:
        base = split_unit(h)[0]
        owner = next((c.name for c in sheet.columns if base in _names(c)), None)
        if owner:
            out[h] = owner
    return out


def best_guess(column: T.Column, sheet: SheetView, threshold: float = 0.55,
               exclude: set[str] = frozenset(), exact: dict[str, str] | None = None) -> str | None:
    """The header the column names exactly, else the best-ranked header not already taken
    and not another column's exact name, if it scores at least `threshold`.  (A date column
    must not take 合同起始日期 for 停运日期 just because both hold dates: our own template maps
    to itself.)"""
    exact = exact or {}
    own = [h for h, c in exact.items() if c == column.name and h not in exclude]
    if own:
        return own[0]
    ranked = [(h, score) for h, score in rank(column, sheet) if h not in exclude and h not in exact]
    return ranked[0][0] if ranked and ranked[0][1] >= threshold else None


def distinct(sheet: SheetView, header: str, limit: int = 30) -> list[str]:
    """The distinct values found under a header (for a value map), most frequent first."""
    seen: dict[str, int] = {}
    for v in sheet.samples.get(header, []):
        s = str(v).strip()
        if s:
            seen[s] = seen.get(s, 0) + 1
    return [v for v, _ in sorted(seen.items(), key=lambda kv: -kv[1])][:limit]


def unknown_values(column: T.Column, values: list[str]) -> list[str]:
    """The values an enumeration does not read by itself (they need a value map)."""
    if not values:
        return []
    got = C.clean(np.array(values, dtype=object), column)
    if got.status is None:
        return []
    return [v for v, st in zip(values, got.status) if st != C.OK]


def toml_text(name: str, entries: list[dict], note: str = "") -> str:
    """A profile as mapping-profiles.md writes it (strings quoted as TOML basic strings)."""
    q = lambda s: json.dumps(str(s), ensure_ascii=False)   # noqa: E731 — JSON strings are TOML strings
    lines = [f"name = {q(name)}"] + ([f"note = {q(note)}"] if note else [])
    for e in entries:
        lines += ["", "[[sheets]]", f"match = {q(e['match'])}", f"kind = {q(e['kind'])}"]
        if e.get("header_row"):
            lines.append(f"header_row = {int(e['header_row'])}")
        if e.get("unit"):
            lines.append(f"unit = {q(e['unit'])}")
        if e.get("columns"):
            lines += ["", "[sheets.columns]"]
            for src, dst in e["columns"].items():
                value = "[" + ", ".join(q(x) for x in PLACE_PAIR) + "]" if dst == list(PLACE_PAIR) else q(dst)
                lines.append(f"{q(src)} = {value}")
        if e.get("values"):
            lines += ["", "[sheets.values]"]
            for col, m in e["values"].items():
                lines.append(f"{q(col)} = {{ " + ", ".join(f"{q(a)} = {q(b)}" for a, b in m.items()) + " }")
        if e.get("constants"):
            lines += ["", "[sheets.constants]"]
            lines += [f"{q(col)} = {q(v)}" for col, v in e["constants"].items()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Saved:
    """A saved profile as the mapping step lists it."""
    name: str
    path: Path
    authority: str | None          # None: the administrator's (applies to every upload)
    owner: str | None              # the account that saved it

    @property
    def key(self) -> str:
        return _key(self.path)


def _key(path: Path) -> str:
    """The profile's file relative to mappings/ ("x.toml", "城川镇/x.toml"): its owner's key."""
    return path.relative_to(saved_dir()).as_posix()


def _folder(authority: str | None) -> Path:
    return authority_dir(authority) if authority else saved_dir()


def _file_for(name: str, authority: str | None = None) -> Path:
    return _folder(authority) / f"{folder_name(name, empty='方案')}.toml"


def _owners() -> dict[str, str]:
    from dashboard import store
    if not store.exists():
        return {}
    from dashboard.store import settings
    return settings.profile_owners()


def save(name: str, text: str, authority: str | None = None, owner: str | None = None,
         replace: bool = False) -> Path:
    """Check the profile (ProfileError if wrong) and save it among `authority`'s profiles
    (None: the administrator's).  A name is unique per owner: another account's profile is
    never replaced, and one's own only with `replace`, the old file kept under 历史版本/."""
    parse(tomllib.loads(text), name)
    path = _file_for(name, authority)
    if path.exists():
        holder = _owners().get(_key(path))
        if holder and owner and holder != owner:
            raise ProfileError(f"导入方案“{name}”已由{holder}保存，不能覆盖；请换一个名称")
        if not replace:
            raise ProfileError(f"已有同名导入方案“{name}”；如需覆盖，请勾选“覆盖同名导入方案”（原方案留作历史版本）")
        _keep_version(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)                  # never a half-written profile for a concurrent import
    if owner:
        from dashboard.store import settings
        settings.set_profile_owner(_key(path), owner)
    return path


def _keep_version(path: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    kept = path.parent / HISTORY / f"{path.stem}.{stamp}.toml.bak"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, kept)
    return kept


def listing(authority: str | None = None, everyone: bool = False) -> list[Saved]:
    """The saved profiles a user is shown: the administrator's and `authority`'s own, or every
    authority's (`everyone`, the administrator)."""
    folder = saved_dir()
    if not folder.is_dir():
        return []
    legacy, owners = legacy_owners(), _owners()
    folders = [folder] + (sorted(p for p in folder.iterdir() if p.is_dir() and p.name != HISTORY) if everyone
                          else [authority_dir(authority)] if authority else [])
    out = []
    for sub in folders:
        for path in sorted(sub.glob("*.toml")):
            holder = legacy.get(path.name) if sub == folder else sub.name
            if not everyone and holder not in (None, authority):
                continue
            try:
                name = read_profile(path).name
            except ProfileError:
                name = f"（无法读取）{path.stem}"
            out.append(Saved(name, path, holder, owners.get(_key(path))))
    return out


def rename(saved: Saved, new_name: str) -> Path:
    text = saved.path.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^name\s*=.*$', f"name = {json.dumps(new_name, ensure_ascii=False)}", text, count=1)
    folder = saved.authority if saved.path.parent != saved_dir() else None   # a legacy file stays at the top
    target = _file_for(new_name, folder)
    if target.exists() and target != saved.path:
        raise ProfileError(f"已有同名导入方案“{new_name}”；请换一个名称")
    new = save(new_name, text, folder, saved.owner, replace=True)
    if new != saved.path:
        _keep_version(saved.path)
        saved.path.unlink(missing_ok=True)
    return new


def delete(saved: Saved) -> Path:
    """Delete a saved profile; its last text is kept under 历史版本/ (returned)."""
    kept = _keep_version(saved.path)
    saved.path.unlink(missing_ok=True)
    return kept
