"""What part of the banner a user may see (四级共管: 旗级统管、镇和旗资产主管部门主管、村级直管).

A `Scope` travels inside `Filters` (dashboard/filters.py), so it is bound as part of the one
`$filters` parameter of every query, and the macros of queries/filters/sidebar.sql apply it
before any sidebar filter: an asset is in scope by its 所在镇 / 所在嘎查村 / 主管部门; a row of
another sheet follows its asset, and a row without a 资产编号 follows its 所在镇.
The whole banner (administrator, leadership, demo mode, the command line) is `Scope()`.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = {"admin": "旗级管理员", "leader": "旗级领导", "town": "镇", "department": "旗行业主管部门",
         "village": "嘎查村"}
WHOLE_BANNER_ROLES = ("admin", "leader")


@dataclass(frozen=True)
class Scope:
    town: str | None = None
    village: str | None = None
    department: str | None = None
    department_names: tuple[str, ...] = ()   # the department's name and aliases, as ledgers write 主管部门

    @property
    def whole(self) -> bool:
        return self == Scope()

    @property
    def label(self) -> str:
        """范围 as the pages and documents say it: 全旗, 城川镇, 城川镇大发村, 农牧局."""
        if self.department:
            return self.department
        if self.village:
            return f"{self.town}{self.village}"
        return self.town or "全旗"

    def bind(self) -> dict:
        """The scope's fields of the $filters STRUCT (an empty list / NULL = no limit)."""
        return {"scope_town": self.town, "scope_village": self.village,
                "scope_departments": list(self.department_names)}


def of_account(role: str, town: str | None = None, village: str | None = None,
               department: str | None = None, aliases: tuple[str, ...] = ()) -> Scope:
    """The scope of an account's role; a department reads its name and every alias."""
    if role in WHOLE_BANNER_ROLES:
        return Scope()
    if role == "town":
        return Scope(town=town)
    if role == "village":
        return Scope(town=town, village=village)
    if role == "department":
        return Scope(department=department, department_names=tuple(dict.fromkeys((department, *aliases))))
    raise ValueError(f"未知角色：{role}")
