"""Every page at phone size (390×844) in a real browser: the page itself never scrolls
sideways (wide tables scroll inside their own box), no request leaves 127.0.0.1, and no
empty value reads None/nan/NaT/<NA>.  Screenshots land in artifacts/screenshots/phone-*.png."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_browser import assert_clean, nav_links, settle

PHONE = {"width": 390, "height": 844}
# Words a user may read (issue 13); on the SQL page also its keywords and table and column names.
ALLOWED = {"excel", "word", "sql", "xlsx", "xls", "csv", "docx", "pdf"}
VISIBLE_TEXT = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.querySelector('[data-testid="stApp"]'), NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const el = walk.currentNode.parentElement;
    if (!el || el.closest('[data-testid="stIconMaterial"]')) continue;      // an icon's ligature name
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden' || parseFloat(st.fontSize) === 0) continue;
    if (st.fontFamily.includes('Material')) continue;                        // an icon font's glyph
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;                             // visually hidden (skip link)
    out.push(walk.currentNode.textContent);
  }
  return out.join(' ');
}"""


def english_words(page, sql_page: bool = False) -> set[str]:
    # a word, not a code or an ID (DP1, PC2024-103-002 are data, not English)
    words = set(re.findall(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z_]+(?![A-Za-z0-9_])", page.evaluate(VISIBLE_TEXT)))
    if sql_page:      # keywords (upper case) and identifiers (lower case with _) are the page's subject
        words = {w for w in words if not (w.isupper() or re.fullmatch(r"[a-z_]+", w))}
    return {w for w in words if w.lower() not in ALLOWED}
EMPTY_WORDS = re.compile(r"(?<![A-Za-z])(None|nan|NaT|<NA>)(?![A-Za-z])")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    outside: list[str] = []
    pg.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None)
          and not r.url.startswith(("data:", "blob:")) else None)
    pg.outside = outside
    yield pg
    context.close()


def test_every_page_fits_a_phone(server, phone):
    phone.goto(server)
    settle(phone)
    links = nav_links(phone) or _links_from_menu(phone)
    assert links, "no navigation links found"
    for href, title in links:
        phone.goto(href)
        settle(phone)
        assert_clean(phone, title)
        width = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] + 1, f"{title}: the page scrolls sideways ({width[0]} > {width[1]})"
        text = phone.locator('[data-testid="stMain"]').inner_text()
        assert not EMPTY_WORDS.search(text), f"{title}: {EMPTY_WORDS.search(text).group(0)} shown"
        assert not english_words(phone, href.rstrip("/").endswith("/sql")), f"{title}: English shown"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SCREENSHOTS / f"phone-{urlparse(href).path.strip('/') or 'home'}.png"),
                         full_page=True)
    assert not phone.outside, f"requests left 127.0.0.1: {phone.outside[:5]}"


def _links_from_menu(page) -> list[tuple[str, str]]:
    """On a phone the sidebar is collapsed: open it to read the navigation."""
    page.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button').first.click()
    settle(page)
    return nav_links(page)


def test_a_towns_red_assets_and_why_in_one_tap(server, phone):
    """总览 → tap a town's bar: its red and yellow assets, each with its reason (≤ 2 taps)."""
    phone.goto(server)
    settle(phone, charts=True)
    bars = phone.locator('[data-testid="stPlotlyChart"] .barlayer .point path')
    assert bars.count() > 0
    bars.first.scroll_into_view_if_needed()
    box = bars.first.bounding_box()
    phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    heading = phone.locator("h4", has_text="红色和黄色预警")
    heading.wait_for()
    settle(phone)
    main = phone.locator('[data-testid="stMain"]').inner_text()
    assert re.search(r"[RY]\d\d \S+：.+。", main), main[-800:]
    assert_clean(phone, "overview tap")
    phone.screenshot(path=str(SCREENSHOTS / "phone-overview-town.png"))


def test_heatmap_on_a_phone_drills_down_by_tap(server, phone):
    """预警热力图 at phone size: the list by town — a town, then a rule — opens its assets."""
    phone.goto(server.rstrip("/") + "/heatmap")
    settle(phone, charts=True)
    phone.locator('[data-testid="stExpander"] summary', has_text="红色预警规则").first.click()
    button = phone.locator('[data-testid="stExpander"] button', has_text="项").first
    label = button.inner_text().split(" · ")[0]
    button.click()
    phone.locator("h4", has_text=label).wait_for()
    settle(phone)
    main = phone.locator('[data-testid="stMain"]').inner_text()
    assert re.search(label + r"：.+。", main), main[-600:]
    assert_clean(phone, "heatmap tap")
    phone.screenshot(path=str(SCREENSHOTS / "phone-heatmap-tap.png"))
