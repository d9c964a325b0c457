"""Rule-trace of MG1–MG6 (verification.md §1) at their edges: every case is one asset of one
ledger evaluated once (as_of 2024-06-30), and the checks that fired on it are exactly those named."""
import datetime as dt

import pytest

from dashboard import explain, rules
from rulekit import load

AS_OF = "2024-06-30"
# An asset every check passes: confirmed before as_of, village-owned on the 三资 platform,
# custodian and person named, run by itself (no contract needed).
CLEAN = {"ownership_status": "已确权", "ownership_date": "2024-03-01", "owner_unit": "大发村股份经济合作社",
         "platform": "三资平台", "custodian": "大发村村民委员会", "custodian_person": "王某某",
         "operating_mode": "自主运营"}
LEASE = {"operating_mode": "出租经营", "contract_start": "2023-01-01", "contract_end": "2027-12-31",
         "operator": "丰泽农牧业有限公司", "contract_income": 50_000.0}

CASES = {
    "clean": ({}, set()),
    # MG1: 确权日期 the day before, of and after as_of; every empty
    "mg1_day_before": ({"ownership_date": "2024-06-29"}, set()),
    "mg1_day_of": ({"ownership_date": "2024-06-30"}, set()),
    "mg1_day_after": ({"ownership_date": "2024-07-01"}, {"MG1"}),
    # the date part joins a check judged at load time (facts/management_facts.sql)
    "mg1_day_after_and_mg3": ({"ownership_date": "2024-07-01", "platform": None}, {"MG1", "MG3"}),
    "mg1_day_of_and_mg3": ({"ownership_date": "2024-06-30", "platform": None}, {"MG3"}),
    "mg1_confirmed_no_date": ({"ownership_date": None}, {"MG1"}),
    "mg1_unconfirmed": ({"ownership_status": "未确权", "ownership_date": None}, {"MG1"}),
    "mg1_unconfirmed_dated": ({"ownership_status": "未确权"}, {"MG1"}),
    "mg1_status_empty": ({"ownership_status": None}, {"MG1"}),
    "mg1_status_unknown": ({"ownership_status": "移交中"}, {"MG1"}),
    # MG2: 产权归属 empty or unknown, 产权单位 empty or blank
    "mg2_level_empty": ({"owner_level": None}, {"MG2"}),
    "mg2_level_unknown": ({"owner_level": "合作社"}, {"MG2"}),
    "mg2_unit_empty": ({"owner_unit": None}, {"MG2"}),
    "mg2_unit_blank": ({"owner_unit": "  "}, {"MG2"}),
    "mg2_household_ok": ({"owner_level": "农户", "owner_unit": "脱贫户王某某", "platform": None}, set()),
    # MG3: 旗 / 镇 → 国有资产平台, 嘎查村 → 三资平台, empty counts as 否; not for 农户 or empty
    "mg3_village_state": ({"platform": "国有资产平台"}, {"MG3"}),
    "mg3_village_no": ({"platform": "否"}, {"MG3"}),
    "mg3_village_empty": ({"platform": None}, {"MG3"}),
    "mg3_town_state": ({"owner_level": "镇", "platform": "国有资产平台"}, set()),
    "mg3_town_sanzi": ({"owner_level": "镇", "platform": "三资平台"}, {"MG3"}),
    "mg3_banner_empty": ({"owner_level": "旗", "platform": None}, {"MG3"}),
    "mg3_banner_state": ({"owner_level": "旗", "platform": "国有资产平台"}, set()),
    "mg3_household_not_checked": ({"owner_level": "农户", "platform": "否"}, set()),
    "mg3_level_empty_not_checked": ({"owner_level": None, "platform": "否"}, {"MG2"}),
    # MG4: 经营性 / 公益性 need 管护主体 and 管护责任人; 到户类 does not
    "mg4_person_empty": ({"custodian_person": None}, {"MG4"}),
    "mg4_custodian_empty": ({"custodian": ""}, {"MG4"}),
    "mg4_public_both_empty": ({"category": "公益性", "custodian": None, "custodian_person": None}, {"MG4"}),
    "mg4_household_not_checked": ({"category": "到户类", "custodian_person": None}, set()),
    # MG5: 出租 / 委托 / 入股 need 合同起始日期, 合同到期日期 and 运营主体
    "mg5_lease_complete": (LEASE, set()),
    "mg5_no_start": ({**LEASE, "contract_start": None}, {"MG5"}),
    "mg5_no_end": ({**LEASE, "contract_end": None}, {"MG5"}),
    "mg5_no_operator": ({**LEASE, "operator": " "}, {"MG5"}),
    "mg5_equity_no_contract": ({"operating_mode": "入股经营", "operator": "禾润公司"}, {"MG5"}),
    "mg5_joint_not_checked": ({"operating_mode": "联建联营"}, set()),
    "mg5_own_not_checked": ({"operating_mode": "自主运营", "operator": None}, set()),
    # MG6: 出租 / 委托 with 约定年收益 empty or 0; 入股 not checked
    "mg6_income_empty": ({**LEASE, "contract_income": None}, {"MG6"}),
    "mg6_income_zero": ({**LEASE, "operating_mode": "委托经营", "contract_income": 0.0}, {"MG6"}),
    "mg6_income_one_yuan": ({**LEASE, "contract_income": 1.0}, set()),
    "mg6_equity_not_checked": ({**LEASE, "operating_mode": "入股经营", "contract_income": None}, set()),
    # 已处置 is not checked; 处置中 and an empty 处置状态 are; OUT_OF_SCOPE assets are
    "disposed_not_checked": ({"disposal_status": "已处置", "ownership_status": None, "owner_unit": None}, set()),
    "disposing_checked": ({"disposal_status": "处置中", "ownership_status": None}, {"MG1"}),
    "out_of_scope_checked": ({"build_year": 2010, "platform": None}, {"MG3"}),
    "all_six": ({"ownership_status": None, "owner_unit": None, "platform": None, "custodian_person": None,
                 **{k: v for k, v in LEASE.items() if k != "operator"}, "operator": None,
                 "contract_income": None}, {"MG1", "MG2", "MG3", "MG4", "MG5", "MG6"}),
}
IDS = {name: f"A{i:03d}" for i, name in enumerate(CASES)}


@pytest.fixture(scope="module")
def checked():
    con = load(assets=[{**CLEAN, **case, "asset_id": IDS[name]} for name, (case, _) in CASES.items()])
    ev = rules.evaluate(con, dt.date.fromisoformat(AS_OF))
    fired = {}
    for asset_id, rule_id, facts in con.execute("SELECT asset_id, rule_id, facts FROM management_checks").fetchall():
        fired.setdefault(asset_id, {})[rule_id] = explain.explain(rule_id, facts, ev.as_of, ev.params)
    levels = dict(con.execute("SELECT asset_id, level FROM asset_results").fetchall())
    flags = dict(con.execute("SELECT asset_id, flags FROM asset_results").fetchall())
    return fired, levels, flags


@pytest.mark.parametrize("name", list(CASES))
def test_mg_edges(checked, name):
    fired, levels, _ = checked
    assert set(fired.get(IDS[name], {})) == CASES[name][1]
    assert levels[IDS[name]] == "none"          # a check raises no warning level by itself


def test_out_of_scope_is_flagged_and_checked(checked):
    _, _, flags = checked
    assert "OUT_OF_SCOPE" in flags[IDS["out_of_scope_checked"]]


def test_reasons_state_the_facts(checked):
    fired, _, _ = checked
    assert fired[IDS["mg3_village_state"]]["MG3"] == \
        "产权归属为嘎查村，纳入管理平台为国有资产平台，应纳入农村牧区集体“三资”管理平台。"
    assert fired[IDS["mg3_banner_empty"]]["MG3"] == "产权归属为旗，纳入管理平台为空（视为否），应纳入国有资产管理平台。"
    assert fired[IDS["mg1_day_after"]]["MG1"] == \
        "确权状态为已确权，确权日期为2024年7月1日，至2024年6月30日尚未确权移交（确权日期在其后）。"
    assert fired[IDS["mg1_status_empty"]]["MG1"] == "确权状态为未填写，确权日期为2024年3月1日，至2024年6月30日尚未确权移交。"
    assert fired[IDS["mg1_confirmed_no_date"]]["MG1"].endswith("未登记确权日期，不能认定已确权移交。")
    assert fired[IDS["mg2_level_unknown"]]["MG2"] == "产权归属“合作社”不是旗、镇、嘎查村或农户。"
    assert fired[IDS["all_six"]]["MG2"] == "产权单位（所有权主体）未填写。"
    assert fired[IDS["mg4_public_both_empty"]]["MG4"] == "资产类别为公益性，管护主体和管护责任人未明确。"
    assert fired[IDS["all_six"]]["MG5"] == "运营方式为出租经营，未登记运营主体，有租无合同。"
    assert fired[IDS["mg5_equity_no_contract"]]["MG5"] == "运营方式为入股经营，未登记合同起始日期、合同到期日期，有租无合同。"
    assert fired[IDS["mg6_income_zero"]]["MG6"] == "运营方式为委托经营，合同约定年收益为0.00万元，未约定收益。"
    assert fired[IDS["mg6_income_empty"]]["MG6"] == "运营方式为出租经营，合同约定年收益为无，未约定收益。"


def test_a_check_whose_column_was_not_uploaded_is_not_evaluated():
    con = load(assets=[{**CLEAN, "platform": None}], absent=("assets.platform",))
    ev = rules.evaluate(con, dt.date.fromisoformat(AS_OF))
    assert "MG3" in ev.not_evaluated and "MG1" not in ev.not_evaluated
    assert con.execute("SELECT count(*) FROM management_checks").fetchone()[0] == 0


def test_system_found_problems_in_the_register_and_rectified_when_gone():
    """处置与销号: each finding a problem of 项目资产管理运维 (系统核查, 整改中); one on an asset with a typed
    problem of that aspect shown with it; gone in a later evaluation → 已整改 there."""
    import rulekit
    from dashboard import template
    from dashboard.evaluated import Evaluated
    books = rulekit.ledgers(
        assets=[{**CLEAN, "asset_id": "A1", "ownership_date": "2024-07-01"},
                {**CLEAN, "asset_id": "A2", "platform": None},
                {**CLEAN, "asset_id": "A3", "ownership_date": "2024-07-01"}],
        problems=[{"problem_id": "P1", "asset_id": "A3", "aspect": "项目资产管理运维", "found_date": "2024-01-10",
                   "status": "整改中", "description": "未确权"},
                  {"problem_id": "P2", "asset_id": "A1", "aspect": "项目效益", "found_date": "2024-01-10"}])
    aspects = list(template.ASPECTS)
    before, now = Evaluated(books, dt.date(2024, 6, 30)), Evaluated(books, dt.date(2024, 7, 31))
    reg = before.frame("shared/problem_register", aspects=aspects, annex_order=False).set_index("problem_id")
    assert sorted(reg.index) == ["P1", "P2", "XT-MG1-A1", "XT-MG3-A2"]
    assert reg.loc["XT-MG1-A1", ["aspect", "problem_source", "status_as_of", "description"]].tolist() == \
        ["项目资产管理运维", "系统核查", "整改中", "未确权移交"]
    assert reg.loc["P1", "problem_source"] == "问题台账、系统核查" and list(reg.loc["P1", "checks"]) == ["MG1"]
    assert reg.loc["P2", "problem_source"] == "问题台账"          # another aspect: not merged
    counts = before.frame("shared/problem_aspects", aspects=aspects).set_index("aspect")
    assert counts.loc["项目资产管理运维", ["problems", "rectifying"]].tolist() == [3, 3]
    resolved = now.frame("shared/resolved_checks", tables={"prev_checks": before.arrow("shared/previous_checks")})
    assert resolved.problem_id.tolist() == ["XT-MG1-A1"]       # A2 still fires, A3 is shown with P1
    assert resolved.status_as_of.tolist() == ["已整改"] and resolved.found_date.tolist() == [dt.date(2024, 6, 30)]
    assert sorted(now.frame("shared/problem_register", aspects=aspects, annex_order=False).problem_id) == \
        ["P1", "P2", "XT-MG3-A2"]
