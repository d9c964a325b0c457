"""Issue 19.3 and 19.4: everyone opens on the latest real month (within their scope), the
sample stays reachable and labelled, a consolidated month reads 汇总; 总览 and 报告 answer
"what changed since last month" the same way (assets that joined and left included), and
the page header, the sidebar, the exports and the report state one 数据截至."""
from __future__ import annotations

import datetime as dt

from conftest import account, app, assert_clean, table_with
from dashboard import baseline, landing, ledgers, model, month_info, rules, snapshots
from dashboard.reports import build, periods
from dashboard.scope import Scope
from dashboard.ui import export


def metric(at, label: str) -> str:
    return next(m.value for m in at.main.metric if m.label == label)


def _ids(books, where: str, n: int) -> list[str]:
    return [r[0] for r in books.con.execute(
        f"SELECT asset_id FROM assets WHERE {where} ORDER BY asset_id LIMIT {n}").fetchall()]


def _drop(books, ids: list[str]) -> None:
    books.con.execute(f"DELETE FROM assets WHERE asset_id IN ({', '.join('?' * len(ids))})", ids)
    model.derive_facts(books.con)


def _consolidated(books, month: str) -> None:
    """Saved as 月调度 汇总 saves a month (kind "consolidated")."""
    with snapshots.month_lock(month):
        snapshots.save(books.con, month, books.data_date, ["城川镇报送#1"], kind="consolidated", by="管理员")


def _two_months(sample_file):
    """2024-11: the sample without `joined` (3 assets of 城川镇); 2024-12, consolidated: the sample
    without `left` (2 red assets), its data date 2024-12-20.  Returns (joined, left)."""
    older = ledgers.load([sample_file])
    newer = ledgers.load([sample_file])
    joined = _ids(older, "town = '城川镇'", 3)
    cur = newer.con.cursor()
    rules.evaluate(cur, dt.date(2024, 12, 20))
    left = [r[0] for r in cur.execute(
        "SELECT asset_id FROM asset_results WHERE level = 'red' AND asset_id NOT IN "
        f"({', '.join('?' * len(joined))}) ORDER BY asset_id LIMIT 2", joined).fetchall()]
    _drop(older, joined)
    older.save("2024-11")
    _drop(newer, left)
    newer.data_date = dt.date(2024, 12, 20)
    _consolidated(newer, "2024-12")
    return joined, left


def test_landing_rule_by_scope(sample_file):
    assert landing.source_for(Scope()) == "sample"                    # no month saved: the sample
    books = ledgers.load([sample_file])
    books.save("2024-11")
    _drop(books, _ids(books, "town = '城川镇'", 10_000))
    _consolidated(books, "2024-12")
    assert landing.source_for(Scope()) == "snap:2024-12"
    assert landing.source_for(Scope(town="城川镇")) == "snap:2024-11"      # its latest month with its assets
    assert landing.source_for(Scope(town="不存在镇")) == "snap:2024-12"    # none: still a real month
    department = books.con.execute("SELECT any_value(department) FROM assets WHERE department <> ''").fetchone()[0]
    assert landing.source_for(Scope(department=department, department_names=(department,))) == "snap:2024-12"
    nov, dec = snapshots.list_months()
    assert (month_info.kind_label(nov), month_info.kind_label(dec)) == ("上传快照", "汇总")
    assert month_info.data_date(nov) == dt.date(2024, 12, 31)         # the sample's title row says so


def test_a_town_user_opens_on_the_latest_month_and_keeps_its_choice(sample_file):
    joined, left = _two_months(sample_file)
    account("城川镇用户", "town", town="城川镇")
    at = app(user="城川镇用户")
    box = at.selectbox(key="ui.source")
    assert box.value == "snap:2024-12"
    assert list(box.options) == ["2024年12月（汇总）", "2024年11月（上传快照）", "示例数据（非真实数据）"]
    line = at.main.caption[0].value
    assert "数据来源：2024年12月" in line and "数据截至2024年12月20日" in line
    assert any("数据截至2024年12月20日" in c.value for c in at.sidebar.caption)
    box.set_value("sample").run()                                      # a choice is kept
    at.run()
    assert at.selectbox(key="ui.source").value == "sample"
    assert "示例数据" in at.main.caption[0].value


def test_overview_and_report_count_the_same_changes(sample_file):
    joined, left = _two_months(sample_file)
    account()
    at = app(user="管理员")
    assert at.selectbox(key="ui.source").value == "snap:2024-12"
    assert_clean(at)
    shown = {name: metric(at, name) for name in ("新增资产", "减少资产", "新增预警", "解除预警", "等级升高")}
    assert shown["新增资产"] == f"{len(joined)}项" and shown["减少资产"] == f"{len(left)}项"
    assert any("上一期：2024年11月（数据截至2024年12月31日）" in c.value for c in at.main.caption)
    detail = table_with(at, "变化", "减少资产")
    assert set(detail.loc[detail["变化"] == "减少资产", "资产编号"]) == set(left)
    assert set(detail.loc[detail["变化"] == "新增资产", "资产编号"]) == set(joined)
    assert set(detail.loc[detail["变化"] == "减少资产", "上期等级"]) == {"红色预警"}
    cells = detail.astype(str).to_numpy().ravel().tolist()
    assert not [c for c in cells if c in ("None", "nan", "<NA>", "")]

    # the report page, on the same month, with the same previous month
    at.switch_page("../pages/report.py").run()
    assert_clean(at)
    assert any("数据截至2024年12月20日" in c.value and "与2024年11月（数据截至2024年12月31日）比较" in c.value
               for c in at.main.caption)
    assert any(f"较上月新增资产{len(joined)}项、减少资产{len(left)}项" in m.value for m in at.main.markdown)

    # and the report built as the page and the command line build it
    books = ledgers.saved_month(snapshots.find("2024-12"))
    period = periods.parse("monthly", "2024-12")
    base = build.compared_with(books, period)
    assert base.saved.month == "2024-11" and base.as_of == dt.date(2024, 12, 31)
    report = build.build(books, "monthly", period, None, build.default_as_of(books, period),
                         ledgers.saved_month(base.saved), base=base)
    counts = report.section("overview").figures["changes"]
    assert {label: f"{counts[key]}项" for key, label in
            [("joined", "新增资产"), ("left", "减少资产"), ("new", "新增预警"), ("cleared", "解除预警"),
             ("worsened", "等级升高")]} == shown
    assert report.as_of == dt.date(2024, 12, 20)
    moved = next(t for t in report.tables() if t.sheet == "资产增减")
    assert sorted(moved.column("资产编号")) == sorted(joined + left)


def test_the_first_month_and_the_sample_compare_with_their_own_ledgers_earlier(sample_file):
    """No earlier saved month: both pages compare the same ledgers at the previous month's end."""
    ledgers.load([sample_file]).save("2024-12")
    base = baseline.before("2024-12", dt.date(2024, 11, 30))
    assert base.saved is None and base.as_of == dt.date(2024, 11, 30)
    assert baseline.before(None, dt.date(2024, 11, 30)) == base
    account()
    at = app(user="管理员")
    assert any("本期台账按2024年11月30日评估" in c.value for c in at.main.caption)
    books = ledgers.saved_month(snapshots.find("2024-12"))
    report = build.build(books, "monthly", "2024-12", None, None, None, base=base)
    counts = report.section("overview").figures["changes"]
    assert counts["joined"] == counts["left"] == 0
    assert metric(at, "新增预警") == f"{counts['new']}项" and counts["new"] > 0
    assert report.compared_with == "与2024年11月30日比较"


def test_export_note_states_the_months_data_date(sample_file):
    books = ledgers.load([sample_file])
    books.data_date = None
    books.save("2024-06")
    saved = ledgers.saved_month(snapshots.find("2024-06"))

    class Ctx:
        source, as_of = saved, dt.date(2024, 6, 30)
        filters = __import__("dashboard.filters", fromlist=["Filters"]).Filters()
    assert "数据截至2024年6月30日" in export.note(Ctx)
