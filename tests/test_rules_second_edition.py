"""policy-rules.md §9 (second edition), each clarification at its edges: the day before,
of and after.  Rules named: IDLE, LE1, LE2, Y02, Y05, R03, R04, R05, C1, C5, PLEDGE, OUT_OF_SCOPE."""
import datetime as dt

import pytest

from dashboard import explain, ledgers
from dashboard.evaluated import Evaluated
from rulekit import collection, evaluate, fired

STOPPED = {"operating_status": "停运"}


def batch(as_of: str, **sheets) -> str:
    con, _ = evaluate(as_of, **sheets)
    return con.execute("SELECT batch_suggested FROM asset_results WHERE asset_id = 'A1'").fetchone()[0]


# --- month arithmetic clamps -----------------------------------------------------------
@pytest.mark.parametrize("as_of, expect", [("2024-02-28", False), ("2024-02-29", True), ("2024-03-01", True)])
def test_idle_2023_08_31_plus_6_months_is_2024_02_29(as_of, expect):
    got = fired(as_of, assets=[{**STOPPED, "stop_date": "2023-08-31"}])
    assert ("IDLE" in got) is expect


@pytest.mark.parametrize("as_of, expect", [("2024-02-27", True), ("2024-02-28", True), ("2024-02-29", False)])
def test_y05_2023_02_28_plus_12_months_is_2024_02_28(as_of, expect):
    # 2023-02-28 + 12 months = 2024-02-28, not 02-29: the watch ends on the 28th (inclusive)
    got = fired(as_of, assets=[{"revitalised_date": "2023-02-28"}], params={"revitalised_watch_months": 12})
    assert ("Y05" in got) is expect


@pytest.mark.parametrize("as_of, expect", [("2024-02-28", False), ("2024-02-29", True), ("2024-03-01", True)])
def test_le1_2024_01_31_plus_1_month_is_2024_02_29(as_of, expect):
    income = [{"asset_id": "A1", "year": 2023, "dividend_due_date": "2024-01-31"}]
    got = fired(as_of, assets=[{"operating_mode": "入股经营"}], income=income,
                params={"dividend_grace_months": 1})
    assert ("LE1" in got) is expect


# --- 停运日期 after as_of: still running then ------------------------------------------
@pytest.mark.parametrize("stop, idle, stopped_then", [
    ("2024-06-29", True, True),      # stopped the day before as_of − 6 months: idle
    ("2024-12-30", False, True),     # stopped on as_of: stopped, not yet idle
    ("2024-12-31", False, False),    # stops after as_of: still running as of then
])
def test_stop_date_after_as_of_is_not_yet_stopped(stop, idle, stopped_then):
    assets = [{**STOPPED, "stop_date": stop}]
    assert ("IDLE" in fired("2024-12-30", assets=assets)) is idle
    assert (batch("2024-12-30", assets=assets) == "盘活") is stopped_then


# --- 实收收益 paid after as_of does not count toward the rate --------------------------------
@pytest.mark.parametrize("paid, expect", [
    ("2024-06-29", None),     # paid before as_of: 3 % of the value, no warning
    ("2024-06-30", None),     # paid on as_of: received
    ("2024-07-01", "R03"),    # paid after as_of: not yet received, the 2023 rate is 0
    (None, None),             # no payment date but 实收收益 recorded: counts
])
def test_income_paid_after_as_of_does_not_count(paid, expect):
    income = [{"asset_id": "A1", "year": 2023, "income_received": 30_000.0, "payment_date": paid}]
    got = fired("2024-06-30", income=income) & {"Y02", "R03"}
    assert got == ({expect} if expect else set())


@pytest.mark.parametrize("paid, c1, c5", [("2024-06-30", True, True), ("2024-07-01", False, False)])
def test_collection_rate_checks_follow_the_payment_date(paid, c1, c5):
    income = [{"asset_id": "A1", "year": 2023, "income_received": 30_000.0, "payment_date": paid}]
    checks, _ = collection("2024-06-30", assets=[{"contract_income": 30_000.0}], income=income)
    assert checks["C1"] is c1 and checks["C5"] is c5


def test_rate_sentence_says_as_of_which_date():
    facts = {"year": 2023, "income": 0, "original_value": 1_000_000, "rate": 0}
    text = explain.explain("R03", facts, dt.date(2024, 6, 30), {"income_rate_too_low": 0.01})
    assert "截至2024年6月30日已上缴" in text


# --- an empty 实际上缴日期: counts toward the rate; R05 once the due date has passed --------
@pytest.mark.parametrize("due, r05", [("2024-06-29", True), ("2024-06-30", False), ("2024-07-01", False)])
def test_empty_payment_date_counts_but_r05_fires_after_due(due, r05):
    income = [{"asset_id": "A1", "year": 2023, "income_due": 30_000.0, "income_received": 30_000.0,
               "payment_due_date": due, "payment_date": None}]
    got = fired("2024-06-30", income=income)
    assert not got & {"Y02", "R03"}          # the money is recorded as received
    assert ("R05" in got) is r05


# --- several 收益台账 rows for one asset and year are summed ------------------------------
CONTRACT = {"contract_income": 30_000.0, "contract_start": "2020-01-01", "contract_end": "2030-12-31"}


@pytest.mark.parametrize("dues, expect", [
    ((20_000.0, 10_000.0), False),    # 2万 + 1万 = the agreed 3万: no R04 (fired per row before)
    ((20_000.0, 9_999.99), True),     # a cent short of the year's agreement
    ((20_000.0, 10_000.01), False),
])
def test_r04_compares_the_years_sum(dues, expect):
    income = [{"asset_id": "A1", "year": 2023, "income_due": d, "income_received": d} for d in dues]
    assert ("R04" in fired("2024-06-30", assets=[CONTRACT], income=income)) is expect


def test_income_rate_and_le2_sum_the_years_rows():
    income = [{"asset_id": "A1", "year": 2023, "income_received": 15_000.0, "net_operating_income": -1.0},
              {"asset_id": "A1", "year": 2023, "income_received": 15_000.0, "net_operating_income": -1.0},
              {"asset_id": "A1", "year": 2022, "income_received": 30_000.0, "net_operating_income": -1.0}]
    got = fired("2024-06-30", income=income)
    assert not got & {"Y02", "R03"}      # 1.5万 + 1.5万 = 3 %
    assert "LE2" in got


def test_several_rows_of_one_year_are_one_doubt_in_rejected(tmp_path):
    import pandas as pd
    book = tmp_path / "台账.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame([{"资产编号": "A1", "资产名称": "大棚", "资产类别": "经营性", "所在镇": "城川镇",
                       "所在嘎查村": "大发村", "建成年度": 2018, "资产原值": 100000}]
                     ).to_excel(w, sheet_name="资产台账", index=False)
        pd.DataFrame([{"资产编号": "A1", "年度": 2023, "应收收益": 2000, "实收收益": 2000},
                      {"资产编号": "A1", "年度": 2023, "应收收益": 1000, "实收收益": 1000},
                      {"资产编号": "A1", "年度": 2022, "应收收益": 3000, "实收收益": 3000}]
                     ).to_excel(w, sheet_name="收益台账", index=False)
    books = ledgers.load([book])
    doubts = [i for i in books.result.issues if "已合计" in i.reason]
    assert len(doubts) == 1
    assert doubts[0].kind == "doubt" and "同一资产同一年度有2行收益记录" in doubts[0].reason
    assert books.con.execute("SELECT count(*) FROM income").fetchone()[0] == 3   # nothing dropped
    ev = Evaluated(books, dt.date(2023, 12, 31))
    rate = ev.rows("rules/income_rate")
    assert rate == [] or float(rate[0]["income"]) == 3000.0


# --- equity-type: 入股经营 or any 约定分红日期 -------------------------------------------
@pytest.mark.parametrize("mode, due, expect", [
    ("委托经营", "2024-01-01", True),     # 保底分红 under 委托经营: equity-type
    ("委托经营", None, False),            # no dividend agreed: not equity-type
    ("入股经营", "2024-01-01", True),
])
def test_le1_applies_to_every_equity_type_asset(mode, due, expect):
    income = [{"asset_id": "A1", "year": 2023, "dividend_due_date": due}]
    assert ("LE1" in fired("2024-12-30", assets=[{"operating_mode": mode}], income=income)) is expect


# --- OUT_OF_SCOPE is still evaluated; flags outlive disposal -------------------------------
def test_out_of_scope_assets_still_warn():
    got = fired("2024-12-30", assets=[{"build_year": 2011, "operating_status": "不正常"}])
    assert "OUT_OF_SCOPE" in got and "R01" in got


def test_pledge_outlives_disposal_idle_does_not():
    got = fired("2024-12-30", assets=[{**STOPPED, "stop_date": "2023-01-01", "pledge": "已抵押",
                                      "disposal_status": "已处置"}])
    assert "PLEDGE" in got and "IDLE" not in got
