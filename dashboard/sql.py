"""The query files of queries/: find one by name, bind only the $parameters it uses.

A query's name is its path under queries/ without `.sql` ("shared/town_levels");
the folder says its role (docs/guide.md, "How the data flows").  A rule step's TEMP table
or view is named after the file alone ("rules/rule_hits" → rule_hits).

A query declares how its columns are shown in a header line (`formats`): money kept in
元 and shown in 万元, a ratio shown as a percentage, a date:

    -- formats: value=万元, red_value=万元, warned_share=%, due_date=日期

(more `-- formats:` lines may follow).  ui/fmt.display reads them (Evaluated.frame puts them
in the frame's attrs); a column not declared is judged by its name, as before.
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


MONEY, SHARE, DATE = "万元", "%", "日期"       # the display formats a query may declare
FORMATS_ATTR = "formats"                      # where a frame carries its query's (DataFrame.attrs)
_FORMATS_LINE = re.compile(r"--\s*formats\s*:(.*)", re.IGNORECASE)
_FORMAT_ITEM = re.compile(r"([A-Za-z_]\w*)\s*=\s*([^\s,，、;；]+)")


def formats_in(sql: str) -> dict[str, str]:
    """column → 万元 / % / 日期, from the `-- formats:` lines of the header (the `--` lines the
    query opens with); a format other than those three is a mistake in the file: ValueError."""
    out: dict[str, str] = {}
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        found = _FORMATS_LINE.match(line)
        if not found:
            continue
        rest = found[1]
        for column, fmt in _FORMAT_ITEM.findall(rest):
            if fmt not in (MONEY, SHARE, DATE):
                raise ValueError(f"format {fmt!r} of column {column!r}: not one of 万元, %, 日期")
            out[column] = fmt
        if _FORMAT_ITEM.sub("", rest).strip(" \t,，、;；"):
            raise ValueError(f"a formats line says more than column=format: {line!r}")
    return out


@lru_cache(maxsize=None)
def _formats(name: str) -> tuple[tuple[str, str], ...]:
    return tuple(formats_in(text(name)).items())


def formats(name: str) -> dict[str, str]:
    """The display formats queries/<name>.sql declares for its columns (a fresh dict)."""
    return dict(_formats(name))


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
