"""The seeded sample generator (dashboard/sample.py), read back from the .xlsx it writes."""
from __future__ import annotations

import collections
import csv
import datetime as dt
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from conftest import AS_OF
from dashboard import ledgers, places, policy, rules, sample, template as T

N = 800


def read(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def records(grid: list[list], header_row: int) -> list[dict]:
    head = grid[header_row]
    return [dict(zip(head, row)) for row in grid[header_row + 1:]]


def expected_header(sheet: T.Sheet, c: T.Column) -> str:
    if c.kind != T.MONEY:
        return c.zh
    return c.zh + ("（万元）" if sheet is T.ASSETS else "（元）")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "s.xlsx"
    counts = sample.generate(N, 2024, path)
    grids = read(path)
    assets = records(grids["资产台账"], 1)
    return {"path": path, "counts": counts, "grids": grids, "total": assets[-1], "assets": assets[:-1],
            **{s.name: records(grids[s.zh], 0) for s in T.SHEETS if s is not T.ASSETS}}


def test_five_sheets_with_template_headers(book):
    grids = book["grids"]
    assert list(grids) == [s.zh for s in T.SHEETS]
    for sheet in T.SHEETS:
        header_row = 1 if sheet is T.ASSETS else 0
        assert grids[sheet.zh][header_row] == [expected_header(sheet, c) for c in sheet.columns]


def test_asset_ledger_has_title_and_total_row(book):
    title = book["grids"]["资产台账"][0][0]
    assert title == "鄂托克前旗扶贫（帮扶）项目资产台账（截至2024年12月31日）"
    total = book["total"]
    assert total["资产编号"] == "合计"
    values = [r["资产原值（万元）"] for r in book["assets"]]
    assert total["资产原值（万元）"] == pytest.approx(sum(values), abs=1e-3)
    assert len(book["assets"]) == N == book["counts"]["assets"]


def test_money_in_wan_with_at_most_four_decimals(book):
    for r in book["assets"]:
        for h in ("资产原值（万元）", "资产净值（万元）", "约定年收益（万元）", "本金（万元）"):
            v = r[h]
            if v != "":
                assert round(v * 10_000) == pytest.approx(v * 10_000, abs=1e-6), (h, v)


def test_dates_are_real_excel_dates(book):
    date_cols = [c.zh for c in T.ASSETS.columns if c.kind == T.DATE]
    seen = collections.Counter()
    for r in book["assets"]:
        for h in date_cols:
            if r[h] != "":
                assert isinstance(r[h], dt.date), (h, r[h])
                seen[h] += 1
    assert seen["核实日期"] > N * 0.8 and seen["确权日期"] > N * 0.8
    for row in book["income"]:
        assert row["约定上缴日期"] == "" or isinstance(row["约定上缴日期"], dt.date)


def test_same_seed_same_workbook_other_seed_differs(book, tmp_path):
    again = tmp_path / "again.xlsx"
    sample.generate(N, 2024, again)
    assert again.read_bytes() == book["path"].read_bytes()
    other = tmp_path / "other.xlsx"
    sample.generate(N, 2025, other)
    grids = read(other)
    assert grids["资产台账"][2:] != book["grids"]["资产台账"][2:]


def test_category_proportions(book):
    cats = collections.Counter(r["资产类别"] for r in book["assets"])
    assert set(cats) == {"公益性", "到户类", "经营性"}
    assert cats["公益性"] / N > 0.7
    assert 0.04 < cats["经营性"] / N < 0.12
    assert 0.05 < cats["到户类"] / N < 0.2
    assert book["counts"]["operating"] == cats["经营性"]


def test_places_are_real_towns_and_villages(book):
    known = {(v.town, v.short) for t in places.TOWNS for v in places.villages_of(t)}
    rows = book["assets"] + book["distribution"]
    assert {(r["所在镇"], r["所在嘎查村"]) for r in rows} <= known
    assert {r["所在镇"] for r in book["assets"]} == set(places.TOWNS)


def test_every_sign_off_tier_occurs(book):
    yuan = [round(r["资产原值（万元）"] * 10_000) for r in book["assets"]]
    tiers = collections.Counter(
        "T1" if v <= 1_000_000 else "T2" if v <= 10_000_000 else "T3" if v <= 50_000_000 else "T4"
        for v in yuan)
    assert set(tiers) == {"T1", "T2", "T3", "T4"}
    assert tiers["T1"] > tiers["T2"] > tiers["T3"] >= tiers["T4"]
    # the exact limits are there too (boundary rows)
    assert {1_000_000, 10_000_000, 50_000_000} <= set(yuan)


def test_scope_funding_and_years(book):
    funds = collections.Counter(r["资金来源"] for r in book["assets"])
    in_scope = sum(funds[f] for f in T.FUNDING_IN_SCOPE)
    assert in_scope / N > 0.95 and in_scope < N
    years = [r["建成年度"] for r in book["assets"]]
    assert min(years) < 2012 and sum(2013 <= y <= 2023 for y in years) / N > 0.98


def _catalog_rule_ids() -> set[str]:
    with policy.RULES_FILE.open(encoding="utf-8") as f:
        ids = {r["rule_id"] for r in csv.DictReader(f)
               if r["level"] in ("flag", "yellow", "red", "distribution", "disposal")}
    return ids | {"T1", "T2", "T3", "T4"}


def test_scenarios_cover_every_rule_id():
    covered = {r for v in sample.SCENARIOS.values() for r in v["rules"]}
    assert _catalog_rule_ids() <= covered
    assert set(sample.ALL_RULE_IDS) == covered


def test_every_scenario_is_placed_in_the_workbook(book):
    ledger = sample.build(N, 2024)
    ids = {r["资产编号"] for r in book["assets"]}
    for key, spec in sample.SCENARIOS.items():
        if key in ("tiers_ordinary", "dist_ordinary"):
            continue
        placed = ledger.scenario_assets.get(key, [])
        assert placed, key
        assert set(placed) <= ids, key


def test_scenario_facts_in_the_workbook(book):
    ledger = sample.build(N, 2024)
    by_id = {r["资产编号"]: r for r in book["assets"]}
    idle = by_id[ledger.scenario_assets["idle"][0]]
    assert idle["运营状况"] == "停运" and idle["停运日期"] == dt.date(2024, 6, 30)
    qa = by_id[ledger.scenario_assets["qa_no_stop_date"][0]]
    assert qa["运营状况"] == "停运" and qa["停运日期"] == ""
    neg = ledger.scenario_assets["r06_d3"][0]
    assert any(r["资产编号"] == neg and r["年度"] == 2024 and "村干部补贴" in r["分配用途"]
               for r in book["distribution"])
    short = ledger.scenario_assets["dp2"][0]
    row = next(r for r in book["disposals"] if r["资产编号"] == short)
    assert (row["村公示结束"] - row["村公示开始"]).days + 1 == 9
    batches = collections.Counter(r["批次编号"] for r in book["disposals"] if r["批次编号"])
    assert batches and max(batches.values()) >= 2
    dp6 = ledger.scenario_assets["dp6"][0]
    assert by_id[dp6]["处置状态"] == "已处置"
    assert dp6 not in {r["资产编号"] for r in book["disposals"]}


def test_problem_ledger_by_the_five_aspects(book):
    problems = book["problems"]
    assert {r["方面"] for r in problems} == set(T.ASPECTS)
    early = sum(dt.date(2024, 1, 1) <= r["发现日期"] <= dt.date(2024, 2, 29) for r in problems)
    assert early / len(problems) > 0.5
    assert {r["整改状态"] for r in problems} == {"整改中", "已整改", "已销号"}
    assert all(r["销号日期"] != "" for r in problems if r["整改状态"] == "已销号")


def test_rules_fire_on_their_scenario_assets_and_nowhere_else(book):
    """The contract with the rule engine: each scenario asset fires exactly its rules
    (T1–T4 are tiers, not hits); ordinary assets fire none."""
    con = ledgers.load([book["path"]]).con
    rules.evaluate(con, AS_OF)
    hits = collections.defaultdict(set)
    for q in ("SELECT asset_id, rule_id FROM rule_hits",
              "SELECT asset_id, unnest(failed) FROM distribution_checks WHERE asset_id IS NOT NULL",
              "SELECT asset_id, unnest(violations) FROM disposal_checks"):
        for asset_id, rule_id in con.execute(q).fetchall():
            hits[asset_id].add(rule_id)
    ledger = sample.build(N, 2024)
    for key, ids in ledger.scenario_assets.items():
        want = set(sample.SCENARIOS[key]["rules"]) - {"T1", "T2", "T3", "T4"}
        for asset_id in ids:
            assert hits.get(asset_id, set()) == want, (key, asset_id)
    placed = {x for ids in ledger.scenario_assets.values() for x in ids}
    assert {a: h for a, h in hits.items() if a not in placed} == {}
    fired = {r for h in hits.values() for r in h}
    assert _catalog_rule_ids() - {"T1", "T2", "T3", "T4"} <= fired


def test_other_as_of_keeps_the_scenarios(tmp_path):
    ledger = sample.build(300, 5, dt.date(2024, 6, 30))
    a = ledger.tables["assets"]
    i = list(a["asset_id"]).index(ledger.scenario_assets["r10"][0])
    end = a["contract_end"][i].astype(object)
    assert sample.add_months(end, 3) < dt.date(2024, 6, 30) <= sample.add_months(end + dt.timedelta(days=1), 3)


def test_main_parses_the_cli_arguments(tmp_path, capsys):
    out = tmp_path / "cli.xlsx"
    assert sample.main(["--assets", "300", "--seed", "1", "--out", str(out)]) == 0
    assert out.exists() and "已生成" in capsys.readouterr().out


def test_too_small_a_sample_is_refused(tmp_path):
    with pytest.raises(ValueError):
        sample.generate(50, 1, tmp_path / "x.xlsx")


def test_block_rows_equal_xlsxwriter_write_row(tmp_path):
    """BlockWorksheet renders rows itself for speed: the cells must read back exactly
    as the ones xlsxwriter's write_row writes, with the same number formats."""
    import openpyxl
    ledger = sample.build(300, 11)
    fast, plain = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    sample.write(ledger, fast)
    sample.write(ledger, plain, plain=True)
    assert read(fast) == read(plain)
    a, b = openpyxl.load_workbook(fast), openpyxl.load_workbook(plain)
    for name in a.sheetnames:
        for ra, rb in zip(a[name].iter_rows(), b[name].iter_rows()):
            assert [c.number_format for c in ra] == [c.number_format for c in rb]
        assert a[name].dimensions == b[name].dimensions
