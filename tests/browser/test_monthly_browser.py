"""The monthly rhythm in a real browser (issue 12), at desktop and phone size: leadership opens
报送情况 for a month where six authorities reported (one late, one twice), one did not, and
two claimed the same asset — and sees who reported, the one not reported in red, the
conflict, and (the administrator) consolidates the month."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from conftest import COMMITTED_SAMPLE, PASSWORD
from dashboard import places, snapshots, store
from dashboard.monthly import submissions as M
from dashboard.store import accounts
from tests.browser.conftest import serving
from tests.browser.test_accounts_browser import SIZES, no_sideways_scroll, signed_in
from tests.browser.test_browser import assert_clean, settle, shot

DEPARTMENTS = ("农牧局", "水利局", "交通运输局")


def _at(day: str):
    moment = dt.datetime.fromisoformat(day) + dt.timedelta(hours=2)      # 10:00 Beijing
    return lambda: moment


@pytest.fixture(scope="module")
def month(tmp_path_factory, chromium_path):
    """A data folder with December 2024 submitted part by part; yields (url, data folder)."""
    from tests.test_monthly import moved_asset
    from dashboard import ledgers
    data_dir = tmp_path_factory.mktemp("monthly-var")
    before, clock = os.environ.get("ZCPH_DATA_DIR"), store.now
    os.environ["ZCPH_DATA_DIR"] = str(data_dir)
    store.dispose()
    try:
        accounts.add("旗管理员", "admin", PASSWORD)
        accounts.add("旗领导", "leader", PASSWORD)
        for d in DEPARTMENTS:
            accounts.add(d, "department", PASSWORD, department=d)
        for authority in (*places.TOWNS, *DEPARTMENTS):
            if authority == "昂素镇":
                continue                                                  # never reports
            store.now = _at("2024-12-28" if authority == "水利局" else "2024-12-18")
            M.submit("2024-12", authority, [COMMITTED_SAMPLE], by="旗管理员", progress=f"{authority}完成资产清查复核")
        path, _ = moved_asset(tmp_path_factory.mktemp("moved"), ledgers.load([COMMITTED_SAMPLE]))
        store.now = _at("2024-12-24")
        M.submit("2024-12", "城川镇", [path], by="城川镇", progress="补报：一项资产改由镇管护")
    finally:
        store.now = clock
        store.dispose()
        os.environ["ZCPH_DATA_DIR"] = before or ""
    with serving(data_dir, tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url, data_dir


def _open_december(page) -> str:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="月份").click()
    page.get_by_role("option", name="2024年12月").click()
    settle(page)
    return page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.parametrize("size", list(SIZES))
def test_leadership_sees_who_reported(month, browser, size):
    url, _ = month
    with signed_in(browser, url, "submissions", "旗领导", "报送情况", size) as page:
        text = _open_december(page)
        assert "应报7个单位，已报6个，1个逾期未报送" in text
        assert "1项资产被两个单位同时报送" in text                          # the conflict, kept out
        grid = page.locator('[data-testid="stDataFrame"]:visible').first
        grid.wait_for()
        # the grid draws on a canvas; its accessible table holds the cells of the columns in view
        grid.locator('td[role="gridcell"]').first.wait_for(state="attached")
        table = grid.evaluate("""g => Array.from(g.querySelectorAll('tbody tr')).map(
            tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent))""")
        rows = {r[0]: r[1] for r in table}                                       # 报送单位 → 状态
        assert rows["昂素镇"] == "逾期未报送" and rows["水利局"] == "逾期报送", rows
        assert rows["城川镇"] == "按时报送（重报1次）" and rows["农牧局"] == "按时报送", rows
        assert len(rows) == 7, rows
        assert page.get_by_role("button", name="汇总生成2024年12月快照").count() == 0   # leadership only reads
        assert_clean(page, f"报送情况 ({size})")
        if size == "phone":
            no_sideways_scroll(page, "报送情况")
        shot(page, f"submissions-{size}")


def test_the_administrator_consolidates_the_month(month, browser, monkeypatch):
    url, data_dir = month
    with signed_in(browser, url, "submissions", "旗管理员", "报送情况") as page:
        _open_december(page)
        # 昂素镇 has not reported: the button waits until the administrator has read what is
        # carried forward or missing and confirmed it (issue 19.1)
        assert page.get_by_role("button", name="汇总生成2024年12月快照").is_disabled()
        assert "昂素镇未报送" in page.locator('[data-testid="stMain"]').inner_text()
        page.get_by_text("已知晓上述单位未报送").click()
        settle(page)
        page.get_by_role("button", name="汇总生成2024年12月快照").click()
        settle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "已汇总2024年12月：6个单位的报送" in text, text[:500]
        assert_clean(page, "报送情况 after consolidation")
    monkeypatch.setenv("ZCPH_DATA_DIR", str(data_dir))
    store.dispose()
    try:
        assert snapshots.find("2024-12") is not None
    finally:
        store.dispose()


def test_leadership_signs_in_and_lands_on_the_month(month, browser, monkeypatch):
    """Issue 19.3: once a month is saved, a sign-in opens on it (labelled 汇总), not on the sample.
    The month is the one the test above consolidated in the browser; run alone, it is made here."""
    url, data_dir = month
    monkeypatch.setenv("ZCPH_DATA_DIR", str(data_dir))
    store.dispose()
    try:
        if snapshots.find("2024-12") is None:
            from dashboard.monthly import consolidate
            consolidate.consolidate("2024-12", by="旗管理员")
    finally:
        store.dispose()
    with signed_in(browser, url, "", "旗领导", "总览") as page:      # the address a leader opens
        picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="数据来源")
        shown = picker.evaluate("e => e.textContent + ' ' + Array.from(e.querySelectorAll('input')).map(i => i.value).join(' ')")
        assert "2024年12月（汇总）" in shown, shown
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "数据来源：2024年12月" in text and "示例数据" not in text, text[:300]
        assert_clean(page, "总览 after sign-in")
