"""Boundary tests of IDLE, LE1–LE4, Y01–Y09, R01–R10: the day before, of and after."""
import pytest

from rulekit import fired

WARNED = {"red", "yellow"}


# --- IDLE / R07: 停运日期 + idle_months ≤ as_of ---------------------------------
@pytest.mark.parametrize("stop, expect", [
    ("2024-06-29", True),    # a day past the six months
    ("2024-06-30", True),    # exactly six months: counts
    ("2024-07-01", False),   # a day short
])
def test_idle_boundary(stop, expect):
    got = fired("2024-12-30", assets=[{"operating_status": "停运", "stop_date": stop}])
    assert ("IDLE" in got) is expect
    assert ("R07" in got) is expect


def test_idle_uses_calendar_months():
    a = [{"operating_status": "停产", "stop_date": "2024-08-31"}]
    # 2024-08-31 + 6 months = 2025-02-28 (clamped), not +180 days
    assert "IDLE" not in fired("2025-02-27", assets=[{**a[0], "operating_status": "停运"}])
    assert "IDLE" in fired("2025-02-28", assets=[{**a[0], "operating_status": "停运"}])


def test_idle_param_changes_threshold():
    a = [{"operating_status": "停运", "stop_date": "2024-06-30"}]
    assert "IDLE" in fired("2024-12-30", assets=a)
    assert "IDLE" not in fired("2024-12-30", assets=a, params={"idle_months": 9})


def test_stopped_without_date_is_qa_not_idle():
    got = fired("2024-12-30", assets=[{"operating_status": "停运", "stop_date": None}])
    assert "QA" in got and "IDLE" not in got


def test_idle_only_for_operating_assets():
    got = fired("2024-12-30", assets=[{"category": "公益性", "operating_status": "停运",
                                       "stop_date": "2023-01-01"}])
    assert "IDLE" not in got


def test_r07_cleared_by_revitalisation():
    a = {"operating_status": "停运", "stop_date": "2023-01-01"}
    assert "R07" in fired("2024-12-30", assets=[{**a, "revitalised_date": "2024-12-31"}])
    got = fired("2024-12-30", assets=[{**a, "revitalised_date": "2024-12-30"}])
    assert "R07" not in got and "IDLE" in got and "Y05" in got


# --- LE1: equity asset, dividend overdue by dividend_grace_months -------------------
EQUITY = {"operating_mode": "入股经营"}


@pytest.mark.parametrize("due, paid, expect", [
    ("2024-06-29", None, True),
    ("2024-06-30", None, True),          # limit 2024-12-30 = as_of
    ("2024-07-01", None, False),         # limit not reached
    ("2024-06-30", "2024-12-30", False),  # paid on the limit day
    ("2024-06-30", "2024-12-29", False),
    ("2024-05-30", "2024-12-01", True),   # paid after the limit (2024-11-30)
])
def test_le1_boundary(due, paid, expect):
    income = [{"asset_id": "A1", "year": 2023, "dividend_due_date": due, "dividend_date": paid}]
    assert ("LE1" in fired("2024-12-30", assets=[EQUITY], income=income)) is expect


def test_le1_only_equity_assets():
    # policy-rules §9: equity-type = 入股经营 or any 约定分红日期; a lease with no dividend agreed is not
    income = [{"asset_id": "A1", "year": 2023, "income_due": 5000.0, "payment_due_date": "2023-01-01"}]
    assert "LE1" not in fired("2024-12-30", assets=[{"operating_mode": "出租经营"}], income=income)
    assert "LE1" not in fired("2024-12-30", assets=[{"category": "公益性", **EQUITY}],
                              income=[{"asset_id": "A1", "year": 2023, "dividend_due_date": "2023-01-01"}])


# --- LE2: negative net income in Yr and Yr-1 --------------------------------------------
@pytest.mark.parametrize("as_of, years, values, expect", [
    ("2024-12-30", (2023, 2022), (-1, -1), True),    # Yr = 2023
    ("2024-12-30", (2023, 2022), (-1, 0), False),     # zero is not negative
    ("2024-12-30", (2024, 2023), (-1, -1), False),    # 2024 not yet a full year
    ("2024-12-31", (2024, 2023), (-1, -1), True),     # 31 December: Yr = 2024
])
def test_le2(as_of, years, values, expect):
    income = [{"asset_id": "A1", "year": y, "net_operating_income": v, "income_received": 50000.0}
              for y, v in zip(years, values)]
    assert ("LE2" in fired(as_of, income=income)) is expect


# --- LE3: capacity below capacity_ratio × design --------------------------------------
@pytest.mark.parametrize("actual, expect", [(49.99, True), (50.0, False), (50.01, False)])
def test_le3(actual, expect):
    got = fired("2024-12-30", assets=[{"design_capacity": 100.0, "actual_capacity": actual}])
    assert ("LE3" in got) is expect


def test_le4_and_y01_r01():
    assert "LE4" in fired("2024-12-30", assets=[{"deemed_inefficient": "是"}])
    assert "LE4" not in fired("2024-12-30", assets=[{"deemed_inefficient": "否"}])
    assert "Y01" in fired("2024-12-30", assets=[{"operating_status": "一般"}])
    assert "R01" in fired("2024-12-30", assets=[{"operating_status": "不正常"}])
    assert not fired("2024-12-30", assets=[{"operating_status": "良好"}]) & WARNED


# --- Y02 / R03: income rate of Yr against 1 % and 3 % ----------------------------------
@pytest.mark.parametrize("income, expect", [
    (9_999.0, "R03"), (10_000.0, "Y02"), (29_999.0, "Y02"), (30_000.0, None), (None, "R03"),
])
def test_income_rate_boundaries(income, expect):
    rows = [] if income is None else [{"asset_id": "A1", "year": 2023, "income_received": income}]
    got = fired("2024-12-30", income=rows) & {"Y02", "R03"}
    assert got == ({expect} if expect else set())


def test_income_rate_needs_a_full_year_and_the_income_sheet():
    assert not fired("2024-12-30", assets=[{"build_year": 2023}], income=[]) & {"Y02", "R03"}
    assert "R03" in fired("2024-12-30", assets=[{"build_year": 2022}], income=[])
    assert not fired("2024-12-30") & {"Y02", "R03"}   # no 收益台账: not evaluated


def test_income_rate_params():
    rows = [{"asset_id": "A1", "year": 2023, "income_received": 40_000.0}]
    assert "Y02" in fired("2024-12-30", income=rows, params={"income_rate_reasonable": 0.05})


# --- Y03 / R05: paid late, or not paid ---------------------------------------------------
def _pay(due, paid, received=10_000.0, year=2023, income_due=10_000.0):
    return [{"asset_id": "A1", "year": year, "income_due": income_due, "income_received": received,
             "payment_due_date": due, "payment_date": paid}]


@pytest.mark.parametrize("paid, expect", [("2024-03-30", False), ("2024-03-31", False),
                                          ("2024-04-01", True)])
def test_y03_paid_late(paid, expect):
    assert ("Y03" in fired("2024-12-30", income=_pay("2024-03-31", paid))) is expect


def test_y03_only_recent_years():
    assert "Y03" not in fired("2024-12-30", income=_pay("2022-03-31", "2022-05-01", year=2022))


@pytest.mark.parametrize("as_of, paid, received, expect", [
    ("2024-03-31", None, None, False),            # due today: not yet overdue
    ("2024-04-01", None, None, True),             # a day overdue, unpaid
    ("2024-04-01", "2024-03-31", 10_000.0, False),  # paid in full on time
    ("2024-04-01", "2024-03-31", 9_999.0, True),    # paid short
    ("2024-04-01", "2024-04-02", 10_000.0, True),   # paid after as_of: unpaid as of then
])
def test_r05(as_of, paid, received, expect):
    assert ("R05" in fired(as_of, income=_pay("2024-03-31", paid, received))) is expect


# --- Y05: revitalised within revitalised_watch_months ---------------------------------------
@pytest.mark.parametrize("date, expect", [
    ("2023-12-29", False), ("2023-12-30", True), ("2024-12-30", True), ("2024-12-31", False)])
def test_y05(date, expect):
    assert ("Y05" in fired("2024-12-30", assets=[{"revitalised_date": date}])) is expect


def test_y06_and_r02():
    assert "Y06" in fired("2024-12-30", assets=[{"judicial_recovery": "是"}])
    base = {"principal": 100_000.0, "principal_recovered": 99_999.0}
    assert "R02" in fired("2024-12-30", assets=[{**base, "principal_due": "2024-12-29"}])
    assert "R02" not in fired("2024-12-30", assets=[{**base, "principal_due": "2024-12-30"}])
    assert "R02" not in fired("2024-12-30", assets=[{**base, "principal_due": "2024-12-29",
                                                     "principal_recovered": 100_000.0}])


# --- Y07: disposal proceeds not allocated by as_of ---------------------------------------------
@pytest.mark.parametrize("allocated, expect", [(None, True), ("2024-12-30", False), ("2024-12-31", True)])
def test_y07(allocated, expect):
    disposals = [{"asset_id": "A1", "proceeds": 5_000.0, "proceeds_allocated_date": allocated}]
    assets = [{"disposal_status": "已处置", "operating_status": "不正常"}]
    got = fired("2024-12-30", assets=assets, disposals=disposals)
    assert ("Y07" in got) is expect
    assert "R01" not in got      # a disposed asset gets no other warning


# --- contract windows Y08 / R09 / Y09 / R10 (as_of 2024-06-30) --------------------------------
@pytest.mark.parametrize("end, expect", [
    ("2024-05-29", "Y09"), ("2024-05-30", None), ("2024-05-31", None),   # +1 month clamps to 06-30
    ("2024-06-29", None),              # ended yesterday: within the last month, nothing
    ("2024-06-30", "R09"), ("2024-07-29", "R09"),
    ("2024-07-30", "Y08"), ("2024-09-30", "Y08"), ("2024-10-01", None),
    ("2024-03-31", "Y09"), ("2024-03-30", "Y09"), ("2024-03-29", "R10"),
])
def test_contract_windows(end, expect):
    got = fired("2024-06-30", assets=[{"contract_end": end}]) & {"Y08", "Y09", "R09", "R10"}
    assert got == ({expect} if expect else set())


def test_renewed_contract_fires_nothing():
    got = fired("2024-06-30", assets=[{"contract_end": "2024-07-01", "renewed": "是"}])
    assert not got & {"R09", "Y08"}


# --- R04: income due below the contract within a year wholly inside the contract ----------------
@pytest.mark.parametrize("start, income_due, expect", [
    ("2020-01-01", 9_999.0, True), ("2020-01-01", 10_000.0, False),
    ("2020-01-02", 9_999.0, False),   # 2020 only partly inside the contract
])
def test_r04(start, income_due, expect):
    assets = [{"contract_start": start, "contract_end": "2027-12-31", "contract_income": 10_000.0}]
    income = [{"asset_id": "A1", "year": 2020, "income_due": income_due}]
    assert ("R04" in fired("2024-12-30", assets=assets, income=income)) is expect


def test_r04_not_for_years_after_yr():
    assets = [{"contract_start": "2020-01-01", "contract_end": "2027-12-31", "contract_income": 10_000.0}]
    income = [{"asset_id": "A1", "year": 2024, "income_due": 1.0}]
    assert "R04" not in fired("2024-12-30", assets=assets, income=income)


def test_r08():
    assert "R08" in fired("2024-12-30", assets=[{"disposal_circumstance": "已超过使用年限",
                                                 "disposal_status": "处置中"}])
    assert "R08" not in fired("2024-12-30", assets=[{"disposal_circumstance": "已超过使用年限",
                                                     "disposal_status": "已处置"}], disposals=[])
