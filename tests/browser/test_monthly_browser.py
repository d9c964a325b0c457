"""The monthly rhythm in a real browser (issue 12), at desktop and phone size: leadership opens
报送情况 for a month where six authorities reported (one late, one twice), one did not, and
two claimed the same asset — and sees who reported, the one not reported in red, the
conflict, and (the administrator) consolidates the month."""
from __future__ import annotations

import datetime as dt
import os
import re

import docx

import pytest

from conftest import COMMITTED_SAMPLE, PASSWORD
from dashboard import places, snapshots, store
from dashboard.monthly import submissions as M
from dashboard.store import accounts
from tests.browser.conftest import serving
from tests.browser.test_accounts_browser import SIZES, no_sideways_scroll, signed_in
from tests.browser.test_browser import assert_clean, settle, shot
from tests.test_supervision_pages import chuan_assets, principal_due

DEPARTMENTS = ("农牧局", "水利局", "交通运输局")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"



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
        books = ledgers.load([COMMITTED_SAMPLE])
        path, _ = moved_asset(tmp_path_factory.mktemp("moved"), books)
        principal_due(path, chuan_assets(books), {path: ()})    # two of 城川镇's own assets turn red in December
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


def _consolidated(data_dir, monkeypatch) -> None:
    """December as the administrator consolidated it above (made here when this test runs alone)."""
    monkeypatch.setenv("ZCPH_DATA_DIR", str(data_dir))
    store.dispose()
    if snapshots.find("2024-12") is None:
        from dashboard.monthly import consolidate
        consolidate.consolidate("2024-12", by="旗管理员")


def test_supervision_from_issue_to_signoff(month, browser, monkeypatch, tmp_path, sample_books):
    """Issue 23's done-means: the administrator issues 督办 for December's new red assets; 城川镇 sees
    the count, answers one with a PDF, signs it off (T1) once January no longer has it red and is
    refused for the one still red (answered 已整改 beforehand, off screen); leadership sees the
    overdue one in red on 督办 and in the dispatch."""
    from dashboard import ledgers
    from dashboard import supervision as S
    from dashboard.supervision import red
    url, data_dir = month
    cleared, still = chuan_assets(sample_books)
    _consolidated(data_dir, monkeypatch)
    try:
        accounts.get("城川镇") or accounts.add("城川镇", "town", PASSWORD, town="城川镇")
        # one 督办 issued on 2 January 2025 to 交通运输局: 30 days on, long overdue
        late = min(a.asset_id for a in red.month_red("2024-12").assets.values() if a.authority == "交通运输局")
        clock, store.now = store.now, _at("2025-01-02")
        try:
            S.issue("2024-12", S.Actor("旗管理员", "admin"), asset_ids=[late], write_documents=False)
        finally:
            store.now = clock
    finally:
        red.forget()
        store.dispose()

    with signed_in(browser, url, "supervision", "旗管理员", "督办") as page:
        page.get_by_role("tab", name="下发督办").click()
        settle(page)
        assert page.get_by_role("radio", name="本月新增红色预警全部").is_checked()
        page.get_by_text("已核对上述资产和责任单位，确认下发").click()
        settle(page)
        page.get_by_role("button", name="下发督办").click()
        settle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "已下发" in text and "（城川镇，2项）" in text, text[:600]
        with page.expect_download() as got:
            page.get_by_role("button", name=re.compile("城川镇 督办通知")).click()
        notice = docx.Document(got.value.path())
        cells = "".join(c.text for t in notice.tables for r in t.rows for c in r.cells)
        assert cleared in cells and still in cells and late not in cells, cells[:300]
        assert_clean(page, "督办 after issuing")

    # January: the 本金 of `cleared` came back, `still` owes it yet
    january = tmp_path / "2025-01.xlsx"
    principal_due(COMMITTED_SAMPLE, [cleared, still], {january: (cleared,)})
    monkeypatch.setenv("ZCPH_DATA_DIR", str(data_dir))
    store.dispose()
    try:
        ledgers.load([january]).save("2025-01", by="旗管理员")
        number = S.items(S.Actor("旗管理员", "admin"), check_latest=False, authority="城川镇")[0].number
        S.answer(number, still, S.Actor("城川镇", "town", town="城川镇"), "已约谈运营主体，督促归还本金", S.FIXED)
    finally:
        red.forget()
        store.dispose()

    with signed_in(browser, url, "inbox", "城川镇", "督办事项") as page:
        assert page.locator('[data-testid="stSidebarNav"] a', has_text="督办事项（2）").count() == 1
        box = page.locator('[data-testid="stExpander"]').filter(has_text=cleared).first
        box.get_by_label("整改措施").fill("本金已全额收回，收回凭证见附件")
        box.get_by_text("已整改（申请销号）").click()
        evidence = tmp_path / "收回凭证.pdf"
        evidence.write_bytes(PDF)
        box.locator('input[type="file"]').set_input_files(str(evidence))
        box.get_by_role("button", name="提交反馈").click()
        settle(page)
        assert "佐证材料1份" in page.locator('[data-testid="stMain"]').inner_text()
        page.locator('[data-testid="stExpander"]').filter(has_text=cleared).first \
            .get_by_role("button", name="销号（T1，本单位）").click()
        settle(page)
        assert f"资产{cleared}已销号" in page.locator('[data-testid="stMain"]').inner_text()
        assert page.locator('[data-testid="stSidebarNav"] a', has_text="督办事项（1）").count() == 1
        page.locator('[data-testid="stExpander"]').filter(has_text=still).first \
            .get_by_role("button", name="销号（T1，本单位）").click()
        settle(page)
        refused = page.locator('[data-testid="stAlertContentError"]').inner_text()
        assert "仍为红色预警" in refused and "R02" in refused and "2025年1月" in refused, refused
        shot(page, "supervision-inbox")

    with signed_in(browser, url, "supervision", "旗领导", "督办") as page:
        overdue = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"] span',
                               has_text="逾期未整改1项")
        assert overdue.count() == 1 and "rgb(" in overdue.first.evaluate("e => getComputedStyle(e).color")
        assert overdue.first.evaluate("e => getComputedStyle(e).color") != "rgb(49, 51, 63)"
        assert "交通运输局" in page.locator('[data-testid="stMain"]').inner_text()
        assert_clean(page, "督办 (leadership)")
        shot(page, "supervision-leader")
        page.locator('[data-testid="stSidebarNav"] a', has_text="报告").click()
        page.wait_for_selector('h1:has-text("报告")')
        settle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "督办办理情况" in text and "逾期未整改1项（交通运输局1项）" in text, text[:1500]
        assert_clean(page, "报告 with 督办办理情况")
