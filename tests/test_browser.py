"""The storefront and the admin page in a real browser (Debian's Chromium via Playwright).

`make test` installs Debian's chromium when it is missing (scripts/browser-deps.sh);
Playwright's own browser download is never used. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from api_helpers import served
from shopsense.app.demo import DEMO_USER

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server(demo_search_store: tuple[str, Path]) -> Iterator[str]:
    """`shopsense serve` on the demo store (indexes built), open access, loopback."""
    db, data_dir = demo_search_store
    env = {
        "SHOPSENSE_DB": db,
        "SHOPSENSE_DATA_DIR": str(data_dir),
        "SHOPSENSE_DEMO_USER": DEMO_USER,
    }
    with served(["serve", "--open-access"], env) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "run scripts/browser-deps.sh (make test does) first"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(20_000)
    try:
        yield p
    finally:
        context.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_storefront_search_and_open_a_product(server: str, page: Page) -> None:
    page.goto(server + "/")
    expect(page.locator("#results .card").first).to_be_visible()
    page.locator("input[name=q]").press_sequentially("runn", delay=30)
    options = page.locator("#suggestions option")
    expect(options.first).to_be_attached()
    assert any(
        "running" in (v or "").lower() for v in options.evaluate_all("els => els.map(e => e.value)")
    )
    page.fill("input[name=q]", "running shoes")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=running+shoes*")
    cards = page.locator("#results .card")
    expect(cards.first).to_be_visible()
    assert "running" in cards.first.locator("a.title").inner_text().lower()
    why = cards.first.locator("details.why")
    why.locator("summary").click()
    expect(why.locator("li").first).to_contain_text("matched")
    _shot(page, "01-search")
    nike = page.locator('ul[data-facet="brand"] a', has_text="Nike").first
    expected = int(nike.locator("span").nth(1).inner_text())
    nike.click()
    page.wait_for_url("**brand=Nike*")
    expect(page.locator("#total")).to_have_text(f"{expected} products")
    brands = page.locator("#results .card .brand").all_inner_texts()
    assert brands and set(brands) == {"Nike"}
    _shot(page, "01b-facet-nike")
    first_title = cards.first.locator("a.title").inner_text()
    cards.first.locator("a.title").click()
    expect(page.locator("#product h1")).to_have_text(first_title)
    img = page.locator("#product img.main")
    expect(img).to_be_visible()
    assert page.evaluate("document.querySelector('#product img.main').naturalWidth") > 0
    _shot(page, "02-product")


def test_chinese_text_renders(server: str, page: Page) -> None:
    page.goto(server + "/product/P0010")
    expect(page.locator("#product h1")).to_have_text("耐克 男子 Air Zoom Pegasus 41 跑步鞋 黑色")
    assert page.evaluate("document.characterSet") == "UTF-8"
    _shot(page, "03-product-zh")


def test_admin_report_and_quarantine_filter(server: str, page: Page) -> None:
    page.goto(server + "/admin")
    expect(page.locator("#quarantine-rows tr")).to_have_count(5)  # header + 4 rows
    page.select_option("select[name=reason]", "negative_price")
    page.click("#quarantine button[type=submit]")
    page.wait_for_url("**reason=negative_price*")
    rows = page.locator("#quarantine-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("negative_price")
    _shot(page, "04-admin")
