"""Saved months opened in place (issue 20.3): a read-only ATTACH of the month's file with
views, nothing copied; and the heatmap's month history read from the summaries saved with
each month, equal to evaluating every month."""
from __future__ import annotations

import duckdb
import pytest

from conftest import AS_OF
from dashboard import ledgers, model, month_summary, policy, rules, snapshots
from dashboard.evaluated import EvalKey, Evaluated
from dashboard.filters import Filters
from dashboard.scope import Scope

COLS = ["town", "assets", "value", "red", "red_value", "yellow", "yellow_value", "warned", "is_total"]


def _rows(con, table: str) -> list[tuple]:
    cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
    return sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)


def _copied(saved) -> duckdb.DuckDBPyConnection:
    """The month as it was opened before: copied into memory."""
    con = model.connect()
    snapshots.copy_in(saved, con)
    model.load_negative_list(con, policy.read_negative_list())
    model.load_rule_catalog(con)
    return con


def _kinds(con) -> dict[str, str]:
    return dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                            "WHERE table_catalog = 'memory'").fetchall())


def test_a_saved_month_is_read_from_its_file_not_copied(sample_books):
    saved = sample_books.save("2024-12")
    books = ledgers.saved_month(saved)
    databases = books.con.execute("SELECT database_name, path, readonly FROM duckdb_databases() "
                                  "WHERE NOT internal").fetchall()
    assert (snapshots.ATTACHED, str(saved.path), True) in databases
    kinds = _kinds(books.con)
    for table in snapshots.LEDGER_TABLES + snapshots.FACT_TABLES:
        assert kinds[table] == "VIEW", table                          # nothing copied into memory
    assert kinds["negative_list"] == kinds["rule_catalog"] == "BASE TABLE"   # the policy in force
    # the rules and a page's query give what the copied month gave, what-if thresholds too
    copied = _copied(saved)
    for params in (None, {"idle_months": 3, "contract_yellow_months": 6}):
        now, then = books.con.cursor(), copied.cursor()
        rules.evaluate(now, AS_OF, params)
        rules.evaluate(then, AS_OF, params)
        for table in ("rule_hits", "asset_results", "milestones", "collection_checks"):
            assert _rows(now, table) == _rows(then, table), (params, table)
    hits = Evaluated(books, AS_OF).frame("shared/town_levels")
    assert hits.loc[hits.is_total, "warned"].iloc[0] > 0


def _ten_assets(saved) -> ledgers.Ledgers:
    """The month's tables with only its first ten assets (the other tables as they are)."""
    con = model.connect()
    con.execute(f"ATTACH '{saved.path}' AS src (READ_ONLY)")
    for table in snapshots.LEDGER_TABLES + snapshots.FACT_TABLES:
        limit = " ORDER BY row_id LIMIT 10" if table == "assets" else ""
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}{limit}")
    con.execute("DETACH src")
    model.load_negative_list(con, policy.read_negative_list())
    model.load_rule_catalog(con)
    return ledgers.Ledgers("十项", con, None)


def _count(books) -> int:
    return books.con.execute("SELECT count(*) FROM assets").fetchall()[0][0]


def test_a_month_replaced_or_deleted_while_open_keeps_reading_its_own_file(sample_books):
    saved = sample_books.save("2024-12")
    before, also = ledgers.saved_month(saved), ledgers.saved_month(saved)   # one file, two readers
    resaved = _ten_assets(saved).save("2024-12")
    assert resaved.kept == 1
    assert _count(before) == _count(also) == 800                 # the open months read the old file
    assert _count(ledgers.saved_month(snapshots.find("2024-12"))) == 10   # a new opening, the new one
    snapshots.delete("2024-12")
    assert snapshots.find("2024-12") is None
    assert _count(before) == 800
    rules.evaluate(before.con.cursor(), AS_OF)                    # and still evaluates


def test_a_month_saved_before_a_template_column_reads_it_as_empty(sample_books, tmp_path):
    saved = sample_books.save("2024-12")
    con = duckdb.connect(str(saved.path))        # an older month: the file without 主管部门
    con.execute("CREATE TABLE old AS SELECT * EXCLUDE (department) FROM assets")
    con.execute("DROP TABLE assets")
    con.execute("ALTER TABLE old RENAME TO assets")
    con.close()
    books = ledgers.saved_month(snapshots.find("2024-12"))
    columns = dict(books.con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                                     "WHERE database_name = 'memory' AND table_name = 'assets'").fetchall())
    assert columns["department"] == "VARCHAR"
    assert books.con.execute("SELECT count(*), count(department) FROM assets").fetchall() == [(800, 0)]
    copied = _copied(snapshots.find("2024-12"))
    now, then = books.con.cursor(), copied.cursor()
    rules.evaluate(now, AS_OF)
    rules.evaluate(then, AS_OF)
    assert _rows(now, "asset_results") == _rows(then, "asset_results")


def test_facts_saved_by_other_queries_are_judged_again_in_memory(sample_books, monkeypatch):
    saved = sample_books.save("2024-12")
    monkeypatch.setattr(snapshots, "facts_version", lambda: "other queries")
    books = ledgers.saved_month(saved)
    kinds = _kinds(books.con)
    assert {kinds[t] for t in snapshots.FACT_TABLES} == {"BASE TABLE"}        # derived here
    assert {kinds[t] for t in snapshots.LEDGER_TABLES} == {"VIEW"}            # the ledgers in place
    for table in snapshots.FACT_TABLES:
        assert _rows(books.con, table) == _rows(sample_books.con, table), table
    assert snapshots.find("2024-12").version == saved.version                 # the file untouched


# --- the month history from the summaries -----------------------------------------------

FILTERS = [Filters(), Filters(towns=("城川镇", "未填写")), Filters(levels=("red",)),
           Filters(categories=("经营性",), batches=("巩固", "提升")),
           Filters(scope=Scope(town="城川镇", village="大发村")),
           Filters(scope=Scope(department="水利局", department_names=("水利局", "旗水利局"))),
           Filters(villages=("无此村",))]


SHARE_COLS = ["town", "checked", "confirmed", "on_platform", "is_total"]


def _evaluations(months, params=None) -> dict[str, Evaluated]:
    return {s.month: Evaluated(books, books.reference, params)
            for s in months for books in [ledgers.saved_month(s)]}


def _evaluated_history(evaluations, where=Filters()):
    """Each month's shared/town_levels, as the history read it before the summaries."""
    out = {}
    for month, ev in evaluations.items():
        frame = ev.frame("shared/town_levels", where)
        out[month] = frame[COLS][frame.assets > 0].reset_index(drop=True)
    return out


def _from_summaries(frame, month):
    return frame[frame.month == month][COLS].reset_index(drop=True)


def test_the_month_history_from_the_summaries_equals_evaluating_every_month(sample_books):
    months = [sample_books.save("2024-06"), sample_books.save("2024-12")]
    summaries = []
    for saved in months:
        info, table = month_summary.read(str(saved.path), saved.version)
        books = ledgers.saved_month(saved)
        assert month_summary.usable(info, books.reference, policy.default_params(),
                                    month_summary.negative_in_force())
        assert 0 < table.num_rows < 800
        summaries.append(month_summary.with_month(saved.month, table))
    import pyarrow as pa
    table = pa.concat_tables(summaries)
    evaluations = _evaluations(months)
    for where in FILTERS:
        expected = _evaluated_history(evaluations, where)
        assert all(len(e) > 1 for e in expected.values()) or where is FILTERS[-1], where   # towns and a total
        got = month_summary.history(table, where)
        rolled = month_summary.rollup(table, month_summary.dimensions(where))   # what the app asks
        assert rolled.num_rows <= table.num_rows
        assert month_summary.history(rolled, where).astype(str).values.tolist() == got.astype(str).values.tolist()
        for saved in months:
            assert _from_summaries(got, saved.month).astype(str).values.tolist() == \
                expected[saved.month].astype(str).values.tolist(), (where, saved.month)
        # 盘活进度's MG1 / MG3 series (progress/check_shares) from the same summaries
        shares = month_summary.history(rolled, where, month_summary.ANSWERS["progress/check_shares"])
        for month, ev in evaluations.items():
            want = ev.frame("progress/check_shares", where)
            want = want[want.checked.gt(0) | ~want.is_total][SHARE_COLS].values.tolist()   # no total row when empty
            assert shares[shares.month == month][SHARE_COLS].values.tolist() == want, (where, month)
        if where == Filters():
            total = shares[shares.is_total].iloc[-1]
            assert total.checked > total.confirmed > 0 and total.checked > total.on_platform > 0
    assert got.empty                                  # the last filter: no such village
    with pytest.raises(ValueError):
        month_summary.history(table, Filters(year_from=2018))


def test_the_app_reads_the_summaries_and_evaluates_a_month_judged_otherwise(sample_books, monkeypatch):
    from dashboard.ui import data, summaries
    months = [sample_books.save("2024-06"), sample_books.save("2024-12")]
    key = tuple((s.month, str(s.path), s.version) for s in months)
    defaults = tuple(sorted(policy.default_params().items()))
    opened = []
    monkeypatch.setattr(data, "evaluated", lambda k: opened.append(k) or Evaluated(
        ledgers.saved_month(snapshots.find(k.source.removeprefix("snap:"))), k.as_of, k.param_dict))
    summaries.month_summaries.clear()
    got = summaries.month_summaries(key, defaults, data.policy_version())
    assert opened == []                                                  # nothing evaluated
    assert set(got.column("month").to_pylist()) == {"2024-06", "2024-12"}
    # other thresholds: every month evaluated with them, equal to the evaluated history
    other = dict(defaults) | {"idle_months": 3, "contract_yellow_months": 6}
    frame = month_summary.history(summaries.month_summaries(key, tuple(sorted(other.items())), data.policy_version()))
    assert [k.source for k in opened] == ["snap:2024-06", "snap:2024-12"]
    expected = _evaluated_history(_evaluations(months, other))
    for saved in months:
        assert _from_summaries(frame, saved.month).astype(str).values.tolist() == \
            expected[saved.month].astype(str).values.tolist()
    assert frame.warned.sum() != month_summary.history(got).warned.sum()   # the thresholds mattered
    # a summary made by other rule queries is not used either
    monkeypatch.setattr(month_summary, "version", lambda: "other rules")
    summaries.month_summaries.clear()
    opened.clear()
    summaries.month_summaries(key, defaults, data.policy_version())
    assert len(opened) == 2
