"""The query files of queries/: find one by name, bind only the $parameters it uses.

A query's name is its path under queries/ without `.sql` ("shared/town_levels");
the folder says its role (README, "How the data flows").  A rule step's TEMP table
or view is named after the file alone ("rules/rule_hits" → rule_hits).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import duckdb

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"

_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")   # a '--' inside a string is text
_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


@lru_cache(maxsize=None)
def text(name: str) -> str:
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def table_name(name: str) -> str:
    """'rules/rule_hits' → 'rule_hits': the TEMP table or view a rule step creates."""
    return name.rsplit("/", 1)[-1]


def params_in(sql: str) -> set[str]:
    """The $parameters a query uses; a `$name` in a comment is prose, not a parameter."""
    code = _STRING_OR_COMMENT.sub(lambda m: m[0] if m[0].startswith("'") else "", sql)
    return set(_PARAM.findall(code))


def code(sql: str) -> str:
    """The query without its comments and string literals: what names tables and columns."""
    return _STRING_OR_COMMENT.sub("", sql)


def used_params(sql: str, bind: dict[str, object]) -> dict[str, object]:
    """Only the $parameters a query uses: DuckDB refuses extra ones."""
    used = params_in(sql)
    return {k: v for k, v in bind.items() if k in used}


def relation(con: duckdb.DuckDBPyConnection, name: str, bind: dict[str, object]):
    """queries/<name>.sql as a DuckDB relation, its $parameters bound."""
    sql = text(name)
    return con.sql(sql, params=used_params(sql, bind))
