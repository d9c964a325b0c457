"""Boundary tests of C3, C4, D1–D6, DP1–DP6, T1–T4, PLEDGE, OUT_OF_SCOPE, QA, the four batches."""
import pytest

from rulekit import collection, disposal_violations, distribution_failed, evaluate, fired

GOOD_ROW = {"asset_id": "A1", "year": 2024, "plan": "有", "plan_change": "无", "amount": 8000.0,
            "purpose": "设置公益性岗位", "beneficiary": "脱贫户", "payout_method": "公益岗位",
            "income_arrived_date": "2024-03-01", "distributed_date": "2024-04-01"}


def test_good_distribution_row_passes():
    assert distribution_failed("2024-12-30", GOOD_ROW) == set()


@pytest.mark.parametrize("change, expect", [
    ({"plan": "无"}, {"D1"}), ({"plan": None}, {"D1"}),
    ({"plan_change": "未审批"}, {"D2"}), ({"plan_change": "已审批"}, set()),
    ({"purpose": "用于支付村干部补贴"}, {"D3"}), ({"purpose": "村级组织办公经费"}, {"D3"}),
    ({"beneficiary": "一般农户"}, {"D5"}), ({"beneficiary": "脱贫户、监测对象"}, set()),
    ({"beneficiary": "脱贫户、一般农户"}, {"D5"}), ({"beneficiary": None}, {"D5"}),
    ({"payout_method": "直接发放现金"}, {"D6"}), ({"payout_method": "发放实物"}, {"D6"}),
])
def test_distribution_checks(change, expect):
    assert distribution_failed("2024-12-30", {**GOOD_ROW, **change}) == expect


@pytest.mark.parametrize("distributed, as_of, expect", [
    ("2025-03-01", "2025-06-30", False),   # exactly 12 months after arrival
    ("2025-03-02", "2025-06-30", True),    # a day more
    (None, "2025-03-01", False),           # undistributed, 12 months today
    (None, "2025-03-02", True),            # a day more
    ("2025-04-01", "2025-03-01", False),   # distributed after as_of: judged at as_of
])
def test_d4_retention(distributed, as_of, expect):
    row = {**GOOD_ROW, "distributed_date": distributed}
    assert ("D4" in distribution_failed(as_of, row)) is expect


def test_negative_list_fires_r06_and_other_failures_y04_for_recent_years():
    bad = {**GOOD_ROW, "purpose": "发放福利", "plan": "无"}
    got = fired("2024-12-31", distribution=[bad])
    assert {"R06", "Y04"} <= got
    old = fired("2024-12-31", distribution=[{**bad, "year": 2023}])
    assert not old & {"R06", "Y04"}


# --- collection: C3 arrears chased, C4 benefit linkage (§5) ------------------------------
OPERATING = [{"benefit_linkage": "吸纳脱贫户务工12人"}]   # BASE_ASSET is 经营性


def _income(due, paid=None, received=None, reminder=None, income_due=10_000.0):
    return {"asset_id": "A1", "year": 2024, "income_due": income_due, "income_received": received,
            "payment_due_date": due, "payment_date": paid, "reminder": reminder}


@pytest.mark.parametrize("due, expect", [
    ("2024-12-29", False),    # due the day before as_of, unpaid, never chased: fails
    ("2024-12-30", None),     # due on as_of: not yet late, nothing to chase
    ("2024-12-31", None),     # due after as_of
])
def test_c3_due_date_around_as_of(due, expect):
    got, _ = collection("2024-12-30", assets=OPERATING, income=[_income(due)])
    assert got["C3"] is expect


@pytest.mark.parametrize("due", ["2024-12-29", "2024-12-30", "2024-12-31"])
def test_c3_chased_arrears_pass(due):
    got, _ = collection("2024-12-30", assets=OPERATING,
                        income=[_income(due, reminder="2024-12-29已电话催缴")])
    assert got["C3"] is (True if due < "2024-12-30" else None)


@pytest.mark.parametrize("paid, received, reminder, expect", [
    ("2024-03-31", 10_000.0, None, None),        # paid in full on the due date: nothing late
    ("2024-03-30", 10_000.0, None, None),        # early
    ("2024-04-01", 10_000.0, None, False),       # a day late, not chased
    ("2024-04-01", 10_000.0, "2024-04-01催缴", True),
    ("2024-03-31", 9_999.0, None, False),        # on time but short
    ("2024-03-31", 9_999.0, "已发催缴通知书", True),
    ("2025-01-05", 10_000.0, None, False),       # paid after as_of: unpaid then, late
    (None, None, "  ", False),                   # a blank reminder is no reminder
])
def test_c3_late_or_short_needs_a_reminder(paid, received, reminder, expect):
    got, _ = collection("2024-12-30", assets=OPERATING, income=[_income("2024-03-31", paid, received, reminder)])
    assert got["C3"] is expect


def test_c3_every_late_row_must_be_chased():
    chased = _income("2024-03-31", reminder="2024-04-10催缴")
    unchased = {**_income("2023-03-31"), "year": 2023}
    on_time = {**_income("2023-03-31", "2023-03-31", 10_000.0), "year": 2023}
    assert collection("2024-12-30", assets=OPERATING, income=[chased, unchased])[0]["C3"] is False
    assert collection("2024-12-30", assets=OPERATING, income=[chased, on_time])[0]["C3"] is True
    assert collection("2024-12-30", assets=OPERATING,
                      income=[chased, {**unchased, "reminder": "2023-05-01催缴"}])[0]["C3"] is True


def test_c3_only_for_operating_assets():
    got, _ = collection("2024-12-30", assets=[{"category": "公益性"}], income=[_income("2024-03-31")])
    assert got == {}


def test_c3_without_the_reminder_column_is_not_evaluated():
    got, skipped = collection("2024-12-30", assets=OPERATING, income=[_income("2024-03-31")],
                              absent=["income.reminder"])
    assert "C3" in skipped
    assert got["C3"] is None          # not evaluated is never a verdict, pass or fail


@pytest.mark.parametrize("linkage, expect", [
    ("吸纳脱贫户务工12人", True), ("带动脱贫户销售农产品", True), (" 订单收购 ", True),
    ("无", False), (" 无 ", False), ("否", False), ("未建立", False), ("", False), ("   ", False),
    (None, False),                  # a blank cell of an uploaded column: nothing recorded
])
def test_c4_benefit_linkage(linkage, expect):
    got, skipped = collection("2024-12-30", assets=[{"benefit_linkage": linkage}])
    assert "C4" not in skipped
    assert got["C4"] is expect


def test_c4_without_the_column_is_not_evaluated():
    got, skipped = collection("2024-12-30", assets=[{}], absent=["assets.benefit_linkage"])
    assert "C4" in skipped
    assert got["C4"] is None


def test_c4_only_for_operating_assets():
    assert collection("2024-12-30", assets=[{"category": "公益性", "benefit_linkage": "无"}])[0] == {}


# --- disposals -------------------------------------------------------------------
FULL = {"asset_id": "A1", "village_apply_date": "2024-01-02", "village_notice_start": "2024-01-03",
        "village_notice_end": "2024-01-12", "town_review_date": "2024-01-15",
        "review_notice_start": "2024-01-16", "review_notice_end": "2024-01-25",
        "web_notice_start": "2024-01-26", "web_notice_end": "2024-02-04",
        "approval_date": "2024-02-06", "disposal_date": "2024-02-10"}
VILLAGE = [{"owner_level": "嘎查村", "disposal_status": "已处置", "original_value": 500_000.0}]


def test_full_path_complete_passes():
    assert disposal_violations("2024-12-30", [FULL], VILLAGE) == [set()]


def test_dp1_missing_step_and_dp3_unapproved():
    row = {**FULL, "approval_date": None}
    assert disposal_violations("2024-12-30", [row], VILLAGE) == [{"DP1", "DP3"}]


def test_dp1_unfinished_disposal_not_faulted_for_steps_ahead():
    row = {**FULL, "web_notice_start": None, "web_notice_end": None, "approval_date": None,
           "disposal_date": None}
    assert disposal_violations("2024-12-30", [row], VILLAGE) == [set()]


@pytest.mark.parametrize("end, expect", [("2024-01-11", True), ("2024-01-12", False), ("2024-01-13", False)])
def test_dp2_notice_length(end, expect):
    # 2024-01-03 .. 01-11 is 9 days; .. 01-12 is 10 days
    assert ("DP2" in disposal_violations("2024-12-30", [{**FULL, "village_notice_end": end}], VILLAGE)[0]) is expect


def test_dp3_out_of_order():
    row = {**FULL, "town_review_date": "2024-01-10"}   # before the village notice ended
    assert "DP3" in disposal_violations("2024-12-30", [row], VILLAGE)[0]


SIMPLE = {"simplified": "是", "village_apply_date": "2024-01-02", "town_review_date": "2024-01-05",
          "review_notice_start": "2024-01-06", "disposal_date": "2024-01-20"}


@pytest.mark.parametrize("value, expect", [(99_999.99, False), (100_000.0, False), (100_000.01, True)])
def test_dp4_single_asset(value, expect):
    assets = [{"owner_level": "嘎查村", "original_value": value}]
    got = disposal_violations("2024-12-30", [{**SIMPLE, "asset_id": "A1"}], assets)[0]
    assert ("DP4" in got) is expect


@pytest.mark.parametrize("second, expect", [(150_000.0, False), (150_000.01, True)])
def test_dp4_batch(second, expect):
    assets = [{"asset_id": "A1", "owner_level": "嘎查村", "original_value": 150_000.0},
              {"asset_id": "A2", "owner_level": "嘎查村", "original_value": second}]
    rows = [{**SIMPLE, "asset_id": a, "batch_id": "B1"} for a in ("A1", "A2")]
    got = disposal_violations("2024-12-30", rows, assets)
    assert all(("DP4" in v) is expect for v in got)


def test_dp4_lone_asset_with_batch_id_is_not_a_batch():
    assets = [{"owner_level": "嘎查村", "original_value": 150_000.0}]
    got = disposal_violations("2024-12-30", [{**SIMPLE, "asset_id": "A1", "batch_id": "B9"}], assets)
    assert "DP4" in got[0]


def test_dp5_and_state_path():
    state = [{"owner_level": "镇", "original_value": 500_000.0}]
    row = {"asset_id": "A1", "town_review_date": "2024-01-05", "approval_date": "2024-01-20",
           "disposal_date": "2024-02-01", "proceeds": 1000.0}
    assert disposal_violations("2024-12-30", [row], state) == [{"DP5"}]
    assert disposal_violations("2024-12-30", [{**row, "proceeds_allocated_date": "2024-03-01"}],
                               state) == [set()]


def test_transfer_needs_third_party_valuation():
    row = {**FULL, "method": "拍卖"}
    assert disposal_violations("2024-12-30", [row], VILLAGE) == [{"DP1"}]
    assert disposal_violations("2024-12-30", [{**row, "third_party_valuation": "有"}], VILLAGE) == [set()]


def test_dp6_disposed_without_ledger_row():
    assets = [{"asset_id": "A1", "disposal_status": "已处置"}, {"asset_id": "A2"}]
    con, _ = evaluate("2024-12-30", assets=assets, disposals=[{**FULL, "asset_id": "A2"}])
    rows = con.execute("SELECT asset_id, violations FROM disposal_checks ORDER BY asset_id").fetchall()
    assert ("A1", ["DP6"]) in rows
    con, ev = evaluate("2024-12-30", assets=assets)            # no 处置台账 uploaded
    assert "DP6" in ev.not_evaluated
    assert con.execute("SELECT count(*) FROM disposal_checks").fetchone()[0] == 0


# --- sign-off tiers, flags, batches ----------------------------------------------------
@pytest.mark.parametrize("value, tier", [
    (1_000_000.0, "T1"), (1_000_000.01, "T2"), (10_000_000.0, "T2"), (10_000_000.01, "T3"),
    (50_000_000.0, "T3"), (50_000_000.01, "T4")])
def test_signoff_tiers(value, tier):
    con, _ = evaluate("2024-12-30", assets=[{"original_value": value}])
    assert con.execute("SELECT signoff_tier FROM asset_results").fetchone()[0] == tier


def test_flags():
    assert "PLEDGE" in fired("2024-12-30", assets=[{"pledge": "为村集体贷款提供抵押"}])
    assert "PLEDGE" not in fired("2024-12-30", assets=[{"pledge": "否"}])
    assert "OUT_OF_SCOPE" in fired("2024-12-30", assets=[{"build_year": 2011}])
    assert "OUT_OF_SCOPE" not in fired("2024-12-30", assets=[{"build_year": 2012}])
    assert "OUT_OF_SCOPE" in fired("2024-12-30", assets=[{"funding_source": "地方自筹"}])
    assert "QA" in fired("2024-12-30", assets=[{"qa": True}])


@pytest.mark.parametrize("asset, batch", [
    ({}, "巩固"),
    ({"operating_status": "一般"}, "提升"),
    ({"operating_status": "不正常"}, "盘活"),
    ({"deemed_inefficient": "是"}, "盘活"),
    ({"operating_status": "停运", "stop_date": "2024-12-01"}, "盘活"),   # stopped, not yet idle
    ({"disposal_circumstance": "因自然灾害损毁", "operating_status": "一般"}, "另起炉灶"),
])
def test_batch_suggestion(asset, batch):
    con, _ = evaluate("2024-12-30", assets=[asset])
    assert con.execute("SELECT batch_suggested FROM asset_results").fetchone()[0] == batch


def test_level_is_highest_rule():
    con, _ = evaluate("2024-12-30", assets=[{"operating_status": "一般", "judicial_recovery": "是"},
                                            {"asset_id": "A2", "operating_status": "一般",
                                             "principal": 1.0, "principal_due": "2024-01-01"},
                                            {"asset_id": "A3"}])
    levels = dict(con.execute("SELECT asset_id, level FROM asset_results").fetchall())
    assert levels == {"A1": "yellow", "A2": "red", "A3": "none"}


def test_missing_sheets_are_not_evaluated_never_passed():
    con, ev = evaluate("2024-12-30", assets=[{}])
    for rule in ("Y02", "R03", "R05", "Y03", "LE1", "LE2", "Y04", "R06", "D1", "DP1", "Y07"):
        assert rule in ev.not_evaluated
    assert con.execute("SELECT count(*) FROM rule_hits WHERE rule_id IN ('R03','Y02')").fetchone()[0] == 0
