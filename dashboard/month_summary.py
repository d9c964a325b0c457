"""A saved month's summary: what the heatmap's month history needs, kept in the month's file.

When a month is saved or consolidated (snapshots.save) its ledgers are judged once at the
month's reference date with the default thresholds, and queries/monthly/month_summary.sql —
the assets counted by level and by every attribute the scope and the sidebar filters read —
is written into the file as the table `month_summary`, with what judged it in the meta
("summary": the rules' version, the date, the thresholds, the negative list).  The history
(`history`, shared/town_levels_months.sql) then reads a few thousand rows per month instead
of opening and evaluating every month, so a heatmap run costs the same with 24 saved months
as with one.  A summary judged otherwise than the page asks (other thresholds, another
negative list, other rule queries, a month saved before summaries) is not used: that month
is evaluated as before (ui/data.month_history).  The summary lives inside the month's file,
not beside it: a kept version or a restored month carries its own, and no file is ever
paired with another file's summary.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import threading

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard import editions, filters, model, policy, rules, sql
from dashboard.filters import Filters

TABLE = "month_summary"
QUERY = "monthly/month_summary"
HISTORY = "shared/town_levels_months"
ANSWERS = {"shared/town_levels": HISTORY,      # which history a summary answers
           "progress/check_shares": "progress/check_shares_months"}   # MG1 / MG3 passing (盘活进度)
_MACROS = ("in_scope", "asset_in_filters")     # the scalar filter macros the history needs


@functools.lru_cache(maxsize=1)
def version() -> str:
    """What judged a summary besides its date, thresholds and negative list: the facts, the
    rule steps, the summary query and the rule catalogue.  Another version is not used."""
    digest = hashlib.sha256()
    for name in model.LOAD_TIME_QUERIES + rules.PIPELINE + (QUERY, filters.MACROS):
        digest.update(sql.text(name).encode("utf-8"))
    digest.update(repr(sorted((r.rule_id, r.level) for r in policy.rules().values())).encode("utf-8"))
    return digest.hexdigest()[:16]


def negative_digest(rows) -> str:
    """The negative list as (item, keyword) rows, order aside, in a few characters."""
    return hashlib.sha256(json.dumps(sorted(map(list, rows)), ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def negative_in_force() -> str:
    return negative_digest([(item, word) for item, words in policy.read_negative_list() for word in words])


def compute(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> tuple[dict, pa.Table]:
    """Judge the ledgers of `con` at `as_of` with the default thresholds (on a cursor of
    its own, only the steps asset_results needs) and summarise them: (meta, table)."""
    cur = con.cursor()
    try:
        evaluation = rules.evaluate(cur, as_of, None, tables=("asset_results", "management_checks"))
        table = sql.relation(cur, QUERY, {}).to_arrow_table()
        negative = negative_digest(cur.execute("SELECT item, keyword FROM negative_list").fetchall())
    finally:
        cur.close()
    return {"version": version(), "as_of": as_of.isoformat(), "params": evaluation.params,
            "negative": negative, "rows": table.num_rows,
            "edition": evaluation.edition.meta()}, table       # the policy edition that judged it


def usable(info: dict | None, as_of: dt.date, params: dict, negative: str) -> bool:
    """Does a month's summary answer for these thresholds and negative list at `as_of`, under the
    edition in force then (a summary saved before editions were recorded was the seed's)?"""
    return bool(info) and info.get("version") == version() and info.get("as_of") == as_of.isoformat() \
        and info.get("params") == dict(params) and info.get("negative") == negative \
        and info.get("edition", editions.seed().meta()) == editions.in_force(as_of).meta()


@functools.lru_cache(maxsize=256)
def read(path: str, mtime: float) -> tuple[dict | None, pa.Table | None]:
    """(meta "summary", table) of a saved month's file — (None, None) for a month saved
    before summaries; cached by the file and its modification time (a re-saved month is new)."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS snap (READ_ONLY)")
        meta = json.loads(con.execute("SELECT meta FROM snap.snapshot_meta").fetchall()[0][0])
        present = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'snap' "
                              "AND table_name = ?", [TABLE]).fetchall()[0][0]
        if not meta.get("summary") or not present:
            return None, None
        return meta["summary"], con.sql(f"SELECT * FROM snap.{TABLE}").to_arrow_table()
    except (duckdb.Error, OSError, ValueError, KeyError, IndexError):
        return None, None                      # a month deleted meanwhile: evaluated, or gone
    finally:
        con.close()


@functools.lru_cache(maxsize=1)
def _macro_text() -> str:
    """The scalar filter macros of queries/filters/sidebar.sql (its table macros read tables
    a history connection does not have)."""
    text = "\n".join(line for line in sql.text(filters.MACROS).splitlines() if not line.lstrip().startswith("--"))
    statements = text.split(";")
    wanted = [s for s in statements
              if (m := re.search(r"MACRO\s+(\w+)\s*\(", s)) and m[1] in _MACROS and " AS TABLE" not in s]
    assert len(wanted) == len(_MACROS), "queries/filters/sidebar.sql changed its macros"
    return ";".join(wanted) + ";"


def answers(where: Filters) -> bool:
    """Can the summaries answer a history in `where`?  Not when it filters by type, funding
    source or build year (left out of the summary: monthly/month_summary.sql)."""
    return not (where.types or where.funds or where.year_from is not None or where.year_to is not None)


def with_month(month: str, table: pa.Table) -> pa.Table:
    return table.append_column("month", pa.array([month] * table.num_rows, pa.string()))


DIMENSIONS = ("village", "department", "category", "batch_suggested")   # besides month, town and level


def dimensions(where: Filters) -> tuple[str, ...]:
    """The summary columns besides month, town and level that `where` filters by: the others
    can be summed away before the history is asked (`rollup`)."""
    used = {"village": bool(where.villages) or where.scope.village is not None,
            "department": bool(where.scope.department_names),
            "category": bool(where.categories), "batch_suggested": bool(where.batches)}
    return tuple(d for d in DIMENSIONS if used[d])


def rollup(summaries: pa.Table, keep: tuple[str, ...]) -> pa.Table:
    """The summaries summed over the DIMENSIONS not in `keep` (NULL there): the same history
    for any filter that does not read them, from a few rows per town and month."""
    columns = ", ".join(d if d in keep else f"CAST(NULL AS VARCHAR) AS {d}" for d in DIMENSIONS)
    return _run(lambda con: con.sql(
        f"SELECT month, town, level, {columns}, CAST(sum(assets) AS BIGINT) AS assets, "
        "CAST(sum(value) AS DECIMAL(38,2)) AS value, CAST(sum(checked) AS BIGINT) AS checked, "
        "CAST(sum(confirmed) AS BIGINT) AS confirmed, CAST(sum(on_platform) AS BIGINT) AS on_platform "
        "FROM month_summaries GROUP BY ALL").to_arrow_table(),
        summaries)


_con: duckdb.DuckDBPyConnection | None = None
_lock = threading.Lock()


def _run(query, summaries: pa.Table):
    """query(connection) with `summaries` registered as month_summaries, on the one shared
    connection (a new DuckDB database per call would cost more than the query), one at a time."""
    global _con
    with _lock:
        if _con is None:
            con = duckdb.connect(config={"threads": 1})      # a few thousand rows: no worker threads
            con.execute(_macro_text())
            _con = con
        _con.register("month_summaries", summaries)
        try:
            return query(_con)
        finally:
            _con.unregister("month_summaries")


def history(summaries: pa.Table, where: Filters = Filters(), query: str = HISTORY) -> pd.DataFrame:
    """shared/town_levels_months over the months' summaries (each with its `month`:
    `with_month`, concatenated; or their `rollup` keeping `dimensions(where)`), in `where`
    (which `answers`)."""
    if not answers(where):
        raise ValueError("a history filtered by type, funding source or build year is evaluated")
    return _run(lambda con: sql.relation(con, query, where.bind()).to_arrow_table().to_pandas(), summaries)
