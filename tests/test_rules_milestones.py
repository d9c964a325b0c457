"""Milestones M1–M6 at their due dates, and collection checks C1–C6."""
import pytest

from rulekit import evaluate


def share(con, milestone, at, town=None):
    row = con.execute(
        "SELECT done, total, share FROM milestones WHERE milestone = ? AND at_date = ? "
        "AND town IS NOT DISTINCT FROM ?", [milestone, at, town]).fetchone()
    return row


def test_m1_work_plan_issued_by_its_due_date_in_every_town():
    con, _ = evaluate("2024-12-31", assets=[{}, {"asset_id": "A2", "town": "昂素镇"}])
    assert share(con, "M1", "2024-02-29") == (2, 2, 1.0)
    assert share(con, "M1", "2024-02-29", "昂素镇") == (1, 1, 1.0)
    assert share(con, "M1", "2024-01-31") == (0, 2, 0.0)


@pytest.mark.parametrize("verified, done", [("2024-02-28", 1), ("2024-02-29", 1), ("2024-03-01", 0)])
def test_m2_verified_by_due_date(verified, done):
    con, _ = evaluate("2024-12-31", assets=[{"verified_date": verified}, {"asset_id": "A2"}])
    assert share(con, "M2", "2024-02-29") == (done, 2, done / 2)
    assert share(con, "M2", "2024-02-29", "城川镇")[1] == 2


def test_m2_ignores_out_of_scope_assets():
    con, _ = evaluate("2024-12-31", assets=[{"verified_date": "2024-01-05"},
                                            {"asset_id": "A2", "build_year": 2010}])
    assert share(con, "M2", "2024-02-29") == (1, 1, 1.0)


@pytest.mark.parametrize("date, status, done", [
    ("2024-03-31", "已确权", 1), ("2024-04-01", "已确权", 0), ("2024-03-01", "未确权", 0)])
def test_m4_ownership(date, status, done):
    con, _ = evaluate("2024-12-31", assets=[{"ownership_status": status, "ownership_date": date}])
    assert share(con, "M4", "2024-03-31")[0] == done


@pytest.mark.parametrize("revitalised, expected", [("2024-06-30", 1.0), ("2024-07-01", 0.0)])
def test_m5_revitalisation_rate(revitalised, expected):
    assets = [{"operating_status": "良好", "stop_date": "2023-01-01", "revitalised_date": revitalised}]
    con, _ = evaluate("2024-12-31", assets=assets)
    assert share(con, "M5", "2024-06-30")[2] == expected


def test_m5_is_mean_of_value_and_count_rates():
    assets = [{"asset_id": "A1", "original_value": 3_000_000.0, "operating_status": "良好",
               "stop_date": "2023-01-01", "revitalised_date": "2024-05-01"},
              {"asset_id": "A2", "original_value": 1_000_000.0, "operating_status": "停运",
               "stop_date": "2023-01-01"}]
    con, _ = evaluate("2024-12-31", assets=assets)
    assert share(con, "M5", "2024-06-30")[2] == pytest.approx((0.75 + 0.5) / 2)


PROBLEM = {"problem_id": "P1", "asset_id": "A1", "aspect": "项目效益", "found_date": "2024-01-20",
           "status": "整改中"}


@pytest.mark.parametrize("plan, done", [("2024-02-29", 1), ("2024-03-01", 0)])
def test_m3_one_case_one_plan(plan, done):
    con, _ = evaluate("2024-12-31", problems=[{**PROBLEM, "plan_date": plan}])
    assert share(con, "M3", "2024-02-29") == (done, 1, float(done))


@pytest.mark.parametrize("signed, done", [("2024-06-30", 1), ("2024-07-01", 0)])
def test_m6_signed_off(signed, done):
    con, _ = evaluate("2024-12-31", problems=[{**PROBLEM, "status": "已销号", "signoff_date": signed}])
    assert share(con, "M6", "2024-06-30")[0] == done


def checks(con):
    return con.execute("SELECT C1, C2, C3, C4, C5, C6 FROM collection_checks").fetchone()


def test_collection_checks_pass_and_fail():
    assets = [{"contract_income": 40_000.0, "benefit_linkage": "吸纳脱贫户务工12人",
               "principal": 1.0, "principal_due": "2024-01-01", "principal_recovered": 1.0}]
    good = [{"asset_id": "A1", "year": 2023, "income_due": 40_000.0, "income_received": 40_000.0,
             "payment_due_date": "2024-03-31", "payment_date": "2024-03-30"}]
    con, _ = evaluate("2024-12-30", assets=assets, income=good)
    assert checks(con) == (True, True, None, True, True, True)
    late = [{**good[0], "income_received": 20_000.0, "payment_date": "2024-05-01"}]
    con, _ = evaluate("2024-12-30", assets=[{**assets[0], "benefit_linkage": "无",
                                             "principal_recovered": 0.0}], income=late)
    assert checks(con) == (False, False, False, False, False, False)
    chased = [{**late[0], "reminder": "2024-04-10已发催缴函"}]
    con, _ = evaluate("2024-12-30", assets=assets, income=chased)
    assert checks(con)[2] is True


def test_collection_not_evaluated_without_income_sheet():
    con, ev = evaluate("2024-12-30", assets=[{}])
    assert {"C1", "C2", "C5"} <= set(ev.not_evaluated)
    assert checks(con)[:2] == (None, None)


def test_c2_has_nothing_to_check_for_an_asset_without_income_rows():
    # an income row of an asset missing from the ledger must not make A1 "checked"
    stray = [{"asset_id": "ZZ", "year": 2023, "income_due": 1.0, "income_received": 1.0,
              "payment_due_date": "2024-03-31", "payment_date": "2024-03-30"}]
    con, _ = evaluate("2024-12-30", assets=[{}], income=stray)
    assert checks(con)[1] is None
    own = [{**stray[0], "asset_id": "A1"}]
    con, _ = evaluate("2024-12-30", assets=[{}], income=own)
    assert checks(con)[1] is True
