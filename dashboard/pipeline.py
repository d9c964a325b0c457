"""Upload → ingest → DuckDB → rules: the one path both the pages and the CLI take."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard import model, rules
from dashboard.ingest import ImportResult, load_files


@dataclass
class Workbench:
    """Loaded ledgers and the connection holding them."""
    result: ImportResult
    con: duckdb.DuckDBPyConnection


def open_ledgers(files, con: duckdb.DuckDBPyConnection | None = None, **ingest_options) -> Workbench:
    result = load_files(files, **ingest_options)
    con = con or model.connect()
    if result.usable:
        model.load_tables(con, result.tables, result.columns)
    return Workbench(result, con)


def frame(con: duckdb.DuckDBPyConnection, query: str, bind: dict) -> pd.DataFrame:
    """Run queries/<query>.sql into a DataFrame (arrow path: much faster than .df())."""
    return rules.run_query(con, query, bind).to_arrow_table().to_pandas()


def evaluate(bench: Workbench, as_of: dt.date, params: dict | None = None) -> rules.Evaluation:
    return rules.evaluate(bench.con, as_of, params)
