"""数据质量 (漏项错项, verification.md §2): DQ1–DQ4 at their edges, what only the importer knows
(values kept as written, rows rejected for an empty required cell), dq.csv, 完整率, the
workbook an authority gets back."""
from __future__ import annotations

import datetime as dt
import io
import threading

import openpyxl
import pandas as pd
import pytest

import rulekit
from dashboard import dq, filters, ledgers, sql
from dashboard.evaluated import Evaluated
from dashboard.filters import Filters
from dashboard.ledgers import Ledgers

DATA_DATE = dt.date(2024, 6, 30)
# every DQ1 column filled: the base asset of these tests is clean
CLEAN = {"ownership_status": "已确权", "ownership_date": "2019-03-01", "platform": "三资平台",
         "department": "城川镇", "verified_date": "2024-03-01", "operating_mode": "出租经营",
         "net_value": 800_000.0}


class Checked:
    """What dq asks of an Evaluated, without the rule pipeline (DQ reads no rule result): a
    cursor with the scope macros, queries run as Evaluated.frame runs them."""

    def __init__(self, books: Ledgers):
        self.ledgers, self.cur, self.lock, self.bind = books, books.con.cursor(), threading.Lock(), {}
        for macro in sql.text(filters.MACROS).split("\n;")[:2]:      # in_scope, scoped: all quality/ reads
            self.cur.execute(macro)

    def frame(self, name, where=Filters(), **bind):
        return sql.relation(self.cur, name, {**where.bind(), **bind}).to_arrow_table().to_pandas()


def found(data_date=DATA_DATE, absent=(), **sheets) -> pd.DataFrame:
    if "assets" in sheets:
        sheets["assets"] = [{**CLEAN, **a} for a in sheets["assets"]]
    else:
        sheets["assets"] = [CLEAN]
    con = rulekit.load(**sheets, absent=absent)
    return dq.findings(Checked(Ledgers("测试台账", con, data_date)))


def cells(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["check"], frame["column"]))


def by_asset(frame: pd.DataFrame) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set] = {}
    for asset, check, column in zip(frame.asset_id, frame["check"], frame["column"]):
        out.setdefault(asset, set()).add((check, column))
    return out


def found_each(cases: dict[str, dict], **kw) -> dict[str, set[tuple[str, str]]]:
    """One ledger, an asset per case (its ID the case's name): what fired on each."""
    return by_asset(found(assets=[{"asset_id": k, **v} for k, v in cases.items()], **kw))


# --- DQ1 漏项 ------------------------------------------------------------------------------

def test_dq1_empty_cells_the_rules_need():
    got = found_each({
        "clean": {},
        "three": {"verified_date": None, "funding_source": None, "platform": None},
        "village-嘎查村": {"village": None, "owner_level": "嘎查村"},
        "village-农户": {"village": None, "owner_level": "农户"},
        "village-旗": {"village": None, "owner_level": "旗", "platform": "国有资产平台"},
        "operating": {"operating_mode": None, "operating_status": None},
        "public": {"category": "公益性", "operating_mode": None, "operating_status": None},
        "disposed": {"verified_date": None, "disposal_status": "已处置"},
    })
    assert got == {"three": {("DQ1", "核实日期"), ("DQ1", "资金来源"), ("DQ1", "纳入管理平台")},
                   "village-嘎查村": {("DQ1", "所在嘎查村")}, "village-农户": {("DQ1", "所在嘎查村")},
                   "operating": {("DQ1", "运营方式"), ("DQ1", "运营状况")},
                   "disposed": {("DQ1", "核实日期")}}


def test_dq1_only_columns_the_ledger_has():
    f = found(assets=[{"verified_date": None}], absent=("assets.verified_date",))
    assert f.empty
    f = found(assets=[{"verified_date": None}])
    assert list(zip(f["check"], f["column"], f.value, f.reason)) == [("DQ1", "核实日期", "", "核实日期未填写")]


# --- DQ3 错项·矛盾: each contradiction and its non-case -------------------------------------

DQ3_CASES = {   # name: (fires, does not fire, the finding's column)
    "净值>原值": ({"net_value": 1_000_000.01}, {"net_value": 1_000_000.0}, "资产净值"),
    "原值≤0": ({"original_value": 0.0, "net_value": None}, {"original_value": 0.01, "net_value": None}, "资产原值"),
    "建成年度": ({"build_year": 2025, "ownership_date": None}, {"build_year": 2024, "ownership_date": None}, "建成年度"),
    "确权日期": ({"ownership_date": "2017-12-31"}, {"ownership_date": "2018-01-01"}, "确权日期"),
    "停运日期": ({"stop_date": "2017-12-31", "operating_status": "停运"},
             {"stop_date": "2018-01-01", "operating_status": "停运"}, "停运日期"),
    "盘活日期": ({"revitalised_date": "2017-12-31"}, {"revitalised_date": "2018-01-01"}, "盘活日期"),
    "合同": ({"contract_start": "2024-01-02", "contract_end": "2024-01-01"},
           {"contract_start": "2024-01-01", "contract_end": "2024-01-01"}, "合同到期日期"),
    "未确权": ({"ownership_status": "未确权"}, {"ownership_status": "已确权"}, "确权日期"),
    "停运未记": ({"stop_date": "2023-05-01"}, {"stop_date": "2023-05-01", "operating_status": "停运"}, "运营状况"),
    "停运已盘活": ({}, {"stop_date": "2023-05-01", "revitalised_date": "2024-01-05"}, None),
}


def test_dq3_each_contradiction_at_its_edge():
    cases = {}
    for name, (bad, good, _) in DQ3_CASES.items():
        cases[name + "+"], cases[name + "-"] = bad, good
    got = found_each(cases)
    assert got == {name + "+": {("DQ3", column)} for name, (_, _, column) in DQ3_CASES.items() if column}
    f = found(assets=[DQ3_CASES["停运未记"][0]])
    assert f.reason.iloc[0] == "运营状况为“良好”，却填有停运日期（2023-05-01）且无盘活日期"


# --- DQ4 错项·日期: the day before, of and after the data date -------------------------------

@pytest.mark.parametrize("day, fires", [(DATA_DATE - dt.timedelta(1), False), (DATA_DATE, False),
                                        (DATA_DATE + dt.timedelta(1), True)], ids=["before", "of", "after"])
def test_dq4_event_dates_after_the_data_date(day, fires):
    iso = day.isoformat()
    f = found(assets=[{"verified_date": iso, "revitalised_date": iso}],
              income=[{"asset_id": "A1", "year": 2024, "payment_date": iso}],
              distribution=[{"asset_id": "A1", "year": 2024, "amount": 100.0, "distributed_date": iso}],
              disposals=[{"asset_id": "A1", "method": "拍卖", "approval_date": iso}],
              problems=[{"problem_id": "P1", "asset_id": "A1", "aspect": "项目效益", "found_date": iso,
                         "deadline": iso}])
    expected = {("DQ4", c) for c in ("核实日期", "盘活日期", "实际上缴日期", "分配日期", "领导小组批复日期", "发现日期")}
    assert cells(f) == (expected if fires else set())
    if fires:
        assert set(f.sheet) == {"资产台账", "收益台账", "收益分配", "处置台账", "问题台账"}


def test_dq4_due_and_contract_dates_are_not_events():
    later = (DATA_DATE + dt.timedelta(400)).isoformat()
    assert found(assets=[{"contract_start": "2024-01-01", "contract_end": later, "principal_due": later}],
                 income=[{"asset_id": "A1", "year": 2024, "payment_due_date": later}]).empty


def test_dq4_without_a_stated_date_is_the_upload_day():
    con = rulekit.load(assets=[{**CLEAN, "verified_date": "2024-07-01"}])
    books = Ledgers("测试台账", con, None, loaded_on=DATA_DATE)
    assert cells(dq.findings(Checked(books))) == {("DQ4", "核实日期")}
    books = Ledgers("测试台账", rulekit.load(assets=[{**CLEAN, "verified_date": "2024-07-01"}]), None,
                    loaded_on=dt.date(2024, 7, 1))
    assert dq.findings(Checked(books)).empty


def test_one_cell_two_checks():
    f = found(assets=[{"ownership_status": "未确权", "ownership_date": "2024-07-01"}])
    assert sorted(f.loc[f.column == "确权日期", "check"]) == ["DQ3", "DQ4"]


# --- what only the importer knows: DQ2 and the rejected rows of DQ1 --------------------------

ROW = {"资产编号": "K1", "资产名称": "大棚", "资产类别": "经营性", "所在镇": "城川镇", "所在嘎查村": "大发村",
       "建成年度": 2019, "资产原值": 300000, "产权归属": "村集体", "运营方式": "出租", "主管部门": "城川镇"}


def _book(tmp_path, assets, disposals=None) -> str:
    path = tmp_path / "台账.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame(assets).to_excel(w, sheet_name="资产台账", index=False)
        if disposals:
            pd.DataFrame(disposals).to_excel(w, sheet_name="处置台账", index=False)
    return str(path)


def test_dq2_values_kept_as_written_not_those_folded(tmp_path):
    rows = [ROW, {**ROW, "资产编号": "K2", "产权归属": "村里的", "运营方式": "承包"},
            {**ROW, "资产编号": "K3", "资产名称": None}]
    books = ledgers.load([_book(tmp_path, rows, [{"资产编号": "K1", "处置方式": "拍卖"},
                                                 {"资产编号": "K2", "处置方式": "卖掉"}])])
    f = dq.findings(Checked(books))
    two = f[f.check == "DQ2"]
    assert set(zip(two.asset_id, two.column, two.value)) == {
        ("K2", "产权归属", "村里的"), ("K2", "运营方式", "承包"), ("K2", "处置方式", "卖掉")}   # 村集体, 出租, 拍卖 fold
    assert set(two.row) == {3}                                   # the Excel row, as rejected.csv
    assert "按原文保留" in two.reason.iloc[0]
    # the row rejected for its empty 资产名称 stays rejected, with its reason, and is DQ1 too
    one = f[(f.check == "DQ1") & (f.asset_id == "K3")]
    assert list(zip(one.row, one.column, one.authority)) == [(4, "资产名称", "城川镇")]
    rejected = books.result.rejection_frame()
    assert rejected.loc[rejected["行"] == 4, "原因"].str.contains("资产名称").all()


def test_the_marks_survive_a_saved_month(tmp_path):
    from dashboard import snapshots
    books = ledgers.load([_book(tmp_path, [ROW, {**ROW, "资产编号": "K2", "产权归属": "村里的"},
                                           {**ROW, "资产编号": "K3", "资产名称": None}])])
    saved = books.save("2024-06")
    month = ledgers.saved_month(snapshots.find("2024-06"))
    f = dq.findings(Checked(month))
    assert set(zip(f.check, f.asset_id)) >= {("DQ2", "K2"), ("DQ1", "K3")}
    assert saved.month == "2024-06"


# --- authority, 完整率, dq.csv, the workbook -----------------------------------------------

def test_authority_completeness_csv_and_workbook(tmp_path):
    from dashboard.evaluate import write_exports
    con = rulekit.load(assets=[{**CLEAN, "verified_date": None},
                               {**CLEAN, "asset_id": "A2", "department": "鄂托克前旗农牧局", "platform": None}])
    books = Ledgers("测试台账", con, DATA_DATE)
    ev = Evaluated(books, DATA_DATE)
    rates = dq.by_authority(ev).set_index("authority")
    assert rates.loc["城川镇", "dq1"] == 1 and rates.loc["农牧局", "dq1"] == 1
    cells_a1 = rates.loc["城川镇", "cells"]
    assert rates.loc["城川镇", "complete_rate"] == pytest.approx((cells_a1 - 1) / cells_a1)
    write_exports(books, ev, tmp_path / "out")
    csv = pd.read_csv(tmp_path / "out" / "dq.csv", encoding="utf-8-sig", dtype=str)
    assert list(csv.columns) == ["authority", "sheet", "row", "asset_id", "column", "check", "value", "reason"]
    assert set(zip(csv.authority, csv.asset_id, csv.column)) == {("城川镇", "A1", "核实日期"),
                                                                ("农牧局", "A2", "纳入管理平台")}
    rows = dq.findings(ev, authority="农牧局")
    book = openpyxl.load_workbook(io.BytesIO(dq.workbook(rows, "农牧局", 0.9, DATA_DATE, dt.date(2024, 7, 20))))
    ws = book.active
    text = [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]
    assert "农牧局" in text[0][0] and "请于2024年8月25日前" in text[1][0]       # 7-20 + 7 days > 7-25
    assert [r[2] for r in text[3:]] == ["A2"]


def test_correction_due_is_the_next_25th_a_week_away():
    assert dq.correction_due(dt.date(2024, 7, 18)) == dt.date(2024, 7, 25)
    assert dq.correction_due(dt.date(2024, 7, 19)) == dt.date(2024, 8, 25)
    assert dq.correction_due(dt.date(2024, 12, 26)) == dt.date(2025, 1, 25)


def test_a_formula_in_a_value_is_text_in_the_workbook():
    rows = pd.DataFrame({"sheet": ["资产台账"], "row": [3], "asset_id": ["=1+1"], "column": ["运营方式"],
                         "check": ["DQ2"], "check_name": ["错项·取值"], "value": ["=HYPERLINK(1)"],
                         "reason": ["x"], "source_file": ["a.xlsx"]})
    ws = openpyxl.load_workbook(io.BytesIO(dq.workbook(rows, "城川镇", None, DATA_DATE))).active
    assert ws.cell(4, 3).value == "'=1+1" and ws.cell(4, 6).value == "'=HYPERLINK(1)"


# --- the page: a town user downloads its own workbook, and only its rows ---------------------

def test_a_town_user_downloads_only_its_own_rows(sample_ev, monkeypatch):
    import streamlit as st
    from conftest import account, app
    from dashboard.store import audit
    builders = {}
    download = st.download_button

    def spy(label, data, *args, **kwargs):   # the builder Streamlit runs when the browser asks for the file
        builders[label] = data
        return download(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    account("城川", "town", town="城川镇")
    at = app("quality", user="城川")
    labels = [b.proto.label for b in at.get("download_button")]
    assert [x for x in labels if x.startswith("下载")] == ["下载城川镇的更正清单（Excel）"]   # no other authority's
    ws = openpyxl.load_workbook(io.BytesIO(builders["下载城川镇的更正清单（Excel）"]())).active
    got = [(r[0], r[1], r[2], r[3]) for r in ws.iter_rows(min_row=4, values_only=True)]
    everyone = dq.findings(sample_ev)
    mine = everyone[everyone.authority == "城川镇"]
    assert got == list(zip(mine.sheet, mine.row, mine.asset_id, mine["column"])) and got
    others = set(everyone.loc[everyone.authority != "城川镇", "asset_id"])
    assert others and not others & {g[2] for g in got}
    entry = next(r for r in audit.rows(action="export") if r.object == "城川镇漏项错项清单")
    assert entry.user_name == "城川" and "城川镇" in str(entry.details)


def test_a_consolidated_month_keeps_each_authoritys_rejected_rows(tmp_path):
    from dashboard.monthly import consolidate as C, submissions as M
    rows = [ROW, {**ROW, "资产编号": "K3", "资产名称": None},
            {**ROW, "资产编号": "K4", "资产名称": None, "所在镇": "昂素镇", "主管部门": "昂素镇"}]
    done = M.submit("2024-06", "城川镇", [_book(tmp_path, rows)], by="测试")
    assert done.submission is not None
    result = C.consolidate("2024-06", today=dt.date(2024, 6, 30))
    f = dq.findings(Checked(ledgers.saved_month(result.snapshot)))
    one = f[f["check"] == "DQ1"]
    assert list(zip(one.asset_id, one["column"], one.authority)) == [("K3", "资产名称", "城川镇")]   # not 昂素镇's
    assert one.source_file.iloc[0].startswith("城川镇报送#")
