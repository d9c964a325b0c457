"""Text from a ledger or a user is text (issue 19 item 9), in a real browser.

One server whose data folder holds a saved month in which every text column of every sheet
carries a Markdown image, an <img onerror> tag, a javascript: link and an Excel formula
(tests/hostile_text.py), an import profile and an administrator named with such payloads.
Signed in as that administrator, every page of the navigation is visited: no request leaves
127.0.0.1 (the payloads point at 127.0.0.2), no dialog opens, no link or image is made of a
payload, and the payloads read literally where the pages write ledger text.

Then a download button drawn before its account was disabled: the file it served before is
refused after (403), and a click on it builds nothing."""
from __future__ import annotations

import os
import time
from urllib.parse import urlparse

import pytest

from conftest import PASSWORD, sample_path
from dashboard import store
from dashboard.ingest import wizard
from dashboard.safe import WORD_JOINER
from dashboard.store import accounts, audit, settings
from fixtures_messy import assets_xlsx
from hostile_text import ACCOUNT_NAME, OUTSIDE, PROFILE_NAME, SUFFIX, payload_books
from tests.browser.conftest import serving
from tests.browser.test_browser import assert_clean, nav_links, settle, shot

EXPORTER = "导出员"
LOCAL = ("127.0.0.1", "localhost")
# a link or an image the page made of a payload (a javascript: link, an address on 127.0.0.2)
MADE_OF_PAYLOAD = f"""() => Array.from(document.querySelectorAll('a[href], img[src], image, iframe[src]'))
    .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('xlink:href') || '')
    .filter(u => u.includes('{OUTSIDE}') || u.trim().toLowerCase().startsWith('javascript'))"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, chromium_path):
    """(url, data folder) of a server over the payload month, published on 公示."""
    data_dir = tmp_path_factory.mktemp("hostile-var")
    before = os.environ.get("ZCPH_DATA_DIR")
    os.environ["ZCPH_DATA_DIR"] = str(data_dir)
    store.dispose()
    try:
        accounts.add(ACCOUNT_NAME, "admin", PASSWORD)
        accounts.add(EXPORTER, "admin", PASSWORD)
        wizard.save(PROFILE_NAME, wizard.toml_text(PROFILE_NAME, [{"match": "不存在的工作表", "kind": "skip"}]),
                    None, ACCOUNT_NAME)
        payload_books(str(sample_path())).save("2024-12", by=ACCOUNT_NAME)
        settings.publish("2024-12", ACCOUNT_NAME)
    finally:
        store.dispose()
        os.environ["ZCPH_DATA_DIR"] = before or ""
    with serving(data_dir, tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url, data_dir


def watched(browser):
    """A page that records every request leaving 127.0.0.1 and every dialog (alert, confirm)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.outside, page.dialogs = [], []
    page.on("request", lambda r: page.outside.append(r.url)
            if urlparse(r.url).scheme in ("http", "https", "ws", "wss") and urlparse(r.url).hostname not in LOCAL
            else None)
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    return context, page


def sign_in(page, url: str, name: str, path: str = "") -> None:
    page.goto(f"{url}/{path}")
    settle(page)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    settle(page)


def clean(page, where: str) -> None:
    assert_clean(page, where)
    assert not page.outside, f"{where}: requests left 127.0.0.1: {page.outside}"
    assert not page.dialogs, f"{where}: a dialog opened: {page.dialogs}"
    made = page.evaluate(MADE_OF_PAYLOAD)
    assert not made, f"{where}: links or images made of a payload: {made}"


def text_of(page, testid: str = "stMain") -> str:
    """What the reader sees (an address written out carries an invisible word joiner: safe.md)."""
    return page.locator(f'[data-testid="{testid}"]').inner_text().replace(WORD_JOINER, "")


def test_every_page_shows_payloads_as_text(hostile, browser, tmp_path):
    url, _ = hostile
    context, page = watched(browser)
    try:
        sign_in(page, url, ACCOUNT_NAME)
        sidebar = text_of(page, "stSidebar")
        assert ACCOUNT_NAME in sidebar, sidebar[:300]            # the name as typed, not bold, no image
        links = nav_links(page)
        assert len(links) >= 12, links
        for href, title in links:
            page.goto(href)
            settle(page)
            clean(page, title)
        shot(page, "hostile-last-page")

        # The heatmap's list by town (expander titles) and its drill-down (a heading, bold names,
        # one sentence per rule) write towns, villages and asset names: literally.
        page.goto(next(h for h, t in links if t == "预警热力图"))
        settle(page, charts=True)
        text = text_of(page)
        assert f"镇{SUFFIX}：红色预警规则" in text, text[:2000]
        assert f"镇{SUFFIX} · " in text                       # the drill-down's heading
        assert f'=HYPERLINK("http://{OUTSIDE}:9/z")' in text    # an asset name, as written
        clean(page, "heatmap")
        shot(page, "hostile-heatmap")

        # One asset's record: its heading and the sentences of its rules.
        asset_id = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"] strong').first \
            .inner_text().split(" ", 1)[0] + SUFFIX
        page.goto(next(h for h, t in links if t == "资产台账"))
        settle(page)
        page.get_by_label("资产详情：点击表格中的一行，或输入资产编号").fill(asset_id)
        page.keyboard.press("Enter")
        page.get_by_role("tab", name="预警与标记").wait_for()
        settle(page)
        assert asset_id in text_of(page)
        clean(page, "ledger detail")

        # An upload shows the saved import profiles by name.
        page.goto(next(h for h, t in links if t == "数据上传"))
        settle(page)
        page.set_input_files('[data-testid="stFileUploader"] input[type="file"]',
                             str(assets_xlsx(tmp_path / "镇台账.xlsx")))
        page.get_by_text("导入概况").wait_for()
        settle(page)
        if PROFILE_NAME not in text_of(page):                 # the mapping step is folded
            page.get_by_text("指定工作表类型和列的对应关系（导入方案）").click()
            settle(page)
        assert PROFILE_NAME in text_of(page)
        clean(page, "upload")
        shot(page, "hostile-upload")
    finally:
        context.close()


def test_a_download_drawn_before_disabling_serves_nothing_after(hostile, browser, monkeypatch):
    url, data_dir = hostile
    context, page = watched(browser)
    try:
        sign_in(page, url, EXPORTER, "ledger")
        page.wait_for_selector('h1:has-text("资产台账")')
        with page.expect_download() as first:
            page.get_by_role("button", name="导出 CSV").click()
        address = first.value.url
        assert urlparse(address).path.startswith("/media/"), address
        assert page.request.get(address).status == 200          # served while the session is live

        monkeypatch.setenv("ZCPH_DATA_DIR", str(data_dir))
        store.dispose()
        accounts.set_disabled(EXPORTER, True)
        store.dispose()

        again = page.request.get(address)
        assert again.status == 403, again.status                 # the file's address serves nothing now
        exports = len(audit.rows(user=EXPORTER, action="export"))
        downloads = []
        page.on("download", lambda d: downloads.append(d))
        page.get_by_role("button", name="导出 CSV").click()      # drawn before: builds nothing now
        time.sleep(4)
        assert not downloads, [d.url for d in downloads]
        assert len(audit.rows(user=EXPORTER, action="export")) == exports   # no file was even made
        store.dispose()
    finally:
        context.close()
