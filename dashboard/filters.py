"""The sidebar filters as one query parameter, shared by the app and the reports.

queries/filters/sidebar.sql defines the macros every filtering query reads
(`filtered_assets($filters)` and the like); install() creates them on an evaluated
cursor.  `Filters()` — no filter — is the whole banner, which is what a report binds.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import duckdb

from dashboard import sql

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

    def bind(self) -> dict:
        """{"filters": STRUCT}: the one $filters parameter of every filtering query."""
        return {"filters": {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                            for f in fields(self)}}

    @property
    def active(self) -> bool:
        return self != Filters()


def install(cur: duckdb.DuckDBPyConnection) -> None:
    """Create the filter macros on an evaluated cursor (they read asset_results)."""
    cur.execute(sql.text(MACROS))
