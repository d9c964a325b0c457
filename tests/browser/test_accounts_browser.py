"""Accounts in a real browser, at desktop and phone size: a forwarded link signs in and lands
on its page, the session survives a reload (a SameSite=Strict cookie), an export holds only
the user's town and is audited, a report download is audited, signing out ends the session;
the 公示 page needs no sign-in and fits a phone."""
from __future__ import annotations

import contextlib
import csv
import io
import os

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
    finally:
        context.close()
