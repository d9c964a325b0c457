"""The sidebar filters as one query parameter, shared by the app and the reports.

queries/filters/sidebar.sql defines the macros every filtering query reads
(`filtered_assets($filters)` and the like); install() creates them on an evaluated
cursor.  `Filters()` — no filter — is the whole banner, which is what a report binds.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import duckdb

from dashboard import sql
from dashboard.scope import Scope

MACROS = "filters/sidebar"


@dataclass(frozen=True)
class Filters:
    """The sidebar filters; an empty tuple (or None year) means no filter."""
    towns: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    funds: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    levels: tuple[str, ...] = ()
    batches: tuple[str, ...] = ()
    scope: Scope = Scope()      # the user's part of the banner, applied before every filter

    def bind(self) -> dict:
        """{"filters": STRUCT}: the one $filters parameter of every query of a page or report."""
        struct = {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                  for f in fields(self) if f.name != "scope"}
        return {"filters": struct | self.scope.bind()}

    def within(self, scope: Scope) -> "Filters":
        return replace(self, scope=scope)

    @property
    def active(self) -> bool:
        """Is a sidebar filter set (the scope is not a filter the user chose)?"""
        return replace(self, scope=Scope()) != Filters()


def install(cur: duckdb.DuckDBPyConnection) -> None:
    """Create the filter macros on an evaluated cursor (they read asset_results)."""
    cur.execute(sql.text(MACROS))
