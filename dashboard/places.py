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
