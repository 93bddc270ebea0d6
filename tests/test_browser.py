"""The storefront and the admin page in a real browser (Debian's Chromium via Playwright).

`make test` installs Debian's chromium when it is missing (scripts/browser-deps.sh);
Playwright's own browser download is never used. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from api_helpers import served
from shopsense.app.demo import DEMO_ITEM, DEMO_USER, ingest_demo_events
from shopsense.app.services import Services
from shopsense.app.settings import Settings

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
    """`shopsense serve` on the demo store (indexes built, demo events in the log, the
    store-wide quality check run for the report's duplicate clusters), open access."""
    db, data_dir = demo_search_store
    svc = Services.from_settings(Settings(db=db, data_dir=data_dir))
    try:
        ingest_demo_events(svc)
        svc.quality_check()
    finally:
        svc.close()
    env = {
        "SHOPSENSE_DB": db,
        "SHOPSENSE_DATA_DIR": str(data_dir),
        "SHOPSENSE_DEMO_USER": DEMO_USER,
    }
    with served(["serve", "--open-access"], env) as (url, _):
        # open the search indexes, fit the recommender and build the image index once, so
        # no page waits on them inside a browser timeout on a loaded machine
        for path in ("/", "/?q=running+shoes", f"/product/{DEMO_ITEM}", "/admin/quality"):
            assert httpx.get(url + path, timeout=600).status_code == 200
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
    # generous: CI shares 2 cores with other jobs; these are waits, not speed assertions
    p.set_default_timeout(90_000)
    expect.set_options(timeout=30_000)
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


def test_the_storefront_says_how_it_read_the_query(server: str, page: Page) -> None:
    page.goto(server + "/")
    page.fill("input[name=q]", "backpack under 50")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=backpack+under+50*")
    read = page.locator("#understood li")
    expect(read.first).to_be_attached()
    lines = read.all_inner_texts()
    said = "only products at price ≤ 50, in any currency (CNY/USD as written)"
    assert f"“under 50” → price -50: {said}" in lines
    shown = page.locator("#results .card .price").all_inner_texts()  # "USD 19.99" + struck price
    prices = [float(re.findall(r"\d+\.\d\d", t)[0]) for t in shown]
    assert prices and max(prices) <= 50
    narrowed = int(page.locator("#total").inner_text().split()[0])
    _shot(page, "01c-understood")
    page.locator("#literal").click()  # the words as typed: no price filter, no "read as"
    page.wait_for_url("**literal=True*")
    expect(page.locator("#understood")).to_have_count(0)
    assert int(page.locator("#total").inner_text().split()[0]) > narrowed


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


def test_product_page_shows_recommendations_with_their_reasons(server: str, page: Page) -> None:
    page.goto(f"{server}/product/{DEMO_ITEM}")
    similar = page.locator("#similar .card")
    expect(similar.first).to_be_visible()
    # the evidence it shares with the item: its shoppers, its title or photo, its category
    reason = similar.first.locator(".why-reason")
    expect(reason).to_contain_text(re.compile(r"viewed by the same shoppers|similar (title|photo)"))
    together = page.locator("#bought-together .card")
    # the demo's pairs are category rules, and say so (not "often bought with" this item)
    expect(together.first.locator(".why-reason")).to_contain_text(
        "shoppers who buy Running Shoes often add"
    )
    _shot(page, "05-product-recommendations")
    title = similar.first.locator("a.title").inner_text()
    similar.first.locator("a.title").click()
    expect(page.locator("#product h1")).to_have_text(title)


def test_storefront_shows_the_demo_users_for_you_strip(server: str, page: Page) -> None:
    page.goto(server + "/")
    cards = page.locator("#for-you .card")
    expect(cards.first).to_be_visible()
    expect(page.locator("#for-you h2")).to_contain_text(DEMO_USER)
    reasons = cards.locator(".why-reason").all_inner_texts()
    assert reasons and all(r.strip() for r in reasons)
    _shot(page, "06-for-you")


def test_admin_page_shows_the_quality_report(server: str, page: Page) -> None:
    page.goto(server + "/admin")
    report = page.frame_locator("#quality-report")
    expect(report.locator("h1")).to_have_text("shopsense catalogue quality")
    expect(report.locator("h2", has_text="Duplicate clusters")).to_be_visible()
    expect(report.locator(".cluster").first).to_be_visible()
    _shot(page, "07-admin-quality")
