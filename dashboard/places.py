"""The banner's towns and village-level units (data/divisions-150623.csv).

Ledgers write short names (乌兰道崩嘎查 for 乌兰道崩嘎查村民委员会).  Two units
in 城川镇 differ only by 嘎查/村 (克珠日嘎查, 克珠日村), so a village is always
matched together with its town, never by name alone.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "divisions-150623.csv"

# The four towns the ledgers cover (the development zone has no villages of its own).
TOWNS = ("敖勒召其镇", "上海庙镇", "城川镇", "昂素镇")

# Older 苏木/乡 names still found in ledgers, with the town they now belong to.
OLD_TOWN_NAMES = {
    "布拉格": "上海庙镇", "布拉格苏木": "上海庙镇", "上海庙": "上海庙镇",
    "毛盖图": "昂素镇", "毛盖图苏木": "昂素镇", "昂素": "昂素镇",
    "玛拉迪": "昂素镇", "玛拉迪苏木": "昂素镇",
    "珠和": "城川镇", "珠和苏木": "城川镇", "二道川": "城川镇", "二道川乡": "城川镇",
    "城川": "城川镇", "三段地": "敖勒召其镇", "三段地工作站": "敖勒召其镇",
    "敖勒召其": "敖勒召其镇",
}

_SUFFIXES = (("村民委员会", "村"), ("居委会", ""), ("居民委员会", ""))


@dataclass(frozen=True)
class Village:
    code: str
    town: str
    official: str
    short: str


def short_name(official: str) -> str:
    """乌兰道崩嘎查村民委员会 → 乌兰道崩嘎查, 大沙头村民委员会 → 大沙头村,
    满都拉社区居委会 → 满都拉社区."""
    for suffix, repl in _SUFFIXES:
        if official.endswith(suffix):
            base = official[: -len(suffix)]
            # 嘎查村民委员会 → 嘎查 (the 村 belongs to 村民委员会, not the name)
            if base.endswith("嘎查"):
                return base
            return base + repl
    return official


@lru_cache(maxsize=1)
def villages() -> tuple[Village, ...]:
    with DIVISIONS_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple(Village(r["code"], r["town"], r["name"], short_name(r["name"])) for r in rows)


def villages_of(town: str) -> list[Village]:
    return [v for v in villages() if v.town == town]


def all_towns() -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.town for v in villages()))


# ---------------------------------------------------------------- matching
# A ledger's (所在镇, 所在嘎查村) as written → the reference names, with what was
# corrected or doubted.  kind is None (as written is right), "corrected" or "doubt".
@dataclass(frozen=True)
class PlaceMatch:
    town: str | None
    village: str | None
    town_kind: str | None = None
    town_note: str | None = None
    village_kind: str | None = None
    village_note: str | None = None


_PREFIXES = ("内蒙古自治区", "鄂尔多斯市", "鄂托克前旗")


def _squeeze(text: str) -> str:
    import unicodedata
    return "".join(unicodedata.normalize("NFKC", text).split())


def match_town(written: str) -> tuple[str | None, str | None, str | None]:
    """(town, kind, note): 城川 → 城川镇 (corrected), 布拉格苏木 → 上海庙镇 (corrected)."""
    t = _squeeze(written)
    for p in _PREFIXES:
        t = t.removeprefix(p)
    towns = all_towns()
    if t in towns:
        return t, (None if t == written else "corrected"), (None if t == written else f"“{written}”规范为“{t}”")
    if t + "镇" in towns:
        return t + "镇", "corrected", f"“{written}”补全为“{t}镇”"
    if t in OLD_TOWN_NAMES:
        new = OLD_TOWN_NAMES[t]
        return new, "corrected", f"“{written}”为旧称，按现属“{new}”读取"
    return None, "doubt", f"“{written}”不在全旗镇名录中（{'、'.join(TOWNS)}）"


@lru_cache(maxsize=None)
def _village_names(town: str) -> dict[str, tuple[str, ...]]:
    """Every accepted spelling in one town → the short names it may mean."""
    names: dict[str, list[str]] = {}
    for v in villages_of(town):
        spellings = {v.short, v.official}
        for tail in ("嘎查", "村", "社区"):
            if v.short.endswith(tail) and len(v.short) > len(tail) + 1:
                spellings.add(v.short[: -len(tail)])         # 大沙头 for 大沙头村
        if v.short.endswith("嘎查"):
            spellings.add(v.short + "村")                    # 乌兰道崩嘎查村
        for s in spellings:
            names.setdefault(s, [])
            if v.short not in names[s]:
                names[s].append(v.short)
    return {k: tuple(v) for k, v in names.items()}


def match_village(town: str, written: str) -> tuple[str | None, str | None, str | None]:
    """(short name, kind, note) of a village within its town, never by name alone."""
    v = _squeeze(written)
    for p in (*_PREFIXES, town):
        v = v.removeprefix(p)
    hits = _village_names(town).get(v, ())
    if len(hits) == 1:
        short = hits[0]
        if short == written:
            return short, None, None
        return short, "corrected", f"“{written}”规范为“{short}”"
    if len(hits) > 1:
        return None, "doubt", f"“{written}”在{town}有{len(hits)}个同名单位（{'、'.join(hits)}），请写全称"
    elsewhere = sorted({t for t in TOWNS if t != town and v in _village_names(t)})
    hint = f"（{'、'.join(elsewhere)}有此名称）" if elsewhere else ""
    return None, "doubt", f"“{written}”不在{town}的区划名录中{hint}"


@lru_cache(maxsize=4096)
def match_place(town: str | None, village: str | None) -> PlaceMatch:
    """Check one (镇, 嘎查村) pair; unknown places are kept as written, doubted."""
    t, tk, tn = match_town(town) if town else (None, None, None)
    if town and t is None:
        return PlaceMatch(town, village, tk, tn)            # cannot check the village
    if not village or t is None:
        return PlaceMatch(t or town, village, tk, tn)
    v, vk, vn = match_village(t, village)
    return PlaceMatch(t, v if v is not None else village, tk, tn, vk, vn)


TOWN_WIDE = ("全镇", "全苏木", "镇本级", "全旗")


@lru_cache(maxsize=4096)
def split_place(written: str | None) -> tuple[str | None, str | None]:
    """One column holding town and village together: '城川镇大发村' → ('城川镇', '大发村');
    '城川镇全镇' or '城川镇' → ('城川镇', None).  The longest town spelling that starts
    the text wins; without one the text is returned as the town, for match_place to doubt."""
    if not written:
        return None, None
    text = _squeeze(written)
    spellings = sorted(((s, t) for t in all_towns() for s in {t, t.removesuffix("镇"), t.removesuffix("苏木")}
                        | {old for old, new in OLD_TOWN_NAMES.items() if new == t} if s),
                       key=lambda st: -len(st[0]))
    for spelled, town in spellings:
        if text.startswith(spelled):
            rest = text[len(spelled):].removeprefix("镇")
            return town, (None if not rest or rest in TOWN_WIDE else rest)
    return written, None
