"""Accounts in the app (AppTest): demo mode, the sign-in form, a forwarded link, sessions that
end at once, rights by role, the administrator's pages — and the audit trail: each action
done once leaves exactly one entry.  Downloads (exports, reports) are built only when a
browser asks for the file; tests/browser/test_accounts_browser.py audits those."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import PASSWORD, ROOT, account, app, assert_clean, table_with
from dashboard import snapshots, store
from dashboard.store import accounts, audit, sessions, settings
from fixtures_messy import assets_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fresh(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    if page:
        at.switch_page(f"../pages/{page}.py").run()
    return at


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="auth.name").set_value(name)
    at.text_input(key="auth.password").set_value(password)
    next(b for b in at.button if b.label == "登录").click().run()
    return at


def entries(action: str, outcome: str | None = None) -> list:
    return [r for r in audit.rows(action=action) if outcome is None or r.outcome == outcome]


def test_demo_mode_shows_every_page_and_writes_nothing(tmp_path):
    at = app("upload")
    assert any("演示模式" in w.value for w in at.sidebar.warning)
    assert any("演示模式" in w.value for w in at.main.warning)     # on the page too: a phone folds the sidebar
    at.file_uploader(key="upload_files").upload("镇台账.xlsx", assets_xlsx(tmp_path / "a.xlsx").read_bytes(),
                                                XLSX).run()
    assert_clean(at)
    assert any("演示模式" in i.value for i in at.main.info)
    assert not [b for b in at.main.button if b.key == "upload_save"]
    at.switch_page("../pages/income.py").run()
    assert_clean(at)
    assert not [b for b in at.main.button if b.key == "income_negative_save"]
    at.switch_page("../pages/sql_console.py").run()
    assert_clean(at)
    at.switch_page("../pages/submissions.py").run()
    assert_clean(at)
    assert not store.exists() and not snapshots.list_months()


def test_sign_in_form_then_the_forwarded_page():
    account()
    at = fresh("ledger")                           # a link to 资产台账, not signed in
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert any(b.label == "登录" for b in at.button)
    assert not at.main.dataframe and not at.sidebar.selectbox    # nothing of the data before sign-in
    sign_in(at, "管理员", "wrong-password")
    assert any("用户名或密码不正确" in e.value for e in at.main.error)
    sign_in(at, "管理员")
    assert_clean(at)
    assert at.title[0].value == "资产台账" and at.main.dataframe
    assert len(entries("sign_in", "ok")) == 1 and len(entries("sign_in", "failed")) == 1


def test_an_account_made_while_the_app_runs_signs_in_at_once_and_ends_when_disabled():
    account()
    at = fresh()
    accounts.add("新镇长", "town", "town-pass-1", town="昂素镇")     # no restart
    sign_in(at, "新镇长", "town-pass-1")
    assert_clean(at)
    assert any("昂素镇" in m.value for m in at.sidebar.markdown)
    accounts.set_disabled("新镇长")
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]     # back to the form at once


def test_locked_after_repeated_failures(monkeypatch):
    account()
    monkeypatch.setattr(accounts, "THROTTLE_SECONDS", 0)
    at = fresh()
    for _ in range(accounts.MAX_FAILURES):
        sign_in(at, "管理员", "wrong-password")
    assert any("已锁定" in e.value for e in at.main.error)
    sign_in(at, "管理员")
    assert any("已锁定" in e.value for e in at.main.error)
    assert len(entries("sign_in", "locked")) == 2 and len(entries("sign_in", "failed")) == accounts.MAX_FAILURES - 1


def test_sign_out_ends_the_session():
    account()
    at = app(user="管理员")
    token = at.session_state["auth.token"]
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert sessions.resume(token) is None and len(entries("sign_out")) == 1


@pytest.mark.parametrize("role, place", [("leader", {}), ("village", {"town": "城川镇", "village": "大发村"})])
def test_read_only_roles_cannot_upload_or_change_policy(role, place):
    account(role, role, **place)
    at = app("income", user=role)
    assert not [b for b in at.main.button if b.key == "income_negative_save"]
    assert all(n.disabled for n in at.sidebar.number_input)
    at.switch_page("../pages/upload.py").run()
    assert any("无权使用本页" in e.value for e in at.main.error) and not at.file_uploader
    assert len(entries("open_page", "refused")) == 1


def test_each_administrator_action_leaves_one_entry(tmp_path):
    account()
    at = app("upload", user="管理员")
    # upload, view it, save it, save it again (replace)
    at.file_uploader(key="upload_files").upload("镇台账.xlsx", assets_xlsx(tmp_path / "a.xlsx").read_bytes(),
                                                XLSX).run()
    assert_clean(at)
    at.button(key="upload_view").click().run()
    at.switch_page("../pages/upload.py").run()
    at.button(key="upload_save").click().run()
    at.checkbox(key="upload_save.confirm").check().run()       # replacing the month asks first
    at.button(key="upload_save").click().run()
    assert_clean(at)
    # a threshold, the negative list saved and reset, a console query
    at.switch_page("../pages/income.py").run()
    first = at.sidebar.number_input[0]
    first.set_value(first.value + 1).run()
    at.button(key="income_negative_save").click().run()
    at.button(key="income_negative_reset").click().run()
    at.switch_page("../pages/sql_console.py").run()
    at.text_area(key="sql_text").set_value("SELECT 1 AS x")
    next(b for b in at.main.button if b.label == "执行查询").click().run()
    assert_clean(at)
    # accounts, departments, 公示, delete the snapshot
    at.switch_page("../pages/admin.py").run()
    assert_clean(at)
    for key in ("admin.add.town", "admin.add.department", "admin.add.role"):   # no blank label: the browser
        box = at.selectbox(key=key)                                          # would read "Choose an option"
        assert box.options and all(o.strip() for o in box.options) and box.index == 0, (key, box.options)
    at.text_input(key="admin.add.name").set_value("镇账号")
    at.selectbox(key="admin.add.role").set_value("town")
    at.selectbox(key="admin.add.town").set_value("城川镇")
    at.text_input(key="admin.add.password").set_value("town-pass-1")
    next(b for b in at.main.button if b.label == "新建").click().run()
    assert accounts.get("镇账号") is not None
    at.selectbox(key="admin.change.name").set_value("镇账号").run()
    at.button(key="admin.disable").click().run()
    at.button(key="admin.enable").click().run()
    at.text_input(key="admin.change.password").set_value("town-pass-2")
    at.button(key="admin.passwd").click().run()
    at.button(key="admin.departments.save").click().run()
    at.selectbox(key="admin.publish.month").set_value(snapshots.list_months()[0].month)
    at.button(key="admin.publish").click().run()
    at.checkbox(key="admin.snapshot.sure").check().run()
    at.button(key="admin.snapshot.delete").click().run()
    assert_clean(at)
    expected = ["upload", "view_upload", "snapshot_save", "snapshot_replace", "parameters", "negative_list_save",
                "negative_list_reset", "console", "account_add", "account_disable", "account_enable",
                "account_passwd", "departments_save", "publish", "snapshot_delete"]
    for action in expected:
        found = entries(action)
        assert len(found) == 1, (action, len(found))
        assert found[0].user_name == "管理员" and found[0].outcome == "ok" and found[0].scope == "全旗"
    assert "town-pass" not in " ".join(str(r.details) for r in audit.rows())
    assert not snapshots.list_months() and settings.published_month() is not None
    assert accounts.check("镇账号", "town-pass-2").outcome == "ok"


def _gongshi(at: AppTest) -> AppTest:
    at.switch_page("../pages/gongshi.py").run()
    assert not at.exception and not at.main.error, [e.value for e in at.main.error]
    return at


def test_gongshi_shows_only_what_is_published_and_no_names(sample_books):
    at = _gongshi(app())                                        # demo mode: the sample, said so
    assert any("演示模式" in c.value for c in at.main.caption)
    town, village = sample_books.con.execute(
        "SELECT a.town, a.village FROM distribution d JOIN assets a ON a.row_id = d.asset_row "
        "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchone()
    at.selectbox(key="gongshi.town").set_value(town).run()
    at.selectbox(key=f"gongshi.village.{town}").set_value(village).run()
    shown = {c for d in at.main.dataframe for c in d.value.columns}
    assert {"资产名称", "分配用途", "受益对象类别", "受益人数"} <= shown
    assert not shown & {"管护责任人", "运营主体", "约定年收益", "合同到期日期", "受益对象"}
    account()
    at = _gongshi(app())
    assert any("尚未发布" in i.value for i in at.main.info) and not at.main.dataframe
    sample_books.save("2024-12")
    settings.publish("2024-12", "管理员")
    at = _gongshi(app())
    assert any("2024年12月" in c.value for c in at.main.caption) and at.main.dataframe
    town, village = at.selectbox(key="gongshi.town").value, at.selectbox[1].value
    assets = next(d.value for d in at.main.dataframe if "资产名称" in d.value.columns)
    expected = sample_books.con.execute("SELECT count(*) FROM assets WHERE town = ? AND village = ?",
                                        [town, village]).fetchone()[0]
    assert len(assets) == expected > 0
    assert all(m.value.count("万元") <= 1 for m in at.main.metric)


def test_gongshi_hides_a_beneficiary_that_names_a_person(sample_books):
    from dashboard.evaluated import Evaluated
    from dashboard.filters import Filters
    from dashboard.scope import Scope
    con = sample_books.con
    town, village, row = con.execute("SELECT town, village, row_id FROM distribution "
                                     "WHERE town IS NOT NULL AND village IS NOT NULL LIMIT 1").fetchone()
    before = con.execute("SELECT beneficiary FROM distribution WHERE row_id = ?", [row]).fetchone()[0]
    con.execute("UPDATE distribution SET beneficiary = '张三、脱贫户' WHERE row_id = ?", [row])
    try:
        ev = Evaluated(sample_books, sample_books.reference)
        shown = ev.frame("gongshi/distribution", Filters().within(Scope(town=town, village=village)))
        ev.close()
    finally:
        con.execute("UPDATE distribution SET beneficiary = ? WHERE row_id = ?", [before, row])
    kinds = set(shown.beneficiary_kind.dropna())
    assert "其他（不公开姓名）" in kinds and not any("张三" in k for k in kinds)


def _page_text(at: AppTest) -> str:
    """Everything the page shows: its tables' cells and its text elements."""
    cells = [d.value.to_csv() for d in at.main.dataframe]
    texts = [e.value for kind in ("markdown", "caption", "subheader", "title", "info") for e in getattr(at.main, kind)]
    return "\n".join(cells + texts + [m.value for m in at.main.metric])


def test_gongshi_publishes_no_household_name_operator_or_person(sample_file):
    """Issue 19.5: a 到户类 asset named after its household is published by its type only; an
    operator's name inside another asset's name, a 受益对象 or a 用途 naming a person: withheld."""
    from dashboard import ledgers
    books = ledgers.load([sample_file], label=ledgers.SAMPLE_LABEL)
    con = books.con
    town, village, household, shop = con.execute(
        "SELECT town, village, min(row_id) FILTER (category = '到户类'), min(row_id) FILTER (category = '经营性') "
        "FROM assets WHERE row_id IN (SELECT asset_row FROM distribution) OR category = '到户类' GROUP BY ALL "
        "HAVING count(*) FILTER (category = '到户类') > 0 AND count(*) FILTER (category = '经营性') > 0 "
        "ORDER BY town, village LIMIT 1").fetchone()
    con.execute("UPDATE assets SET asset_name = ? || '乌力吉巴特尔户基础母牛', asset_type = '基础母牛', "
                "custodian_person = '乌力吉巴特尔', operator = '乌力吉巴特尔', owner_unit = '脱贫户乌力吉巴特尔' "
                "WHERE row_id = ?", [village, household])
    con.execute("UPDATE assets SET asset_name = '其木格家庭农场温室', operator = '其木格家庭农场' WHERE row_id = ?", [shop])
    con.execute("UPDATE distribution SET beneficiary = '脱贫户、那日苏', purpose = '发放给那日苏' WHERE row_id = "
                "(SELECT min(row_id) FROM distribution WHERE asset_row IN "
                "(SELECT row_id FROM assets WHERE town = ? AND village = ?))", [town, village])
    con.execute("INSERT INTO income (asset_id, asset_row, year, income_received) "
                "SELECT asset_id, row_id, 2024, 1000 FROM assets WHERE row_id IN (?, ?)", [household, shop])
    account()
    books.save("2024-12")
    settings.publish("2024-12", "管理员")
    stored = (snapshots.data_dir() / settings.PUBLICATION_FILE).read_text(encoding="utf-8")
    assert json.loads(stored) == {"month": "2024-12"}              # the copy kept for a store outage: no data

    at = _gongshi(app())
    at.selectbox(key="gongshi.town").set_value(town).run()
    at.selectbox(key=f"gongshi.village.{town}").set_value(village).run()
    assert_clean(at)
    text = _page_text(at)
    for name in ("乌力吉巴特尔", "其木格", "那日苏"):
        assert name not in text, name
    assets = table_with(at, "资产名称")
    assert "基础母牛（到户类）" in set(assets["资产名称"])
    shop_type = con.execute("SELECT asset_type FROM assets WHERE row_id = ?", [shop]).fetchone()[0]
    assert f"{shop_type}（名称不公开）" in set(assets["资产名称"])
    household_names = set(assets.loc[assets["资产类别"] == "到户类", "资产名称"])
    assert household_names and all(n.endswith("（到户类）") or n == "到户类资产" for n in household_names)
    assert all("户" not in n.removesuffix("（到户类）").removesuffix("到户类资产") for n in household_names)
    income = next(d.value for d in at.main.dataframe if "资产名称" in d.value.columns and "资产类别" not in d.value.columns)
    assert {"基础母牛（到户类）", f"{shop_type}（名称不公开）"} <= set(income["资产名称"])
    shared = table_with(at, "受益对象类别", "其他（不公开姓名）")
    assert "（含个人信息，不公开）" in set(shared["分配用途"])
    # the same month, unchanged, in the cockpit: the names are still the ledger's (only 公示 withholds them)
    assert con.execute("SELECT count(*) FROM assets WHERE asset_name LIKE '%乌力吉巴特尔%'").fetchone()[0] == 1
