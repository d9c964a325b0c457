"""The objects every page, report and export works through: Ledgers (loaded ledgers),
Evaluated (the rules on a cursor of its own, any query file run on it), EvalKey (what
the app caches an evaluation by), Filters (the sidebar as one $filters parameter)."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from conftest import AS_OF
from dashboard import ledgers, sql
from dashboard.evaluated import EvalKey, Evaluated
from dashboard.filters import Filters
from dashboard.scope import Scope

TOTALS = ("assets", "value", "red", "red_value", "yellow", "yellow_value", "warned", "idle",
          "idle_value", "low", "low_value")


def test_unusable_files_give_ledgers_without_a_connection_and_say_why(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"%PDF-1.4 not a ledger")
    books = ledgers.load([path])
    assert not books.usable and books.con is None
    assert "PDF" in books.fatal


def test_the_sample_states_its_data_date(sample_books):
    assert sample_books.usable and sample_books.data_date == AS_OF
    assert sample_books.label == ledgers.SAMPLE_LABEL and sample_books.month is None


def test_town_levels_has_one_row_per_town_and_a_total(sample_ev, direct):
    rows = sample_ev.rows("shared/town_levels")
    total = [r for r in rows if r["is_total"]]
    towns = [r for r in rows if not r["is_total"]]
    assert len(total) == 1 and total[0]["town"] is None
    assert sorted(r["town"] for r in towns) == sorted(
        t for (t,) in direct.execute("SELECT DISTINCT town FROM asset_results").fetchall())
    for col in TOTALS:
        assert sum(r[col] for r in towns) == total[0][col], col
    red, yellow = direct.execute("SELECT count(*) FILTER (WHERE level = 'red'), "
                                 "count(*) FILTER (WHERE level = 'yellow') FROM asset_results").fetchone()
    assert (total[0]["red"], total[0]["yellow"]) == (red, yellow)
    assert sorted(r["rank_red"] for r in towns)[0] == 1


def test_a_town_filter_keeps_that_town_and_a_total_equal_to_it(sample_ev):
    town = next(r["town"] for r in sample_ev.rows("shared/town_levels") if not r["is_total"])
    rows = sample_ev.rows("shared/town_levels", Filters(towns=(town,)))
    mine, total = [r for r in rows if not r["is_total"]], [r for r in rows if r["is_total"]]
    assert [r["town"] for r in mine] == [town]
    assert all(mine[0][c] == total[0][c] for c in TOTALS)


def test_signoff_tiers_with_the_unlinked_problems_only_when_unfiltered(sample_ev, direct):
    tiers = {r["tier"]: r for r in sample_ev.rows("shared/signoff_tiers")}
    assert set(tiers) == {"T1", "T2", "T3", "T4", None}
    for tier, n in direct.execute("SELECT signoff_tier, count(*) FROM asset_results GROUP BY 1").fetchall():
        assert tiers[tier]["assets"] == n
    assert sum(r["problems"] for r in tiers.values()) == direct.execute(
        "SELECT count(*) FROM problems").fetchone()[0]
    assert tiers[None]["assets"] == 0 and tiers[None]["problems"] == direct.execute(
        "SELECT count(*) FROM problems WHERE asset_row IS NULL").fetchone()[0]
    town = direct.execute("SELECT town FROM assets ORDER BY town LIMIT 1").fetchone()[0]
    filtered = {r["tier"] for r in sample_ev.rows("shared/signoff_tiers", Filters(towns=(town,)))}
    assert filtered == {"T1", "T2", "T3", "T4"}


def test_frame_rows_one_and_arrow_agree(sample_ev):
    frame = sample_ev.frame("exports/rule_counts")
    rows = sample_ev.rows("exports/rule_counts")
    assert list(frame.columns) == list(rows[0])
    assert frame.to_dict("records") == rows
    assert sample_ev.one("exports/rule_counts") == rows[0]
    assert sample_ev.arrow("exports/rule_counts").num_rows == len(rows)


def test_move_to_equals_a_fresh_evaluation_at_that_date(sample_books, sample_ev):
    other = dt.date(2024, 6, 30)
    moved = Evaluated(sample_books, AS_OF, {"idle_months": 3}).move_to(other)
    fresh = Evaluated(sample_books, other, {"idle_months": 3})
    try:
        assert moved.evaluation == fresh.evaluation and moved.evaluation.params["idle_months"] == 3
        assert moved.rows("exports/rule_counts") == fresh.rows("exports/rule_counts")
        assert moved.rows("exports/rule_counts") != sample_ev.rows("exports/rule_counts")
    finally:
        moved.close()
        fresh.close()


def test_two_evaluations_of_one_ledgers_never_see_each_other(sample_books, sample_ev):
    before = sample_ev.rows("shared/town_levels")
    early = Evaluated(sample_books, dt.date(2024, 3, 31))
    try:
        assert early.rows("shared/town_levels") != before
        assert sample_ev.rows("shared/town_levels") == before
    finally:
        early.close()


def test_eval_key_is_hashable_and_ignores_the_order_of_parameters():
    a = EvalKey.of("sample", 1.0, 2.0, AS_OF, {"idle_months": 6, "retention_months": 12})
    b = EvalKey.of("sample", 1.0, 2.0, AS_OF, {"retention_months": 12, "idle_months": 6})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.param_dict == {"idle_months": 6, "retention_months": 12}
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.as_of = dt.date(2024, 1, 1)
    there = a.elsewhere("snap:2024-11", 3.0, dt.date(2024, 11, 30))
    assert (there.source, there.version, there.as_of) == ("snap:2024-11", 3.0, dt.date(2024, 11, 30))
    assert (there.policy_version, there.params) == (a.policy_version, a.params)


def test_filters_bind_one_struct_parameter():
    assert Filters().bind() == {"filters": {
        "towns": [], "villages": [], "categories": [], "types": [], "funds": [],
        "year_from": None, "year_to": None, "levels": [], "batches": [],
        "scope_town": None, "scope_village": None, "scope_departments": []}}
    bound = Filters(towns=("城川镇",), year_from=2015, levels=("red", "yellow")).bind()["filters"]
    assert (bound["towns"], bound["year_from"], bound["levels"]) == (["城川镇"], 2015, ["red", "yellow"])
    assert not Filters().active and Filters(batches=("巩固",)).active
    # The scope rides in the same STRUCT but is not a filter the user chose.
    scoped = Filters().within(Scope(town="城川镇", village="大发村"))
    assert not scoped.active
    assert scoped.bind()["filters"] | {} == Filters().bind()["filters"] | {
        "scope_town": "城川镇", "scope_village": "大发村"}
    department = Filters().within(Scope(department="农牧局", department_names=("农牧局", "旗农牧局")))
    assert department.bind()["filters"]["scope_departments"] == ["农牧局", "旗农牧局"]


def test_sql_names():
    assert sql.table_name("rules/rule_hits") == "rule_hits"
    assert sql.table_name("facts/asset_facts") == "asset_facts"
    assert (sql.QUERY_DIR / "shared" / "town_levels.sql").is_file()
    assert sql.text("shared/town_levels") == (sql.QUERY_DIR / "shared" / "town_levels.sql").read_text(encoding="utf-8")
