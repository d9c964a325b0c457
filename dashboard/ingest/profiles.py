"""Import mapping profiles (../shared/spec/mapping-profiles.md): which sheet is which ledger
and which column is which canonical column, told once and remembered.

A profile is a TOML file.  `read_profile` parses and checks it (a wrong kind or column is a
Chinese error naming the profile, sheet entry and column — never a silent no-op);
`choose` picks the entry that applies to one sheet; the importer (sheet.py) then forces
the kind, header row, column pairs, value maps, constants and unit that entry states.
Saved profiles live in $ZCPH_DATA_DIR/mappings/*.toml and apply by themselves when a sheet
matches an entry and holds every source header it maps.
"""
from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dashboard import template as T

from .header import norm, split_unit
from .report import UnusableInput

KINDS = {s.name for s in T.SHEETS} | {"skip"}
PLACE_PAIR = ("所在镇", "所在嘎查村")      # one source column holding both: split against places


class ProfileError(UnusableInput):
    """A profile that cannot be applied as written; the message is Chinese."""


@dataclass(frozen=True)
class SheetRule:
    profile: str                                   # the profile's name, for messages and summary.json
    kind: str
    match: str | None = None                       # sheet name (or CSV file name), exact or a glob
    headers: tuple[str, ...] = ()                  # every listed header present
    header_row: int | None = None                  # 1-based
    unit: str | None = None                        # 万元 | 元
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()   # source header → canonical column names
    values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()   # canonical → (source, canonical)
    constants: tuple[tuple[str, str], ...] = ()    # canonical column → the value of every row

    def matches(self, sheet_name: str, headers: set[str]) -> bool:
        """Does this entry name the sheet (match and/or headers, both when both are given)?"""
        by_name = self.match is None or fnmatch.fnmatchcase(norm(sheet_name), norm(self.match))
        by_headers = all(key(h) in headers for h in self.headers)
        return by_name and by_headers and (self.match is not None or bool(self.headers))

    def holds_sources(self, headers: set[str]) -> bool:
        return all(key(src) in headers for src, _ in self.columns)


@dataclass(frozen=True)
class Profile:
    name: str
    note: str = ""
    sheets: tuple[SheetRule, ...] = ()
    path: str | None = None
    saved: bool = False                            # from the data folder (applies by itself)


@dataclass
class Applied:
    """What a profile did to one sheet (SheetLoad.profile and summary.json)."""
    profile: str
    pairs: dict[str, str] = field(default_factory=dict)   # source header → canonical (Chinese)


def key(header) -> str:
    """A header as profiles compare it: normalised, without a unit suffix such as （万元）."""
    return split_unit(str(header))[0] if header not in (None, "") else ""


def read_profile(path: str | Path, saved: bool = False) -> Profile:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError(f"导入方案文件“{path.name}”无法读取（{type(e).__name__}）") from None
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(f"导入方案文件“{path.name}”格式有误：{e}") from None
    return parse(data, path.name, str(path), saved)


def parse(data: dict, label: str, path: str | None = None, saved: bool = False) -> Profile:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProfileError(f"导入方案“{label}”缺少名称（name）")
    entries = data.get("sheets") or []
    if not isinstance(entries, list) or not entries:
        raise ProfileError(f"导入方案“{name}”没有任何工作表条目（[[sheets]]）")
    rules = tuple(_rule(name, i + 1, e) for i, e in enumerate(entries))
    return Profile(name.strip(), str(data.get("note") or ""), rules, path, saved)


def _rule(profile: str, n: int, e: dict) -> SheetRule:
    where = f"导入方案“{profile}”第{n}个工作表条目"
    kind = e.get("kind")
    if kind not in KINDS:
        raise ProfileError(f"{where}的类型“{kind}”不存在（应为 assets、income、distribution、disposals、problems 或 skip）")
    match, headers = e.get("match"), tuple(str(h) for h in e.get("headers") or ())
    if not match and not headers:
        raise ProfileError(f"{where}既没有 match 也没有 headers，无法判断用于哪个工作表")
    unit = e.get("unit")
    if unit not in (None, "万元", "元"):
        raise ProfileError(f"{where}的单位“{unit}”无效（应为“万元”或“元”）")
    header_row = e.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise ProfileError(f"{where}的表头行号“{header_row}”无效")
    if kind == "skip":
        return SheetRule(profile, kind, match, headers)
    sheet = T.SHEET_BY_NAME[kind]
    zh = {c.zh for c in sheet.columns}

    def canonical(name: str, what: str) -> str:
        if name not in zh:
            raise ProfileError(f"{where}（{sheet.zh}）的{what}“{name}”不是{sheet.zh}的列")
        return name

    columns = []
    for src, dst in (e.get("columns") or {}).items():
        targets = tuple(dst) if isinstance(dst, list) else (dst,)
        if len(targets) > 1 and targets != PLACE_PAIR:
            raise ProfileError(f"{where}：一列对应多列只支持 [\"所在镇\", \"所在嘎查村\"]（列“{src}”）")
        columns.append((str(src), tuple(canonical(str(t), f"列“{src}”对应的列") for t in targets)))
    values = tuple((canonical(col, "值映射列"), tuple((str(a), str(b)) for a, b in m.items()))
                   for col, m in (e.get("values") or {}).items())
    constants = tuple((canonical(col, "常量列"), str(v)) for col, v in (e.get("constants") or {}).items())
    return SheetRule(profile, kind, match, headers, header_row, unit, tuple(columns), values, constants)


def saved_dir() -> Path:
    """The administrator's saved profiles: they apply to every upload and to the command line."""
    from dashboard import snapshots
    return snapshots.data_dir() / "mappings"


def authority_dir(authority: str) -> Path:
    """A town's or department's saved profiles: they apply only to that authority's uploads."""
    return saved_dir() / folder_name(authority)


def folder_name(text: str, empty: str = "_") -> str:
    """A name made safe as a file or folder name (profiles' files and authorities' folders)."""
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", text).strip("_") or empty


def legacy_owners() -> dict[str, str]:
    """Profiles saved at the top of mappings/ by a town or department account before profiles
    had owners' folders (file name → that account's authority): they are that authority's,
    not the administrator's, so they stop applying to everyone's uploads."""
    from dashboard import store
    if not store.exists():
        return {}
    from dashboard.store import accounts, settings
    out = {}
    for file_name, owner in settings.profile_owners().items():
        if "/" in file_name:
            continue
        account = accounts.get(owner)
        if account is not None and account.role in ("town", "department"):
            out[file_name] = account.department or account.town
    return out


def saved_paths(authority: str | None = None) -> list[Path]:
    """The saved profile files that apply by themselves: the administrator's, plus the given
    authority's own (its folder, and its profiles left at the top by an earlier version)."""
    folder = saved_dir()
    if not folder.is_dir():
        return []
    legacy = legacy_owners()
    paths = [p for p in sorted(folder.glob("*.toml")) if legacy.get(p.name, authority) == authority]
    if authority:
        paths += sorted(authority_dir(authority).glob("*.toml"))
    return paths


def saved_profiles(authority: str | None = None) -> tuple[list[Profile], list[str]]:
    """The saved profiles that apply to an upload of `authority` (None: the administrator's
    and the command line's — only the administrator's), and a Chinese line for each file
    that could not be read."""
    out, problems = [], []
    for path in saved_paths(authority):
        try:
            out.append(read_profile(path, saved=True))
        except ProfileError as e:
            problems.append(str(e))
    return out, problems


def choose(profiles: list[Profile], sheet_name: str, header_texts: list[str]) -> tuple[SheetRule | None, str | None]:
    """The entry to apply to one sheet, and a note when saved profiles disagree.

    Profiles given explicitly (--mapping, or the one chosen on the upload page) apply when an
    entry matches; saved ones apply by themselves only when the sheet also holds every source
    header the entry maps, and not when two saved profiles qualify (the user must choose)."""
    headers = {key(h) for h in header_texts if h not in (None, "")}
    for p in (p for p in profiles if not p.saved):
        for rule in p.sheets:
            if rule.matches(sheet_name, headers):
                return rule, None
    saved = [(p.path, r) for p in profiles if p.saved for r in p.sheets
             if r.matches(sheet_name, headers) and r.holds_sources(headers)]
    if len({path for path, _ in saved}) > 1:        # two files, even of one name (旗级 and a town's)
        names = "、".join(f"“{n}”" for n in sorted({r.profile for _, r in saved}))
        return None, f"工作表“{sheet_name}”同时符合已保存的导入方案{names}，均未采用，请在导入时指定一个"
    return (saved[0][1], None) if saved else (None, None)
