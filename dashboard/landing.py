"""Which data source a session opens on (issue 19.3): the latest saved month within the
user's scope, never the sample when a real month exists.

A town, village or department user opens on the latest saved month that holds assets of
its scope; when none does, still on the latest saved month (an empty month of its own
says so on every page, the sample's assets would pass for its own).  With no saved month
(demo mode, a fresh install) the sample.
"""
from __future__ import annotations

import functools

import duckdb

from dashboard import snapshots, sql
from dashboard.filters import Filters
from dashboard.scope import Scope

SAMPLE_KEY = "sample"      # dashboard.ui.data.SAMPLE_KEY, without importing Streamlit here


def source_for(scope: Scope) -> str:
    """The source key a first run of this scope opens on."""
    months = snapshots.list_months()
    if not months:
        return SAMPLE_KEY
    if not scope.whole:
        for saved in reversed(months):
            if holds(saved, scope):
                return saved.key
    return months[-1].key


def holds(saved: snapshots.SavedMonth, scope: Scope) -> bool:
    """Does the month hold any asset of `scope`?  (Opens the file once per file version.)"""
    return _count(str(saved.path), saved.version, scope) > 0


@functools.lru_cache(maxsize=256)
def _count(path: str, mtime: float, scope: Scope) -> int:
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{snapshots._sql_path(path)}' AS snap (READ_ONLY)")
        columns = {r[0] for r in con.execute("DESCRIBE snap.assets").fetchall()}
        # a month saved before 主管部门 existed reads it as empty (snapshots._add_new_columns)
        department = "department" if "department" in columns else "NULL::VARCHAR"
        con.execute(f"CREATE TEMP VIEW month_assets AS SELECT town, village, {department} AS department "
                    "FROM snap.assets")
        return sql.relation(con, "sidebar/month_in_scope", Filters(scope=scope).bind()).fetchall()[0][0]
    except duckdb.Error:
        return 0                  # unreadable: not a month to open on
    finally:
        con.close()
