"""The sidebar filters as query parameters, shared by the app and the reports.

queries/app_filtered.sql defines them as DuckDB macros (`app_filtered(...)`,
`app_unfiltered(...)`); install() creates those on a cursor.  A query that filters
runs for a report too, bound with Filters() — no filter, the whole banner.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import duckdb

from dashboard import rules

MACROS = "app_filtered"   # queries/app_filtered.sql


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
        """The $parameters of app_filtered(...) in every filtering query."""
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in fields(self)}

    @property
    def active(self) -> bool:
        return self != Filters()


def install(cur: duckdb.DuckDBPyConnection) -> None:
    """Create the filter macros on an evaluated cursor (they read asset_results)."""
    cur.execute(rules.query_text(MACROS))
