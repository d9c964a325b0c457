"""The split between load-time facts and evaluation (docs/guide.md, "How the data flows").

Load-time queries are judged once per upload, so they must not depend on as_of, a
threshold or the negative list: evaluating again on the same connection at another
date or with other thresholds must give what a fresh load would give.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import AS_OF
from dashboard import ledgers, model, rules, snapshots, sql

OUTPUTS = ("rule_hits", "asset_results", "disposal_checks", "distribution_checks",
           "collection_checks", "milestones", "income_rate", "management_checks")


@pytest.mark.parametrize("name", model.LOAD_TIME_QUERIES)
def test_load_time_queries_take_no_parameters(name):
    text = sql.text(name)
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    assert not re.findall(r"\$\w+", code), f"{name}.sql depends on a parameter: it belongs to evaluation"
    assert "negative_list" not in code, f"{name}.sql reads the editable negative list"


def _rows(con, table: str) -> list[tuple]:
    cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
    return sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)


@pytest.fixture(scope="module")
def reused(sample_file):
    """One connection, evaluated first at the sample's data date with the defaults."""
    con = ledgers.load([sample_file]).con
    rules.evaluate(con, AS_OF)
    return con


@pytest.mark.parametrize("as_of, params", [
    (dt.date(2024, 3, 31), None),                       # another date
    (dt.date(2024, 12, 31), {"idle_months": 3, "scope_start_year": 2016,
                             "contract_yellow_months": 6, "retention_months": 1}),
])
def test_evaluating_again_equals_a_fresh_load(reused, sample_file, as_of, params):
    rules.evaluate(reused, as_of, params)
    fresh = ledgers.load([sample_file]).con
    rules.evaluate(fresh, as_of, params)
    for table in OUTPUTS:
        assert _rows(reused, table) == _rows(fresh, table), table
    # and the thresholds did change something, so the comparison means something
    default = ledgers.load([sample_file]).con
    rules.evaluate(default, AS_OF)
    assert _rows(fresh, "rule_hits") != _rows(default, "rule_hits")


def test_a_saved_month_keeps_its_facts_and_judges_them_anew_when_the_facts_queries_changed(
        sample_books, monkeypatch):
    saved = sample_books.save("2024-12")          # into the test's own data folder
    judged = []
    derive = model.derive_facts
    monkeypatch.setattr(model, "derive_facts", lambda con: (judged.append(con), derive(con)))
    reopened = ledgers.saved_month(saved)
    assert judged == []                           # the same facts queries wrote them: copied
    assert (reopened.month, reopened.data_date) == ("2024-12", sample_books.data_date)
    for table in snapshots.FACT_TABLES + ("assets", "loaded_columns"):
        assert _rows(reopened.con, table) == _rows(sample_books.con, table), table
    now, then = reopened.con.cursor(), sample_books.con.cursor()
    rules.evaluate(now, AS_OF)
    rules.evaluate(then, AS_OF)
    assert _rows(now, "rule_hits") == _rows(then, "rule_hits")

    monkeypatch.setattr(snapshots, "facts_version", lambda: "other queries")
    rejudged = ledgers.saved_month(saved)
    assert len(judged) == 1
    for table in snapshots.FACT_TABLES:
        assert _rows(rejudged.con, table) == _rows(sample_books.con, table), table
