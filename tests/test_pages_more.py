"""AppTest of the pages 收益与分配, 盘活进度, 处置与销号 and SQL 查询 on the bundled sample.

Every expected number comes from a direct evaluation of the same workbook (ledgers +
rules, no Streamlit); the negative-list edit goes to a temporary data folder."""
from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import AS_OF, ROOT, account, app, assert_clean, one, table_with
from dashboard import editions, explain, labels, policy

EDITOR = "income_negative_editor"
ITEM, WORDS = "负面清单事项", "关键词（多个用“；”分隔）"


def cell(frame, key_col, key, col):
    return frame.loc[frame[key_col] == key, col].iloc[0]


def towns_shown(at: AppTest) -> set[str]:
    """Towns of the milestone tables (the banner's, then the towns')."""
    return {t for d in at.main.dataframe if "节点" in d.value.columns for t in d.value["镇"]}


def text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.main.markdown)


@pytest.mark.parametrize("page,title", [("income", "收益与分配"), ("progress", "盘活进度"),
                                        ("disposal", "处置与销号"), ("sql_console", "SQL 查询")])
def test_page_renders_with_as_of_and_parameters(page, title):
    at = app(page)
    assert at.main.title[0].value == title
    line = at.main.caption[0].value
    assert "评估基准日2024年12月31日" in line and "政策参数：全部为默认值" in line
    assert "政策版本：鄂前政办发〔2024〕13号（2024年2月29日起施行）" in line      # the edition in force (issue 22.2)


# --- 收益与分配 -----------------------------------------------------------------

def test_income_scorecards_equal_the_checks(direct):
    at = app("income")
    checks = table_with(at, "检查项", "D3")
    for i in range(1, 7):
        failed = one(direct, f"SELECT count(*) FROM distribution_checks WHERE year <= 2024 AND list_contains(failed, 'D{i}')")
        assert cell(checks, "检查项", f"D{i}", "未通过") == failed
    assert one(direct, "SELECT count(*) FROM distribution_checks WHERE list_contains(failed, 'D3')") > 0
    collection = table_with(at, "检查项", "C1")
    for i in range(1, 7):
        failed = one(direct, f"SELECT count(*) FROM collection_checks WHERE NOT C{i}")
        passed = one(direct, f"SELECT count(*) FROM collection_checks WHERE C{i}")
        assert (cell(collection, "检查项", f"C{i}", "未通过"), cell(collection, "检查项", f"C{i}", "通过")) == (failed, passed)
    towns = table_with(at, "分配记录数")
    expected = dict(direct.execute("SELECT town, count(*) FILTER (WHERE len(failed) > 0) FROM distribution_checks "
                                   "WHERE year <= 2024 GROUP BY town").fetchall())
    assert dict(zip(towns["镇"], towns["有未通过项的记录"])) == expected


def test_income_failing_rows_say_why_in_one_sentence_per_check(direct):
    at = app("income")
    rows = table_with(at, "分配用途")
    assert len(rows) == one(direct, "SELECT count(*) FROM distribution_checks WHERE year <= 2024 AND len(failed) > 0")
    reasons = "\n".join(rows["原因"])
    purpose, item = direct.execute("SELECT purpose, item FROM distribution_checks WHERE list_contains(failed, 'D3') "
                                   "LIMIT 1").fetchone()
    assert f"{labels.rule('D3')}：分配用途“{purpose}”属于负面清单“{item}”。" in reasons
    arrived, = direct.execute("SELECT income_arrived_date FROM distribution_checks "
                              "WHERE list_contains(failed, 'D4') LIMIT 1").fetchone()
    assert f"{labels.rule('D4')}：收益{explain.fmt_date(arrived)}到账" in reasons and "滞留超过12个月" in reasons
    assert "{" not in reasons and "None" not in reasons


def test_income_town_filter(direct):
    town = one(direct, "SELECT town FROM distribution_checks WHERE list_contains(failed, 'D3') LIMIT 1")
    at = app("income")
    at.multiselect(key="ui.f.sample.towns").set_value([town]).run()
    assert_clean(at)
    towns = table_with(at, "分配记录数")
    assert list(towns["镇"]) == [town]
    d3 = one(direct, "SELECT count(*) FROM distribution_checks d JOIN assets a ON a.row_id = d.asset_row "
                     "WHERE a.town = ? AND d.year <= 2024 AND list_contains(d.failed, 'D3')", town)
    assert cell(table_with(at, "检查项", "D3"), "检查项", "D3", "未通过") == d3
    assets = one(direct, "SELECT count(*) FROM collection_checks WHERE town = ?", town)
    assert table_with(at, "资产数")["资产数"].sum() == assets


def test_negative_list_edit_changes_d3_at_once_and_reset_restores_it(direct):
    shipped = policy.NEGATIVE_LIST_FILE.read_bytes()
    word, = direct.execute("SELECT purpose FROM distribution_checks WHERE NOT d3 AND year <= 2024 "
                           "GROUP BY purpose ORDER BY count(*) DESC, purpose LIMIT 1").fetchone()
    before = one(direct, "SELECT count(*) FROM distribution_checks WHERE year <= 2024 AND d3")
    after = one(direct, "SELECT count(*) FROM distribution_checks WHERE year <= 2024 AND (d3 OR contains(purpose, ?))", word)
    assert after > before
    account()                            # the negative list is the administrator's
    at = app("income", user="管理员")
    at.session_state[EDITOR] = {"edited_rows": {}, "deleted_rows": [],
                                "added_rows": [{ITEM: "测试事项", WORDS: word}]}
    at.button(key="income_negative_save").click().run()
    assert_clean(at)
    assert any("已保存" in s.value for s in at.main.success)
    assert policy.user_negative_list_file().exists() and str(policy.user_negative_list_file()).startswith(os.environ["ZCPH_DATA_DIR"])
    assert cell(table_with(at, "检查项", "D3"), "检查项", "D3", "未通过") == after
    assert "测试事项" in set(at.data_editor(key=EDITOR).value[ITEM])
    at.button(key="income_negative_reset").click().run()
    assert_clean(at)
    assert not policy.user_negative_list_file().exists()
    assert cell(table_with(at, "检查项", "D3"), "检查项", "D3", "未通过") == before
    assert policy.NEGATIVE_LIST_FILE.read_bytes() == shipped


def test_an_empty_negative_list_is_refused():
    account()                            # the negative list is the administrator's
    at = app("income", user="管理员")
    n = len(policy.read_negative_list())
    at.session_state[EDITOR] = {"edited_rows": {}, "added_rows": [], "deleted_rows": list(range(n))}
    at.button(key="income_negative_save").click().run()
    assert not at.exception
    assert any("未保存" in e.value and "负面清单" in e.value for e in at.main.error)
    assert not policy.user_negative_list_file().exists()


# --- 盘活进度 -------------------------------------------------------------------

def test_milestones_at_their_due_dates_equal_the_table_and_the_chart(direct):
    at = app("progress")
    table = table_with(at, "节点")
    banner = table[table["镇"] == "全旗"]
    # One chart per milestone (a phone stacks them), titled by its ID.
    figs = {f["layout"]["title"]["text"].split(" ")[0]: f
            for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
            if f["layout"].get("title", {}).get("text", "").startswith("M")}
    for milestone, due, share in direct.execute(
            "SELECT milestone, due_date, share FROM milestones WHERE town IS NULL AND is_due ORDER BY milestone").fetchall():
        assert round(cell(banner, "节点", milestone, "到期时完成率"), 2) == round(share * 100, 2)
        fig = figs[milestone]
        point = next(t for t in fig["data"] if t.get("name") == "到期日完成率")
        assert point["y"][0] == pytest.approx(share * 100)
        assert point["x"][0][:10] == due.isoformat()
        assert due.isoformat() in {s["x0"][:10] for s in fig["layout"]["shapes"]}
    assert towns_shown(at) == {"全旗"} | {t for (t,) in direct.execute("SELECT DISTINCT town FROM assets").fetchall()}


def test_batches_crosstab_and_differences(direct):
    at = app("progress")
    cross = next(d.value for d in at.main.dataframe if "台账：巩固" in d.value.columns)
    for suggested, recorded, n in direct.execute(
            "SELECT batch_suggested, coalesce(batch_recorded, '未登记'), count(*) FROM asset_results GROUP BY ALL").fetchall():
        label = editions.seed().batch_label           # 提升（升级）: the national label beside (issue 22.4)
        assert cross.loc[f"建议：{label(suggested)}", f"台账：{label(recorded)}"] == n
    assert "建议：提升（升级）" in cross.index and "台账：另起炉灶（调整）" in cross.columns
    differs = one(direct, "SELECT count(*) FROM asset_results WHERE batch_recorded <> batch_suggested")
    assert next(m.value for m in at.main.metric if m.label == "登记与建议不一致") == f"{differs:,}项"
    # MG1 / MG3 passing among the in-scope assets not disposed (盘活进度's milestone view)
    shares = table_with(at, "确权移交率")
    checked, mg1, mg3 = direct.execute(
        "SELECT count(*), count(*) FILTER (WHERE r.row_id IN (SELECT asset_row FROM management_checks WHERE rule_id = 'MG1')),"
        " count(*) FILTER (WHERE r.row_id IN (SELECT asset_row FROM management_checks WHERE rule_id = 'MG3'))"
        " FROM asset_results r JOIN assets a USING (row_id)"
        " WHERE NOT list_contains(r.flags, 'OUT_OF_SCOPE') AND a.disposal_status IS DISTINCT FROM '已处置'").fetchone()
    assert mg1 > 0 and mg3 > 0
    assert cell(shares, "镇", "全旗", "核查范围内资产") == checked
    assert cell(shares, "镇", "全旗", "已确权移交") == checked - mg1
    assert cell(shares, "镇", "全旗", "纳入平台率") == pytest.approx((checked - mg3) / checked * 100, abs=0.01)


def test_progress_town_filter(direct):
    town = one(direct, "SELECT town FROM assets GROUP BY town ORDER BY town LIMIT 1")
    at = app("progress")
    at.multiselect(key="ui.f.sample.towns").set_value([town]).run()
    assert_clean(at)
    assert towns_shown(at) == {"全旗", town}
    cross = next(d.value for d in at.main.dataframe if "台账：巩固" in d.value.columns)
    assert cross.values.sum() == one(direct, "SELECT count(*) FROM asset_results WHERE town = ?", town)
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["name"] for t in fig["data"] if t.get("mode") == "lines"} == {town}


def test_progress_for_a_town_user_shows_its_town_not_an_empty_banner_table():
    """A town's user has no 全旗 row (it counts other towns): the page shows the town's table and
    no "没有数据" where the banner table would be (found in a browser walk)."""
    account("城川镇", "town", town="城川镇")
    at = app("progress", user="城川镇")
    assert "当前筛选条件下没有数据。" not in [i.value for i in at.main.info]
    towns = table_with(at, "到期时完成率")
    assert set(towns["镇"]) == {"城川镇"} and len(towns) == len(editions.seed().milestones)


@pytest.mark.parametrize("name, place", [("克泊日嘎查", {"role": "village", "town": "城川镇", "village": "克泊日嘎查"}),
                                         ("水利局", {"role": "department", "department": "水利局"})])
def test_progress_tells_a_village_or_department_user_why_no_milestones(name, place):
    """Milestones are counted per town: a village's or a department's user is told so, not
    "没有数据" and "评估基准日之前没有节点数据" (found in a browser walk)."""
    account(name, **place)
    at = app("progress", user=name)
    said = [i.value for i in at.main.info]
    assert any("不是整镇" in s and name in s for s in said), said
    assert "当前筛选条件下没有数据。" not in said and "评估基准日之前没有节点数据。" not in said
    assert table_with(at, "确权移交率") is not None          # the rest of the page is there, in its scope


# --- 处置与销号 -----------------------------------------------------------------

def test_disposal_counts_annex_and_explanations(direct):
    at = app("disposal")
    counts = table_with(at, "有违规的处置")
    total = counts[counts["处置程序"] == "合计"].iloc[0]
    for i in range(1, 7):
        assert total[f"DP{i} {policy.rules()[f'DP{i}'].name}"] == one(
            direct, f"SELECT count(*) FROM disposal_checks WHERE list_contains(violations, 'DP{i}')")
    annex = table_with(at, "审批情况/日期")
    assert len(annex) == one(direct, "SELECT count(*) FROM disposal_checks")
    body = text(at).replace("\\", "")          # markdown's escapes (fmt.md) taken off
    for rid, facts in direct.execute("SELECT unnest(violations), facts FROM disposal_checks").fetchall():
        assert f"**{labels.rule(rid)}**：{explain.explain(rid, facts, AS_OF, policy.default_params())}" in body


def test_problem_ledger_overdue_and_tiers(direct):
    at = app("disposal")
    aspects = table_with(at, "逾期未整改")
    overdue = one(direct, "SELECT count(*) FROM problems WHERE deadline < ? AND status NOT IN ('已整改', '已销号')", AS_OF)
    assert cell(aspects, "方面", "合计", "逾期未整改") == overdue > 0
    shown = sum((d.value["是否逾期"] == "逾期").sum() for d in at.main.dataframe if "是否逾期" in d.value.columns
                and "问题编号" in d.value.columns)
    assert shown == overdue
    tiers = table_with(at, "销号主体")
    for tier, n in direct.execute("SELECT signoff_tier, count(*) FROM asset_results GROUP BY 1").fetchall():
        assert cell(tiers, "销号层级", tier, "资产数") == n
    assert cell(tiers, "销号层级", "T2", "销号主体") == "旗领导小组（实地核查）"
    # MG1–MG6 findings: a problem of 项目资产管理运维 each (系统核查), or shown with the asset's typed one
    ledger = pd.concat([d.value for d in at.main.dataframe if "系统核查发现" in d.value.columns])   # one per aspect
    system = ledger[ledger["来源"] == "系统核查"]
    typed = set(r for (r,) in direct.execute("SELECT DISTINCT asset_id FROM problems WHERE aspect = '项目资产管理运维'").fetchall())
    findings = direct.execute("SELECT asset_id, rule_id FROM management_checks").fetchall()
    assert sorted(system["问题编号"]) == sorted(f"XT-{r}-{a}" for a, r in findings if a not in typed) != []
    assert set(system["整改状态"]) == {"整改中"}
    both = ledger[ledger["来源"] == "问题台账、系统核查"]
    assert set(both["资产编号"]) == {a for a, _ in findings if a in typed} != set()
    assert all(t.startswith("MG") and "：" in t for t in both["系统核查发现"])
    assert cell(aspects, "方面", "项目资产管理运维", "问题数") == one(
        direct, "SELECT count(*) FROM problems WHERE aspect = '项目资产管理运维' AND found_date <= ?", AS_OF) + len(system)


def test_disposal_town_filter(direct):
    town = one(direct, "SELECT a.town FROM disposal_checks c JOIN assets a ON a.row_id = c.asset_row "
                       "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    at = app("disposal")
    at.multiselect(key="ui.f.sample.towns").set_value([town]).run()
    assert_clean(at)
    annex = table_with(at, "审批情况/日期")
    assert set(annex["镇"]) == {town}
    assert len(annex) == one(direct, "SELECT count(*) FROM disposal_checks c JOIN assets a ON a.row_id = c.asset_row "
                                     "WHERE a.town = ?", town)


# --- SQL 查询 -------------------------------------------------------------------

def test_sql_console_runs_a_query_and_refuses_writes(direct):
    at = app("sql_console")
    listed = table_with(at, "表名")
    assert {"assets", "distribution_checks", "asset_results", "milestones"} <= set(listed["表名"])
    assert "预警等级" in at.text_area(key="sql_text").value          # the example query, run as it stands
    at.button[0].click().run()
    assert_clean(at)
    levels = table_with(at, "预警等级")
    assert set(levels["预警等级"]) == {"红色预警", "黄色预警", "无预警"}     # in words, not red/yellow/none
    assert levels["资产数"].sum() == one(direct, "SELECT count(*) FROM asset_results")
    at.text_area(key="sql_text").set_value("SELECT count(*) AS n FROM distribution_checks WHERE list_contains(failed, 'D3')")
    at.button[0].click().run()
    assert_clean(at)
    assert table_with(at, "n")["n"].iloc[0] == one(direct, "SELECT count(*) FROM distribution_checks "
                                                          "WHERE list_contains(failed, 'D3')")
    at.text_area(key="sql_text").set_value("COPY assets TO 'x.csv'")
    at.button[0].click().run()
    assert not at.exception
    assert any("只读" in e.value and "COPY" in e.value for e in at.main.error)
    assert not (ROOT / "x.csv").exists()


def test_income_says_what_to_upload_when_sheets_are_missing(tmp_path, monkeypatch):
    from fixtures_messy import assets_xlsx
    monkeypatch.setenv("ZCPH_SAMPLE", str(assets_xlsx(tmp_path / "镇台账.xlsx")))   # the assets sheet only
    at = app("income")
    warnings = "\n".join(w.value for w in at.main.warning)
    assert "D1 无分配方案：需要“收益分配”表的“分配方案”列" in warnings
    assert "C2 收益按时上缴：需要“收益台账”表的“约定上缴日期”列" in warnings
    assert not [d for d in at.main.dataframe if "分配记录数" in d.value.columns]
