"""AppTest of the shell and the pages 总览, 预警热力图, 资产台账, 数据上传 on the bundled sample.

Every expected number comes from a direct evaluation of the same workbook
(ledgers + rules, no Streamlit), so the pages are checked against the SQL."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from conftest import AS_OF, ROOT, account, app, assert_clean, one, table_with
from dashboard import explain, labels, ledgers, model, rules, snapshots
from dashboard.ingest import load_files
from dashboard.money import fmt_wan
from fixtures_messy import assets_xlsx
from hostile_text import read

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.main.metric if m.label == label)


@pytest.mark.parametrize("page,title", [(None, "总览"), ("heatmap", "预警热力图"),
                                        ("ledger", "资产台账"), ("upload", "数据上传")])
def test_page_renders_on_the_sample_with_as_of_and_parameters(page, title):
    at = app(page)
    assert at.main.title[0].value == title
    line = at.main.caption[0].value
    assert "示例数据" in line and "评估基准日2024年12月31日" in line and "政策参数：全部为默认值" in line


def test_overview_cards_follow_the_town_filter(direct):
    at = app()
    assert metric(at, "资产") == f"{one(direct, 'SELECT count(*) FROM asset_results'):,}项"
    town = one(direct, "SELECT town FROM asset_results GROUP BY town ORDER BY count(*) FILTER (WHERE level='red') LIMIT 1")
    at.multiselect(key="ui.f.sample.towns").set_value([town]).run()
    assert_clean(at)
    n, red = direct.execute("SELECT count(*), count(*) FILTER (WHERE level = 'red') FROM asset_results "
                            "WHERE town = ?", [town]).fetchone()
    assert metric(at, "资产") == f"{n:,}项"
    assert metric(at, "红色预警资产") == f"{red:,}项"
    ranking = table_with(at, "排名")
    assert list(ranking["镇"]) == [town]


def test_parameter_change_is_shown_and_used(direct):
    at = app()
    at.number_input(key="ui.param.idle_months").set_value(3).run()
    assert_clean(at)
    assert "已调整" in at.main.caption[0].value and "3个月" in at.main.caption[0].value
    cur = direct.cursor()
    rules.evaluate(cur, AS_OF, {"idle_months": 3})
    idle = one(cur, "SELECT count(*) FROM asset_results WHERE list_contains(flags, 'IDLE')")
    assert metric(at, "闲置资产") == f"{idle:,}项"
    shown = next(d.value for d in at.main.dataframe if "适用规则" in d.value.columns)   # the expander's table
    rows = shown.set_index("参数")
    assert rows.loc["停运满多少个月认定为闲置", ["当前值", "默认值", "单位"]].tolist() == ["3", "6", "个月"]
    assert rows.loc["简易处置程序：单项资产原值上限（含）", ["当前值", "单位"]].tolist() == ["10", "万元"]
    assert rows.loc["年收益率低于此值为收益过低（红色）", ["当前值", "单位"]].tolist() == ["1", "%"]
    assert rows.loc["停运满多少个月认定为闲置", "适用规则"] == f"{labels.rule('IDLE')}、{labels.rule('R07')}"
    assert not re.search(r"[a-z]+_[a-z]+", shown.to_csv())         # no parameter identifiers (idle_months)
    at.button(key="ui.param_reset").click().run()
    assert "全部为默认值" in at.main.caption[0].value


def test_money_parameters_are_entered_in_wan_and_rates_in_percent(direct):
    """The sidebar takes 万元 and % as every page shows them; the rules get 元 and ratios."""
    at = app()
    single = at.number_input(key="ui.param.simplified_single_max")
    assert single.label.endswith("（万元）") and single.value == 10
    rate = at.number_input(key="ui.param.income_rate_too_low")
    assert rate.label.endswith("（%）") and rate.value == 1
    assert not re.search(r"[a-z]+_[a-z]+", single.help or "")          # no identifier in the tooltip
    rate.set_value(2).run()
    single.set_value(12.5).run()
    assert_clean(at)
    rows = next(d.value for d in at.main.dataframe if "适用规则" in d.value.columns).set_index("参数")
    assert rows.loc["简易处置程序：单项资产原值上限（含）", "当前值"] == "12.5"
    assert rows.loc["年收益率低于此值为收益过低（红色）", "当前值"] == "2"
    # a red threshold above the yellow one is refused in Chinese, by the parameters' names
    at.number_input(key="ui.param.income_rate_too_low").set_value(5).run()
    assert any("不能大于“年收益率低于此值为收益不合理（黄色）”" in e.value for e in at.sidebar.error)


def test_heatmap_figure_holds_the_sql_counts(direct):
    at = app("heatmap")
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    heat = [t for t in fig["data"] if t["type"] == "heatmap"]
    shown = {(y, x): z for t in heat for y, row in zip(t["y"], t["z"]) for x, z in zip(t["x"], row) if z}
    expected = dict(((town, rule), n) for town, rule, n in direct.execute(
        "SELECT coalesce(r.town, '未填写'), h.rule_id, count(*) FROM rule_hits h "
        "JOIN asset_results r ON r.row_id = h.asset_row WHERE h.level IN ('red', 'yellow') GROUP BY ALL").fetchall())
    assert shown == expected and expected


def test_heatmap_lists_assets_of_a_cell_with_one_sentence_per_rule(direct):
    town, rule = direct.execute(
        "SELECT r.town, h.rule_id FROM rule_hits h JOIN asset_results r ON r.row_id = h.asset_row "
        "WHERE h.level = 'red' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchone()
    at = app("heatmap")
    at.selectbox(key="heatmap_pick_town").set_value(town).run()
    at.selectbox(key="heatmap_pick_rule").set_value(rule).run()
    assert_clean(at)
    total = one(direct, "SELECT count(*) FROM rule_hits h JOIN asset_results r ON r.row_id = h.asset_row "
                        "WHERE r.town = ? AND h.rule_id = ?", town, rule)
    text = read("\n".join(m.value for m in at.main.markdown))          # what the reader sees
    assert f"{town} · {labels.rule(rule)}：{total:,}项资产" in text
    asset_id, facts = direct.execute(
        "SELECT h.asset_id, h.facts FROM rule_hits h JOIN asset_results r ON r.row_id = h.asset_row "
        "WHERE r.town = ? AND h.rule_id = ? ORDER BY r.original_value DESC, h.asset_id LIMIT 1", [town, rule]).fetchone()
    assert f"{labels.rule(rule)}：{explain.explain(rule, facts, AS_OF, rules.policy.default_params())}" in text
    assert asset_id in text


def test_ledger_level_filter_and_search(direct):
    at = app("ledger")
    at.multiselect(key="ui.f.sample.levels").set_value(["red"]).run()
    assert_clean(at)
    red, value = direct.execute("SELECT count(*), sum(original_value) FROM asset_results WHERE level = 'red'").fetchone()
    assert f"共{red:,}项资产，原值{fmt_wan(value)}" in at.main.caption[-1].value or \
        any(f"共{red:,}项资产" in c.value for c in at.main.caption)
    table = table_with(at, "预警等级")
    assert set(table["预警等级"]) == {"红色预警"}
    name = one(direct, "SELECT asset_name FROM asset_results WHERE level = 'red' LIMIT 1")
    at.text_input(key="ledger_search").set_value(name).run()
    n = one(direct, "SELECT count(*) FROM asset_results r JOIN assets a USING (row_id) WHERE r.level = 'red' "
                    "AND (contains(a.asset_name, ?) OR contains(a.project_name, ?) OR contains(a.operator, ?) "
                    "OR contains(a.custodian, ?) OR contains(a.village, ?) OR contains(a.town, ?) "
                    "OR contains(a.asset_id, ?))", *[name] * 7)
    assert any(f"共{n:,}项资产" in c.value for c in at.main.caption)


def test_ledger_asset_detail_explains_its_rules(direct):
    asset_id = one(direct, "SELECT asset_id FROM asset_results WHERE level = 'red' ORDER BY asset_id LIMIT 1")
    at = app("ledger")
    at.text_input(key="ledger_detail_id").set_value(asset_id).run()
    assert_clean(at)
    fired = direct.execute("SELECT rule_id FROM rule_hits WHERE asset_id = ?", [asset_id]).fetchall()
    text = "\n".join(m.value for m in at.main.markdown)
    for (rule,) in fired:                       # a code always with its name (issue 19.7): **IDLE 闲置**
        assert f"**{labels.rule(rule)}**（" in text
    assert not re.search(r"\*\*[A-Z]+[0-9]*\*\*", text), text


def test_empty_filter_result_says_so(direct):
    at = app()
    at.multiselect(key="ui.f.sample.levels").set_value(["red"]).run()
    at.multiselect(key="ui.f.sample.batches").set_value(["巩固"]).run()   # red assets are never 巩固
    assert_clean(at)
    assert any("没有资产" in i.value for i in at.main.info)


def test_upload_of_a_messy_workbook_reports_rejections_and_saves_a_snapshot(tmp_path):
    path = assets_xlsx(tmp_path / "镇台账.xlsx")
    expected = load_files([path])
    not_loaded = sum(1 for i in expected.issues if i.kind in ("rejected", "skipped"))
    account()                                # saving a month is the administrator's
    at = app("upload", user="管理员")
    at.file_uploader(key="upload_files").upload("镇台账.xlsx", path.read_bytes(), XLSX).run()
    assert_clean(at)
    assert any(f"未载入{not_loaded:,}行" in m.value for m in at.main.markdown) and not_loaded > 0
    summary = table_with(at, "识别为")
    assets_row = summary[summary["识别为"] == "资产台账"].iloc[0]
    assert assets_row["未载入行数"] == next(s.rows_rejected for s in expected.sheets if s.kind == "assets")
    rejected = table_with(at, "原因")
    assert len(rejected) == len(expected.issues)
    rows = {(r.sheet, str(r.row)) for r in expected.issues if r.kind in ("rejected", "skipped")}
    shown = set(zip(rejected["工作表"], rejected["行"].astype(str)))
    assert rows <= shown and any("合计" in r for r in rejected["原因"])
    assert at.selectbox(key="upload_year").value == 2024 and at.selectbox(key="upload_month").value == 12
    at.button(key="upload_save").click().run()
    assert_clean(at)
    assert any("已保存2024年12月快照" in s.value for s in at.main.success)
    at.switch_page("../pages/overview.py").run()
    assert_clean(at)
    assert "数据来源：2024年12月" in at.main.caption[0].value
    assert metric(at, "资产") == f"{len(expected.tables['assets']):,}项"
    # the first saved month: compared with its own ledgers at the end of the month before (as 报告)
    assert any("上一期：本期台账按2024年11月30日评估" in c.value for c in at.main.caption)


def test_an_upload_can_be_looked_at_before_it_is_saved(tmp_path):
    path = assets_xlsx(tmp_path / "镇台账.xlsx")
    expected = load_files([path])
    at = app("upload")
    at.file_uploader(key="upload_files").upload("镇台账.xlsx", path.read_bytes(), XLSX).run()
    at.button(key="upload_view").click().run()
    assert_clean(at)
    assert at.selectbox(key="ui.source").value.startswith("upload:")
    assert snapshots.list_months() == []                        # looked at, not saved
    at.switch_page("../pages/overview.py").run()
    assert_clean(at)
    assert "数据来源：上传：镇台账.xlsx" in read(at.main.caption[0].value)
    assert metric(at, "资产") == f"{len(expected.tables['assets']):,}项"
    at.selectbox(key="ui.source").set_value("sample").run()     # and back to the sample
    assert_clean(at)
    assert "示例数据" in at.main.caption[0].value


def test_unusable_upload_says_why_in_chinese():
    at = app("upload")
    at.file_uploader(key="upload_files").upload("台账.xlsx", b"%PDF-1.4 not a ledger", XLSX).run()
    assert not at.exception
    errors = [e.value for e in at.main.error]
    assert errors and any("PDF" in e for e in errors) and any("无法使用" in e for e in errors)


def test_heatmap_in_wan_holds_the_sql_sums(direct):
    at = app("heatmap")
    at.radio(key="heatmap_measure").set_value("value").run()
    assert_clean(at)
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    shown = {(y, x): z for t in fig["data"] if t["type"] == "heatmap"
             for y, row in zip(t["y"], t["z"]) for x, z in zip(t["x"], row) if z}
    expected = {(town, rule): round(float(v) / 10000, 2) for town, rule, v in direct.execute(
        "SELECT coalesce(r.town, '未填写'), h.rule_id, sum(r.original_value) FROM rule_hits h "
        "JOIN asset_results r ON r.row_id = h.asset_row WHERE h.level IN ('red', 'yellow') GROUP BY ALL").fetchall()}
    assert shown == {k: v for k, v in expected.items() if v}


def test_two_snapshots_are_compared(direct, sample_file):
    older = ledgers.load([sample_file])
    # The older month: nothing had stopped yet and all income arrived, so its warnings differ.
    older.con.execute("UPDATE assets SET operating_status = '良好', stop_date = NULL")
    older.con.execute("UPDATE income SET income_received = income_due")
    model.derive_facts(older.con)    # the ledgers changed after loading: judge their facts anew
    older.save("2024-11")
    newer = ledgers.load([sample_file])
    newer.save("2024-12")
    assert [s.month for s in snapshots.list_months()] == ["2024-11", "2024-12"]
    before = older.con.cursor()
    rules.evaluate(before, AS_OF)

    def warnings(con):
        return set(con.execute("SELECT asset_id, rule_id FROM rule_hits WHERE level IN ('red', 'yellow')").fetchall())

    def levels(con):
        rank = {"none": 0, "yellow": 1, "red": 2}
        return {a: rank[lv] for a, lv in con.execute("SELECT asset_id, level FROM asset_results").fetchall()}

    new, cleared = warnings(direct) - warnings(before), warnings(before) - warnings(direct)
    worse = sum(1 for a, lv in levels(direct).items() if lv > levels(before).get(a, 0))
    assert new or cleared

    account()      # issue 18: a data folder holding saved months is never in demo mode again
    at = app(user="管理员")
    at.selectbox(key="ui.source").set_value("snap:2024-12").run()
    at.date_input(key="ui.as_of.snap:2024-12").set_value(AS_OF).run()
    assert_clean(at)
    assert "上一期：2024年11月" in " ".join(c.value for c in at.main.caption)
    assert metric(at, "新增预警") == f"{len(new):,}项"
    assert metric(at, "解除预警") == f"{len(cleared):,}项"
    assert metric(at, "等级升高") == f"{worse:,}项"

    at.switch_page("../pages/heatmap.py").run()
    assert_clean(at)
    months = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]
    assert months["x"] == ["2024年11月", "2024年12月"]
    warned_before = one(before, "SELECT count(*) FROM asset_results WHERE level <> 'none'")
    assert sum(row[0] for row in months["z"]) == warned_before


def test_a_saved_month_is_judged_at_its_own_date(direct, sample_file):
    """policy-rules §9: its data date, else the month's last day — never today; the report
    page offers that month; the month's warnings are the heatmap's count for it."""
    ledgers.load([sample_file]).save("2024-12")             # title row: 截至2024年12月31日
    undated = ledgers.load([sample_file])
    undated.data_date = None
    undated.save("2024-06")
    account()
    at = app(user="管理员")
    at.selectbox(key="ui.source").set_value("snap:2024-06").run()
    assert at.date_input(key="ui.as_of.snap:2024-06").value == dt.date(2024, 6, 30)
    at.selectbox(key="ui.source").set_value("snap:2024-12").run()
    assert_clean(at)
    assert at.date_input(key="ui.as_of.snap:2024-12").value == AS_OF
    warned = one(direct, "SELECT count(*) FROM asset_results WHERE level <> 'none'")
    red = one(direct, "SELECT count(*) FROM asset_results WHERE level = 'red'")
    assert metric(at, "红色预警资产") == f"{red:,}项"
    at.switch_page("../pages/heatmap.py").run()
    months = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]
    assert months["x"] == ["2024年6月", "2024年12月"]
    assert sum(row[1] for row in months["z"]) == warned
    at.switch_page("../pages/report.py").run()
    assert_clean(at)
    assert at.text_input(key="report.period.monthly.snap:2024-12.2024-12-31").value == "2024-12"


def test_ledger_sorts_by_the_chosen_column(direct):
    at = app("ledger")
    at.selectbox(key="ledger_sort").set_value("build_year").run()
    at.toggle(key="ledger_desc").set_value(False).run()
    assert_clean(at)
    years = table_with(at, "建成年度")["建成年度"].dropna().tolist()
    assert years == sorted(years) and years[0] == one(direct, "SELECT min(build_year) FROM assets")


def test_a_failed_load_is_said_on_the_upload_page_too(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(rules, "evaluate", broken)
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("../pages/upload.py").run()
    assert not at.exception
    said = " ".join(w.value for w in at.main.warning)
    assert "数据载入失败" in said and "boom" not in said       # Chinese, no internals
    assert at.main.get("file_uploader")                         # and the upload still works


def test_ledger_puts_level_and_reason_where_a_phone_sees_them():
    """A phone shows about 330 px of the ledger: the selection box, the name (150 px) and
    预警等级 (80 px) fit, and 预警原因 starts there; the ID and the rest scroll inside the table."""
    at = app("ledger")
    assert_clean(at)
    table = next(d for d in at.main.dataframe if "预警等级" in d.value.columns)
    assert list(table.value.columns[:3]) == ["资产名称", "预警等级", "预警原因"]
    widths = json.loads(table.proto.columns)
    assert 40 + widths["资产名称"]["width"] + widths["预警等级"]["width"] <= 300, widths


def test_clear_filters_empties_every_filter():
    """清除筛选 gives each filter its empty value (in the browser a deleted key kept the towns)."""
    at = app()
    everything = metric(at, "资产")
    towns = next(m for m in at.sidebar.multiselect if m.label == "镇")
    towns.set_value([towns.options[0]]).run()
    years = next(s for s in at.sidebar.slider if s.label == "建成年度")
    full = (years.min, years.max)
    years.set_value((full[0] + 1, full[1])).run()
    assert metric(at, "资产") != everything
    next(b for b in at.sidebar.button if b.label == "清除筛选").click().run()
    assert_clean(at)
    assert metric(at, "资产") == everything
    assert next(m for m in at.sidebar.multiselect if m.label == "镇").value == []
    assert next(s for s in at.sidebar.slider if s.label == "建成年度").value == full
