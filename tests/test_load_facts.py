"""The split between load-time facts and evaluation (README, "How the data flows").

Load-time queries are judged once per upload, so they must not depend on as_of, a
threshold or the negative list: evaluating again on the same connection at another
date or with other thresholds must give what a fresh load would give.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dashboard import model, pipeline, rules

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample.xlsx"
OUTPUTS = ("rule_hits", "asset_results", "disposal_checks", "distribution_checks",
           "collection_checks", "milestones", "income_rate")


@pytest.mark.parametrize("name", model.LOAD_TIME_QUERIES)
def test_load_time_queries_take_no_parameters(name):
    sql = (model.QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    assert not re.findall(r"\$\w+", code), f"{name}.sql depends on a parameter: it belongs to evaluation"
    assert "negative_list" not in code, f"{name}.sql reads the editable negative list"


def _rows(con, table: str) -> list[tuple]:
    cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
    return sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)


@pytest.fixture(scope="module")
def reused():
    """One connection, evaluated first at the sample's data date with the defaults."""
    bench = pipeline.open_ledgers([str(SAMPLE)])
    rules.evaluate(bench.con, dt.date(2024, 12, 31))
    return bench.con


@pytest.mark.parametrize("as_of, params", [
    (dt.date(2024, 3, 31), None),                       # another date
    (dt.date(2024, 12, 31), {"idle_months": 3, "scope_start_year": 2016,
                             "contract_yellow_months": 6, "retention_months": 1}),
])
def test_evaluating_again_equals_a_fresh_load(reused, as_of, params):
    rules.evaluate(reused, as_of, params)
    fresh = pipeline.open_ledgers([str(SAMPLE)]).con
    rules.evaluate(fresh, as_of, params)
    for table in OUTPUTS:
        assert _rows(reused, table) == _rows(fresh, table), table
    # and the thresholds did change something, so the comparison means something
    default = pipeline.open_ledgers([str(SAMPLE)]).con
    rules.evaluate(default, dt.date(2024, 12, 31))
    assert _rows(fresh, "rule_hits") != _rows(default, "rule_hits")
