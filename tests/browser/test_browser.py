"""The app in a real browser: upload a workbook, visit every page of the navigation,
click a heatmap cell; no Streamlit exception box or error text anywhere.
Screenshots of each page land in artifacts/screenshots/ (git-ignored)."""
from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest

from fixtures_messy import assets_xlsx
from tests.browser.conftest import SCREENSHOTS

READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ERROR_TEXT = ("内部错误", "Traceback", "StreamlitAPIException", "数据载入失败")


def settle(page, charts: bool = False) -> None:
    """Wait until the script finished and nothing is running (twice: reruns chain)."""
    for _ in range(2):
        time.sleep(0.4)
        page.wait_for_selector(READY, state="attached")
        page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')")
    if charts:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', state="attached")


def assert_clean(page, where: str) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{where}: {boxes.first.inner_text()}"
    text = page.locator('[data-testid="stMain"]').inner_text()
    for bad in ERROR_TEXT:
        assert bad not in text, f"{where}: {bad} in page"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def nav_links(page) -> list[tuple[str, str]]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [(links.nth(i).get_attribute("href"), links.nth(i).inner_text().strip().split("\n")[-1].strip())
            for i in range(links.count())]


def click_heatmap_cell(page) -> str:
    """Click the invisible point over the last non-empty red cell (the drill-down starts on
    the first), returns 'town · rule'."""
    target = page.evaluate("""() => {
        const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
        const heat = gd.data[0];
        let last = null;
        for (let i = 0; i < heat.y.length; i++)
            for (let j = 0; j < heat.x.length; j++)
                if (heat.z[i][j] > 0) last = {index: i * heat.x.length + j, town: heat.y[i], rule: heat.x[j]};
        return last; }""")
    assert target, "the sample has no red warning to click"
    point = page.locator('[data-testid="stPlotlyChart"]').first.locator(".scatterlayer .trace").first \
        .locator("path.point").nth(target["index"])
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return f"{target['town']} · {target['rule']}"


def test_pages_upload_and_heatmap(server, page, tmp_path):
    page.goto(server)
    settle(page, charts=True)
    assert_clean(page, "start")
    assert "资产盘活驾驶舱" in page.title()
    assert urlparse(page.url).path.rstrip("/").endswith("/overview")     # the root sends on to 总览
    assert page.locator("h1").first.inner_text().strip() == "总览"
    # 演示模式 is said at length in the open sidebar; the page's own line shows only when it is folded
    assert page.locator('[data-testid="stSidebar"]').get_by_text("演示模式").first.is_visible()
    assert not page.locator(".st-key-demo_notice").is_visible()
    links = nav_links(page)
    titles = [t for _, t in links]
    for required in ("总览", "预警热力图", "资产台账", "数据上传"):
        assert required in titles

    # Upload a messy workbook; its rejected rows are reported; demo mode looks at it without
    # saving it (saving a month is the administrator's: test_accounts_browser.py signs in).
    page.goto(next(h for h, t in links if t == "数据上传"))
    settle(page)
    page.set_input_files('[data-testid="stFileUploader"] input[type="file"]', str(assets_xlsx(tmp_path / "镇台账.xlsx")))
    page.get_by_text("导入概况").wait_for()
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert re.search(r"未载入[1-9]\d*行", main), main
    assert_clean(page, "upload")
    shot(page, "upload-report")
    assert page.get_by_role("button", name=re.compile("快照并查看")).count() == 0
    assert "演示模式" in main
    page.get_by_role("button", name=re.compile("在各页查看本次上传")).click()
    settle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="总览").click()     # same session
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "数据来源：上传：镇台账.xlsx" in main, main[:300]          # the header line names the upload

    # Back to the sample, then every page the navigation lists.
    page.goto(server)
    settle(page)
    for href, title in nav_links(page):
        page.goto(href)
        settle(page)
        assert_clean(page, title)
        assert page.locator("h1").first.inner_text().strip() == title
        from tests.browser.test_phone import english_words
        assert not english_words(page, href.rstrip("/").endswith("/sql")), f"{title}: English shown"
        shot(page, urlparse(href).path.strip("/") or "home")

    # The heatmap: a cell click lists its assets with one sentence per rule.
    page.goto(next(h for h, t in links if t == "预警热力图"))
    settle(page, charts=True)
    from tests.browser.test_phone import HEATMAP_GRID_SHOWN
    assert page.evaluate(HEATMAP_GRID_SHOWN), "the heatmap is not shown on a desktop"
    picked = click_heatmap_cell(page)
    page.locator("h4", has_text=f"{picked} ").wait_for()
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert re.search(picked.split(" · ")[1] + r" .+。", main), main
    assert_clean(page, "heatmap click")
    shot(page, "heatmap-click")

    # One listed asset's whole record in the ledger.
    asset_id = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"] strong').first.inner_text().split()[0]
    page.goto(next(h for h, t in links if t == "资产台账"))
    settle(page)
    page.get_by_label(re.compile("资产详情")).fill(asset_id)
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="预警与标记").wait_for()
    settle(page)
    assert picked.split(" · ")[1] in page.locator('[data-testid="stMain"]').inner_text()
    assert_clean(page, "ledger detail")
    shot(page, "ledger-detail")


@pytest.fixture(autouse=True)
def _print_where_screenshots_are():
    yield
    print(f"screenshots: {SCREENSHOTS}")
