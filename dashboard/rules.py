"""Runs the rule pipeline, queries/rules/*.sql, against loaded ledgers.

Each query file is one SELECT; the runner materialises it as a TEMP table named
after the file, in PIPELINE order, because later rules read earlier results
(R07 reads IDLE, asset levels read every warning).  TEMP tables belong to one
connection (one DuckDB cursor per Streamlit session), so sessions evaluating at
different dates never see each other's results.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

import duckdb

from dashboard import editions, model, policy, sql

PIPELINE = (
    "rules/eval_params",          # $as_of and the thresholds as a one-row table, for views
    "rules/fund_scope",           # 资金来源 in or outside the edition's funds (三、工作范围)
    "rules/asset_checks",         # (view) every rule reading only 资产台账: asset_facts + dates
    "rules/income_rate",          # shared definition: annual income rate (§3)
    "rules/distribution_judged",  # D1–D6 verdicts per 收益分配 row (§5)
    "rules/distribution_checks",  # (view) the verdicts with the row's texts, town and village
    "rules/disposal_checks",      # DP1–DP6 (§6)
    "rules/warnings_idle",        # IDLE, LE1–LE4 (§2)
    "rules/warnings_yellow",      # Y01–Y09 (§3)
    "rules/warnings_red",         # R01–R10 (§3)
    "rules/asset_flags",          # PLEDGE, OUT_OF_SCOPE, QA
    "rules/management_checks",    # MG1–MG6 (verification §1): system-found problems, no level
    "rules/rule_hits",            # all of the above, minus what was not evaluated
    "rules/asset_levels",         # level, rules and flags per asset that fired anything
    "rules/asset_results",        # (view) every asset: level, batch suggestion, sign-off tier
    "rules/collection_checks",    # C1–C6 (§5)
    "rules/milestones",           # M1–M6 (§8)
)

# Steps that are views (no $parameters allowed): cheap joins read on demand.
VIEWS = {"rules/asset_checks", "rules/asset_results", "rules/distribution_checks"}


@dataclass
class Evaluation:
    as_of: dt.date
    params: dict[str, float | int]
    last_full_year: int
    not_evaluated: list[str] = field(default_factory=list)
    edition: editions.Edition | None = None     # the edition judging as_of (editions.in_force)


def last_full_year(as_of: dt.date) -> int:
    """`Yr` of policy-rules §3: this year if as_of is 31 December, else last year."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def not_evaluated(loaded: set[str]) -> list[str]:
    """Rules whose sheet or column was not uploaded: reported, never 'passed'."""
    return sorted(r.rule_id for r in policy.rules().values()
                  if not all(need in loaded for need in r.needs))


def bindings(as_of: dt.date, params: dict, skipped: list[str],
             edition: editions.Edition | None = None) -> dict[str, object]:
    """Every $parameter a query may bind: the thresholds, the date and the edition's lists."""
    edition = edition or editions.in_force(as_of)
    return {**editions.bindings(edition), **params, "as_of": as_of, "yr": last_full_year(as_of),
            "not_evaluated": skipped}


def edition_params(params: dict | None, edition: editions.Edition) -> dict[str, float | int]:
    """The edition's parameter defaults with the user's overrides.  Given every parameter (a
    caller that resolved them before knowing as_of), a value equal to the catalog's default is
    no override: the edition's default applies."""
    catalog = policy.default_params()
    params = params or {}
    complete = catalog.keys() <= params.keys()
    overrides = {k: v for k, v in params.items() if not complete or k not in catalog or v != catalog[k]}
    return policy.resolve_params(overrides, edition.parameters)


@lru_cache(maxsize=None)
def _reads(name: str) -> frozenset[str]:
    """The earlier steps' tables a step's query names (comments and strings left out)."""
    code = sql.code(sql.text(name))
    return frozenset(sql.table_name(s) for s in PIPELINE[:PIPELINE.index(name)]
                     if re.search(rf"\b{sql.table_name(s)}\b", code))


def steps_for(tables) -> tuple[str, ...]:
    """The steps that make `tables` (result table names, e.g. "asset_results") and every step
    they read, in PIPELINE order."""
    wanted = set(tables)
    for name in reversed(PIPELINE):
        if sql.table_name(name) in wanted:
            wanted |= _reads(name)
    unknown = set(tables) - {sql.table_name(n) for n in PIPELINE}
    if unknown:
        raise ValueError(f"not a rule step: {sorted(unknown)}")
    return tuple(n for n in PIPELINE if sql.table_name(n) in wanted)


def evaluate(con: duckdb.DuckDBPyConnection, as_of: dt.date,
             params: dict[str, float | int] | None = None, tables=None,
             edition: editions.Edition | None = None) -> Evaluation:
    """Every step; or, with `tables`, only the steps those result tables need (the reports'
    trend re-runs twelve month ends): the other steps' results are dropped, so a query that
    reads one fails instead of reading another date's.  `edition`: judge by this one instead
    of the edition in force at as_of (the CLI's --edition)."""
    edition = edition or editions.in_force(as_of)
    params = edition_params(params, edition)
    skipped = not_evaluated(model.loaded_columns(con))
    bind = bindings(as_of, params, skipped, edition)
    steps = PIPELINE if tables is None else steps_for(tables)
    for name in PIPELINE:
        kind = "VIEW" if name in VIEWS else "TABLE"
        if name not in steps:
            con.execute(f"DROP {kind} IF EXISTS temp.{sql.table_name(name)}")
            continue
        text = sql.text(name)
        con.execute(f"CREATE OR REPLACE TEMP {kind} {sql.table_name(name)} AS {text}",
                    sql.used_params(text, bind))
    return Evaluation(as_of, params, last_full_year(as_of), skipped, edition)
