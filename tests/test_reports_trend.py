"""The annual trend's fast path (issue 12): each month end re-runs only the rule steps its
figures read, two month ends at a time on cursors of their own — and every number equals
what a full evaluation at that month end gives."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from dashboard import rules
from dashboard.evaluated import Evaluated
from dashboard.reports import content, periods
from dashboard.scope import Scope


def full_trend(books, period, params, scope) -> list:
    """The trend the slow way: a fresh, whole evaluation at every month end."""
    months = []
    for end in period.month_ends():
        ev = Evaluated(books, end, params, content.REPORT_BIND, scope)
        try:
            figures = content.key_figures(ev)
        finally:
            ev.close()
        months.append((end, {k: content._figure(figures[k], kind) for k, _, kind in content.TREND}))
    return months


# 2024: the plan's first nodes fall due on 02-29 (M1–M3), 03-31 (M4) and 06-30 (M5, M6), and
# the last full year (Yr) turns from 2023 to 2024 on 12-31; 2023: every month end before them.
@pytest.mark.parametrize("year, params, scope", [
    ("2024", None, Scope()),
    ("2023", None, Scope()),
    ("2024", {"idle_months": 3, "contract_yellow_months": 6}, Scope()),
    ("2024", None, Scope(town="城川镇")),
])
def test_trend_equals_a_full_evaluation_at_every_month_end(sample_books, year, params, scope):
    period = periods.parse("annual", year)
    snapshot = Evaluated(sample_books, period.previous().end, params, content.REPORT_BIND, scope)
    try:
        section = content.trend(snapshot, period)
    finally:
        snapshot.close()
    expected = full_trend(sample_books, period, params, scope)
    assert section.figures["months"] == expected
    assert [row[1:] for row in section.parts[0].tables[0].rows] == \
        [[f[k] for k, _, _ in content.TREND] for _, f in expected]
    # not a vacuous comparison: the figures move during the year
    assert len({tuple(f.values()) for _, f in expected}) > 1


def test_key_figures_of_some_keys_equal_the_whole_set(sample_books):
    keys = [k for k, _, _ in content.TREND]
    ev = Evaluated(sample_books, dt.date(2024, 12, 31), None, content.REPORT_BIND)
    try:
        every = content.key_figures(ev)
        assert list(every) == [k for k, _, _ in content.KEY_FIGURES]
        assert content.key_figures(ev, keys=keys) == {k: every[k] for k in keys}
    finally:
        ev.close()


def test_steps_for_a_table_are_the_steps_it_reads_in_pipeline_order():
    steps = rules.steps_for(content.TREND_READS)
    assert steps == tuple(n for n in rules.PIPELINE if n in steps)
    assert {"rules/rule_hits", "rules/warnings_red", "rules/income_rate", "rules/eval_params"} <= set(steps)
    assert "rules/disposal_checks" not in steps and "rules/collection_checks" not in steps
    assert rules.steps_for(["eval_params"]) == ("rules/eval_params",)
    with pytest.raises(ValueError):
        rules.steps_for(["assets"])


def test_a_partial_evaluation_drops_what_it_did_not_run(sample_books):
    end = dt.date(2024, 6, 30)
    ev = Evaluated(sample_books, dt.date(2024, 12, 31)).move_to(end, content.TREND_READS)
    fresh = Evaluated(sample_books, end)
    try:
        assert ev.rows("shared/town_levels") == fresh.rows("shared/town_levels")
        assert ev.rows("shared/milestones") == fresh.rows("shared/milestones")
        with pytest.raises(duckdb.CatalogException):      # not another date's disposals
            ev.rows("shared/disposal_counts")
        ev.move_to(end)                                      # a whole evaluation brings them back
        assert ev.rows("shared/disposal_counts") == fresh.rows("shared/disposal_counts")
    finally:
        ev.close()
        fresh.close()
