"""The DuckDB model: one canonical, typed table per template sheet.

Every template column exists in every table, NULL when the upload lacked it,
so the rule queries always compile; `loaded_columns` records what was really
uploaded, which is how a rule knows it was "not evaluated" rather than passed.
After loading, the ledger's own facts (LOAD_TIME_QUERIES) are judged once, so an
evaluation at another date or with other thresholds never re-reads them.  Whoever
changes a ledger table after that must call derive_facts() again.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from dashboard import policy, sql, template

# Judged once per upload: what the ledgers say regardless of as_of and thresholds.
LOAD_TIME_QUERIES = ("facts/asset_facts", "facts/fund_sources", "facts/milestone_items",
                     "facts/distribution_facts", "facts/management_facts")

SQL_TYPES = {
    template.TEXT: "VARCHAR", template.ENUM: "VARCHAR", template.YESNO: "VARCHAR",
    template.YEAR: "INTEGER", template.MONEY: "DECIMAL(18,2)", template.NUMBER: "DOUBLE",
    template.DATE: "DATE",
}


def connect(path: str = ":memory:") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path)
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")   # no terminal noise in the CLI or the server log
    return con


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame],
                columns: dict[str, set[str]], empty_required: list[tuple] = ()) -> None:
    """(Re)create every template table from the importer's frames; `empty_required`: the
    importer's rows rejected for an empty required cell (ImportResult.empty_required, DQ1)."""
    load_empty_required(con, empty_required)
    for sheet in template.SHEETS:
        frame = tables.get(sheet.name)
        _create_table(con, sheet, frame)
    for sheet in template.SHEETS[1:]:
        _link_assets(con, sheet.name)
    present = [(s, c) for s, cols in columns.items() for c in sorted(cols)]
    con.execute("CREATE OR REPLACE TABLE loaded_columns (sheet VARCHAR, column_name VARCHAR)")
    if present:
        con.executemany("INSERT INTO loaded_columns VALUES (?, ?)", present)
    load_negative_list(con, policy.read_negative_list())
    load_rule_catalog(con)
    derive_facts(con)


def derive_facts(con: duckdb.DuckDBPyConnection) -> None:
    """queries/facts/<name>.sql for each load-time query, as a table (no $parameters)."""
    for name in LOAD_TIME_QUERIES:
        con.execute(f"CREATE OR REPLACE TABLE {sql.table_name(name)} AS {sql.text(name)}")


def _create_table(con, sheet: template.Sheet, frame: pd.DataFrame | None) -> None:
    table = quote(sheet.name)
    if frame is None:
        cols = ", ".join(f"{quote(c.name)} {SQL_TYPES[c.kind]}" for c in sheet.columns)
        con.execute(f"CREATE OR REPLACE TABLE {table} (row_id BIGINT, {cols}, "
                    f"source_file VARCHAR, source_sheet VARCHAR, source_row INTEGER, qa BOOLEAN, {KEPT} VARCHAR)")
        return
    known = {c.name for c in sheet.columns} | set(template.PROVENANCE) | {"qa", KEPT}
    select = ["CAST(row_number() OVER () AS BIGINT) AS row_id"]
    for c in sheet.columns:
        expr = _cast(c) if c.name in frame.columns else f"CAST(NULL AS {SQL_TYPES[c.kind]})"
        select.append(f"{expr} AS {quote(c.name)}")
    select += ["CAST(source_file AS VARCHAR) AS source_file",
               "CAST(source_sheet AS VARCHAR) AS source_sheet",
               "CAST(source_row AS INTEGER) AS source_row",
               "coalesce(CAST(qa AS BOOLEAN), false) AS qa",
               f"CAST({KEPT} AS VARCHAR) AS {KEPT}" if KEPT in frame.columns else f"CAST(NULL AS VARCHAR) AS {KEPT}"]
    select += [f"CAST({quote(x)} AS VARCHAR) AS {quote(x)}" for x in frame.columns if x not in known]
    con.register("_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(select)} FROM _frame")
    finally:
        con.unregister("_frame")


# DQ2's mark on each row (dashboard/ingest/sheet.py KEPT_COLUMN): the columns whose value the
# importer kept as written.  Every table has it (NULL when nothing was, or in an older month).
KEPT = "dq_kept"
EMPTY_REQUIRED = "dq_empty_required"      # DQ1's rows the importer rejected (not in `assets`)


def load_empty_required(con, rows) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {EMPTY_REQUIRED} (source_file VARCHAR, source_sheet VARCHAR, "
                "source_row INTEGER, column_name VARCHAR, asset_id VARCHAR, town VARCHAR, department VARCHAR)")
    if rows:
        con.executemany(f"INSERT INTO {EMPTY_REQUIRED} VALUES (?, ?, ?, ?, ?, ?, ?)", [tuple(r) for r in rows])


def _link_assets(con, table: str) -> None:
    """Resolve 资产编号 to the asset's row_id once, at load time: every rule then
    joins on an integer, which keeps evaluating a million assets under a second."""
    con.execute(f"""
        CREATE OR REPLACE TABLE {table} AS
        SELECT t.*, a.row_id AS asset_row
        FROM {table} t
        LEFT JOIN (SELECT asset_id, row_id FROM assets) a ON a.asset_id = t.asset_id
        ORDER BY t.row_id""")


def _cast(c: template.Column) -> str:
    col = quote(c.name)
    if c.kind == template.MONEY:
        return f"CAST(round(CAST({col} AS DOUBLE), 2) AS DECIMAL(18,2))"
    if c.kind == template.DATE:
        return f"CAST({col} AS DATE)"
    return f"CAST({col} AS {SQL_TYPES[c.kind]})"


def load_negative_list(con, items: list[tuple[str, list[str]]]) -> None:
    rows = [(item, word) for item, words in items for word in words]
    con.execute("CREATE OR REPLACE TABLE negative_list (item VARCHAR, keyword VARCHAR)")
    con.executemany("INSERT INTO negative_list VALUES (?, ?)", rows)


def load_rule_catalog(con) -> None:
    rows = [(r.rule_id, r.level, r.name, r.seed) for r in policy.rules().values()]
    con.execute("CREATE OR REPLACE TABLE rule_catalog "
                "(rule_id VARCHAR, level VARCHAR, name VARCHAR, seed VARCHAR)")
    con.executemany("INSERT INTO rule_catalog VALUES (?, ?, ?, ?)", rows)


def loaded_columns(con) -> set[str]:
    """{"assets", "assets.town", ...}: sheets and sheet.column pairs that were uploaded."""
    pairs = con.execute("SELECT sheet, column_name FROM loaded_columns").fetchall()
    return {s for s, _ in pairs} | {f"{s}.{c}" for s, c in pairs}
