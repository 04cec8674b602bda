"""The header on a phone is one line with a 菜单 that opens; on a wide screen its links sit
in the bar. The home page's links are a fingertip tall and 练习 is one tap from the menu."""

import pytest
from playwright.sync_api import expect

from yongxi_learn.org.models import Category, Role

pytestmark = pytest.mark.e2e

HEADER_MAX = 64  # px of a 640 px screen: the page, not the menu, fills the first screen


def _header_height(page) -> float:
    return page.locator("header.topbar").bounding_box()["height"]


def test_admin_header_is_one_line_on_a_phone_and_its_menu_opens(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    phone, password = make_person(
        "平安法治办管理员", Category.OFFICIAL, "主任", role=Role.ADMIN, must_change_password=False
    )
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    expect(page.get_by_role("heading", name="我的学习")).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav).to_be_hidden()
    assert _header_height(page) <= HEADER_MAX
    assert_fits_phone(page)

    page.get_by_text("菜单", exact=True).click()
    expect(nav.get_by_role("link", name="统计")).to_be_visible()
    expect(nav.get_by_role("link", name="日志")).to_be_visible()
    assert _header_height(page) <= HEADER_MAX  # the menu opens over the page
    assert_fits_phone(page)
    screenshot(page, "menu-open")

    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()


def test_learner_reaches_practice_from_the_menu(
    live_server, make_person, page, log_in, assert_fits_phone
):
    phone, password = make_person(must_change_password=False)
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    assert _header_height(page) <= HEADER_MAX
    page.get_by_text("菜单", exact=True).click()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="统计")).to_have_count(0)
    nav.get_by_role("link", name="练习", exact=True).click()
    expect(page.get_by_role("heading", name="练习", exact=True)).to_be_visible()
    expect(nav).to_be_hidden()  # a new page starts with the menu closed
    assert_fits_phone(page)


def test_home_page_links_are_a_fingertip_tall(live_server, make_person, page, log_in):
    phone, password = make_person(must_change_password=False)
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    links = page.locator("main .links a")
    expect(links.filter(has_text="练习")).to_be_visible()
    heights = [box["height"] for box in (a.bounding_box() for a in links.all())]
    assert heights and min(heights) >= 44, heights


def test_law_search_leaves_room_for_the_list_on_a_phone(
    live_server, make_person, page, log_in, assert_fits_phone
):
    phone, password = make_person(must_change_password=False)
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    page.goto(live_server.url("/laws/"))
    form = page.get_by_role("search")
    expect(form.get_by_label("查找")).to_be_visible()
    box = form.bounding_box()
    assert box["y"] + box["height"] <= 320, box  # the first half of a 640 px screen
    assert_fits_phone(page)


def test_wide_screen_shows_the_links_in_the_bar(browser, live_server, make_person, log_in):
    phone, password = make_person(
        "平安法治办管理员", Category.OFFICIAL, "主任", role=Role.ADMIN, must_change_password=False
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server.url("/login"))
        log_in(page, phone, password)
        nav = page.get_by_role("navigation", name="主导航")
        expect(nav.get_by_role("link", name="统计")).to_be_visible()
        expect(page.get_by_text("菜单", exact=True)).to_be_hidden()
        expect(page.get_by_role("button", name="长辈模式")).to_be_visible()  # on the line too
        assert _header_height(page) <= HEADER_MAX
    finally:
        context.close()
