"""Accounts in a real browser, at desktop and phone size: a forwarded link signs in and lands
on its page, the session survives a reload (a SameSite=Strict cookie), an export holds only
the user's town and is audited, a report download is audited, signing out ends the session;
the 公示 page needs no sign-in and fits a phone."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re

import pytest

from conftest import PASSWORD
from dashboard import ledgers, places, store
from dashboard.store import accounts, audit, settings
from tests.browser.conftest import SCREENSHOTS, serving
from tests.browser.test_browser import assert_clean, settle, shot

SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def banner(tmp_path_factory, chromium_path):
    """A server whose data folder has an administrator, a town account, a saved month and
    that month published on 公示; yields (url, data folder)."""
    data_dir = tmp_path_factory.mktemp("accounts-var")
    before = os.environ.get("ZCPH_DATA_DIR")
    os.environ["ZCPH_DATA_DIR"] = str(data_dir)
    store.dispose()
    try:
        accounts.add("旗管理员", "admin", PASSWORD)
        accounts.add("城川镇", "town", PASSWORD, town="城川镇")
        ledgers.sample().save("2024-12")
        settings.publish("2024-12", "旗管理员")
    finally:
        store.dispose()
        os.environ["ZCPH_DATA_DIR"] = before or ""
    with serving(data_dir, tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url, data_dir


@pytest.fixture
def trail(banner, monkeypatch):
    """Read the server's audit trail from the test."""
    monkeypatch.setenv("ZCPH_DATA_DIR", str(banner[1]))
    store.dispose()
    yield lambda action: audit.rows(action=action)
    store.dispose()


def new_page(browser, size: str):
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def sign_in(page, name: str) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    settle(page)


@contextlib.contextmanager
def signed_in(browser, url: str, path: str, name: str, heading: str, size: str = "desktop"):
    """A page of the app opened by its link, signed in as `name`, showing `heading`."""
    context, page = new_page(browser, size)
    try:
        page.goto(f"{url}/{path}")
        settle(page)
        sign_in(page, name)
        page.wait_for_selector(f'h1:has-text("{heading}")')
        settle(page)
        yield page
    finally:
        context.close()


def no_sideways_scroll(page, where: str) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 1, f"{where}: the page scrolls sideways by {wide}px"


@pytest.mark.parametrize("size", list(SIZES))
def test_forwarded_link_sign_in_reload_export_and_sign_out(banner, browser, trail, size):
    url, _ = banner
    context, page = new_page(browser, size)
    try:
        page.goto(f"{url}/ledger")                  # a link someone forwarded
        settle(page)
        assert page.get_by_role("button", name="登录", exact=True).count() == 1
        assert "资产台账" not in page.locator('[data-testid="stMain"]').inner_text()
        shot(page, f"signin-{size}")
        sign_in(page, "城川镇")
        assert page.url.endswith("/ledger")
        page.wait_for_selector('h1:has-text("资产台账")')
        assert_clean(page, "资产台账 after sign-in")
        cookie = next(c for c in context.cookies() if c["name"] == "zcph_session")
        assert cookie["sameSite"] == "Strict"
        page.reload()                               # the cookie resumes the session
        settle(page)
        page.wait_for_selector('h1:has-text("资产台账")')
        assert page.get_by_role("button", name="登录", exact=True).count() == 0
        if size == "phone":
            no_sideways_scroll(page, "资产台账 (town user)")
            shot(page, "town-ledger-phone")
            return
        exports = len(trail("export"))
        with page.expect_download() as download:
            page.get_by_role("button", name="导出 CSV").click()
        rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
        assert rows and {r["镇"] for r in rows} == {"城川镇"}, list(rows[0])
        assert len(trail("export")) == exports + 1 and trail("export")[0].user_name == "城川镇"
        page.get_by_role("button", name="退出登录").click()
        settle(page)
        assert page.get_by_role("button", name="登录", exact=True).count() == 1
        page.reload()
        settle(page)
        assert page.get_by_role("button", name="登录", exact=True).count() == 1, "signed out, yet the cookie still opened it"
    finally:
        context.close()


def test_a_report_download_is_audited(banner, browser, trail):
    url, _ = banner
    with signed_in(browser, url, "report", "旗管理员", "报告") as page:
        before = len(trail("report"))
        with page.expect_download() as download:
            page.get_by_role("button", name="下载Word（docx）").click()
        assert download.value.suggested_filename.endswith(".docx")
        assert open(download.value.path(), "rb").read(2) == b"PK"
        found = trail("report")
        assert len(found) == before + 1 and found[0].user_name == "旗管理员" and "docx" in found[0].details
        # the edition it was judged by: that edition is then corrected only by a new one (系统管理 → 政策版本)
        assert json.loads(found[0].details)["政策版本"] == "鄂前政办发〔2024〕13号（2024-02-29起施行）"


@pytest.mark.parametrize("size", list(SIZES))
def test_gongshi_needs_no_sign_in_and_fits_a_phone(banner, browser, size):
    url, _ = banner
    context, page = new_page(browser, size)
    try:
        page.goto(f"{url}/gongshi")
        settle(page)
        main = page.locator('[data-testid="stMain"]')
        page.wait_for_selector('h1:has-text("公示")')
        assert page.get_by_role("button", name="登录", exact=True).count() == 0
        text = main.inner_text()
        assert "2024年12月" in text and "收益分配" in text
        assert not [t for t in ("管护责任人", "运营主体", "约定年收益", "合同") if t in text]
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0     # none of the cockpit
        assert_clean(page, "公示")
        no_sideways_scroll(page, "公示")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot(page, f"gongshi-{size}")
        assert any(t in text for t in places.TOWNS)
        # the first village (阿日赖嘎查) holds a household's cow, named in the ledger after the household
        # ("阿日赖嘎查乌某某户基础母牛"): published by its type only (issue 19.5)
        page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first.scroll_into_view_if_needed()
        cells_js = """() => [...document.querySelectorAll(
            '[data-testid="stMain"] [data-testid="stDataFrame"] td[role="gridcell"]')].map(c => c.textContent)"""
        page.wait_for_function(f"({cells_js})().length > 0")         # the grid draws its cells once in view
        cells = page.evaluate(cells_js)
        assert "基础母牛（到户类）" in cells, cells[:20]
        assert not [c for c in cells if "某某户" in c or "乌某某" in c], [c for c in cells if "户" in c]
    finally:
        context.close()


def test_the_administrators_menu_lists_every_page_in_chinese(banner, browser):
    """Issue 19.7: every page the administrator may open (all but a town's 督办事项), none folded
    behind Streamlit's English "View 3 more"."""
    from dashboard.ui.auth import RIGHTS
    from dashboard.ui.pages import PAGES
    from tests.browser.test_browser import nav_links
    url, _ = banner
    with signed_in(browser, url, "overview", "旗管理员", "总览") as page:
        titles = [t for _, t in nav_links(page)]
        assert titles == [p.title for p in PAGES if p.right is None or "admin" in RIGHTS[p.right]], titles
        assert len(titles) >= 14, titles
        page.mouse.move(1200, 40)      # a section header under the pointer shows its fold icon (expand_more)
        page.wait_for_timeout(300)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert not [w for w in ("View", "more", "less") if w in nav], nav
        for title in ("公示", "系统管理", "审计记录"):
            assert page.locator('[data-testid="stSidebarNav"] a', has_text=title).is_visible(), title


def test_a_county_workbook_loads_in_a_few_clicks_with_one_profile(banner, browser, tmp_path):
    """issue 19 item 6: the real-layout county workbook (附件5-1 projects, 附件6 assets in 万元
    stated nowhere, 填表说明) from choosing the file to its assets on 资产台账, clicks counted."""
    from fixtures_messy import county_workbook
    url, _ = banner
    clicks = []

    def click(locator, why: str) -> None:
        locator.click()
        clicks.append(why)
        settle(page)

    with signed_in(browser, url, "upload", "旗管理员", "数据上传") as page:
        page.set_input_files('[data-testid="stFileUploader"] input[type="file"]',
                             str(county_workbook(tmp_path / "县台账.xlsx")))
        page.get_by_text("导入概况").wait_for()
        settle(page)
        main = page.locator('[data-testid="stMain"]')
        text = main.inner_text()
        assert "每行是一个项目" in text and "疑为万元" in text                 # the first screen says why
        assert page.get_by_role("tab", name="附件5-1（跳过此表）").count() == 1
        page.get_by_text("指定工作表类型和列的对应关系").first.scroll_into_view_if_needed()
        shot(page, "mapping-county-first-screen")
        click(page.get_by_role("tab", name="附件6"), "look at 附件6")
        assert page.get_by_role("radio", name="万元").is_checked()
        assert "数值偏小，疑为万元，已预选万元" in main.inner_text()
        for kind, tab in (("跳过此表", "附件6（跳过此表）"), ("资产台账", "附件6")):
            # a choice reruns the page and renames the tab: 附件6 stays the open one
            page.locator('[role="tabpanel"]:visible [data-testid="stSelectbox"]').filter(
                has=page.get_by_text("这张表是", exact=True)).click()
            page.get_by_role("option", name=kind, exact=True).click()
            settle(page)
            assert page.get_by_role("tab", name=tab, exact=True).get_attribute("aria-selected") == "true", kind
        click(page.get_by_role("button", name="保存为导入方案"), "save the profile")
        text = main.inner_text()
        assert "已保存导入方案“县台账”" in text and "每行是一个项目" not in text
        click(page.get_by_role("button", name=re.compile("在各页查看本次上传")), "view")
        click(page.locator('[data-testid="stSidebarNav"] a', has_text="资产台账"), "资产台账")
        page.wait_for_selector('h1:has-text("资产台账")')
        assert_clean(page, "资产台账 of the county workbook")
        assert "共3项资产，原值235.50万元" in main.inner_text()
        print(f"clicks from upload to loaded: {len(clicks)} ({'、'.join(clicks)})")
        assert len(clicks) <= 8, clicks


def _edit_cell(page, grid, row: int, col: int, text: str) -> None:
    """Type into a cell of an st.data_editor (a canvas): from its first cell by the keyboard,
    Enter opens the cell's editor (a select column: typing filters its options), Enter keeps it.
    The draft is a form: an edit does not rerun the page."""
    box = grid.bounding_box()
    page.keyboard.press("Escape")              # an editor still open would take the click
    page.wait_for_timeout(100)
    page.mouse.click(box["x"] + 50, box["y"] + 35 + 17)
    page.wait_for_timeout(100)
    for key, times in (("ArrowDown", row), ("ArrowRight", col)):
        for _ in range(times):
            page.keyboard.press(key)
    page.keyboard.press("Enter")
    page.wait_for_timeout(150)
    page.keyboard.type(text)
    page.wait_for_timeout(250)
    page.keyboard.press("Enter")
    page.wait_for_timeout(150)


CELLS_JS = "g => [...g.querySelectorAll('[role=gridcell]')].map(c => c.textContent)"


def _fill_rows(page, grid, rows: dict[int, tuple[str, ...]], width: int, keep: list[str]) -> None:
    """Type the given rows' cells and check the whole grid in its accessible cells once they show
    it: the new rows as typed and every earlier cell as it was (`keep`, read before). A keystroke
    lost on a busy machine can put a value into a neighbouring row; whatever is wrong is typed
    again. The rows must exist first: moving the keyboard past the last row lands on the grid's
    trailing 'add' row, where typing makes a new row."""
    want = {i: text for i, text in enumerate(keep)}
    want.update({row * width + c: text for row, cells in rows.items() for c, text in enumerate(cells)})
    count = _wait_rows(page, grid, width, lambda n: n * width > max(want), "the rows to fill")

    def wrong() -> list[int]:
        shown = grid.evaluate(CELLS_JS)
        assert len(shown) // width == count, f"the grid grew from {count} rows while typing"
        return [i for i, text in want.items() if not shown[i].startswith(text)]
    for _ in range(4):
        for i in wrong():
            _edit_cell(page, grid, i // width, i % width, want[i])
        for _ in range(10):                    # the accessible cells follow the canvas a moment later
            if not wrong():
                return
            page.wait_for_timeout(300)
    shown = grid.evaluate(CELLS_JS)
    raise AssertionError(f"cells {[(i, shown[i], want[i]) for i in wrong()]} (index, shown, wanted)")


def _wait_rows(page, grid, width: int, ok, what: str) -> int:
    """The grid's row count once ok(count) holds (up to 15 s: a loaded machine draws late)."""
    for _ in range(60):
        rows = len(grid.evaluate(CELLS_JS)) // width
        if ok(rows):
            return rows
        page.wait_for_timeout(250)
    raise AssertionError(f"waited for {what}; the grid has {rows} rows")


def _add_row(page, grid, width: int) -> int:
    """Click the grid's Add row once and return the new row's index, after the grid shows exactly
    one more row (never a second click: each click is a row)."""
    before = _wait_rows(page, grid, width, lambda n: n > 0, "the grid's cells")   # drawn late
    grid.hover()
    grid.locator("xpath=ancestor::*[@data-testid='stElementContainer'][1]").get_by_role(
        "button", name="Add row").click()
    after = _wait_rows(page, grid, width, lambda n: n > before, "the added row")
    page.wait_for_timeout(300)                 # a second row, if one came, shows by now
    after = len(grid.evaluate(CELLS_JS)) // width
    assert after == before + 1, f"Add row made {after - before} rows"
    return before


def test_an_administrator_makes_the_2026_edition_in_the_browser(banner, browser, trail):
    """Issue 22's done-means, its browser half: in 系统管理 → 政策版本 the administrator copies the
    edition in force, makes it 鄂前政办发〔2026〕1号 effective 2026-01-01, adds 常态化帮扶资金 and two
    2026 milestones, saves; the file is in the data folder and loads as the edition in force in
    2026 (what it changes is tests/test_editions*.py's, at SQL level)."""
    from dashboard import editions
    url, data_dir = banner
    with signed_in(browser, url, "admin", "旗管理员", "系统管理") as page:
        page.set_viewport_size({"width": 1440, "height": 2600})     # every grid in view: clicks land on cells
        page.get_by_role("tab", name="政策版本").click()
        settle(page)
        page.get_by_role("button", name="复制现行版本").click()
        settle(page)
        for label, value in (("文号", "鄂前政办发〔2026〕1号"), ("施行日期（YYYY-MM-DD）", "2026-01-01")):
            page.get_by_label(label).fill(value)
        grids = page.locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]')
        milestones, funds = grids.nth(1), grids.nth(2)
        _wait_rows(page, funds, 2, lambda n: n > 0, "the grid's cells")
        _wait_rows(page, milestones, 4, lambda n: n > 0, "the grid's cells")
        seed_funds = funds.evaluate(CELLS_JS)
        _fill_rows(page, funds, {_add_row(page, funds, 2): ("常态化帮扶资金",)}, 2, seed_funds)
        seed_milestones = milestones.evaluate(CELLS_JS)
        assert _add_row(page, milestones, 4) == 6 and _add_row(page, milestones, 4) == 7
        _fill_rows(page, milestones, {6: ("N1", "常态化帮扶资产全面核实", "2026-06-30", "已核实资产"),
                                      7: ("N2", "常态化帮扶资产盘活", "2026-12-31", "盘活率")}, 4, seed_milestones)
        shot(page, "edition-2026-draft")
        page.get_by_role("button", name="保存为新版本").click()
        settle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "已保存政策版本鄂前政办发〔2026〕1号（2026-01-01起施行）" in text, text[-1500:]
        assert_clean(page, "政策版本 saved")
    path = data_dir / "editions" / "2026-01-01_鄂前政办发〔2026〕1号.toml"
    assert path.exists()
    made = next(e for e in editions.load_all() if e.source == str(path))      # trail: this data folder
    assert "常态化帮扶资金" in made.funds and made.counts_from == dt.date(2026, 1, 1)
    assert [(m.id, m.due, m.measure) for m in made.milestones[-2:]] == [
        ("N1", dt.date(2026, 6, 30), "verified"), ("N2", dt.date(2026, 12, 31), "revitalised")]
    assert editions.in_force(dt.date(2026, 6, 30)) == made
    assert editions.in_force(dt.date(2025, 12, 31)).document == "鄂前政办发〔2024〕13号"
    saves = trail("edition_save")
    assert [(r.user_name, r.outcome) for r in saves] == [("旗管理员", "ok")] and len(trail("edition_draft")) == 1
