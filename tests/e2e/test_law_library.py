"""On a phone: an admin pastes a law, checks the preview and saves it; a village
cadre finds an article by its text and reads it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.laws.law_fixtures import LAW_TEXT
from yongxi_learn.org.models import Category, Role

pytestmark = pytest.mark.e2e


def test_admin_imports_a_law_and_a_cadre_reads_it(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    phone, password = make_person(
        "平安法治办管理员", Category.OFFICIAL, "主任", role=Role.ADMIN, must_change_password=False
    )
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    page.goto(live_server.url("/laws/import"))
    expect(page.get_by_role("heading", name="导入法规")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_label("法规名称").fill("中华人民共和国示例管理法")
    page.get_by_label("粘贴法规全文").fill(LAW_TEXT)
    page.get_by_role("button", name="识别并预览").click()

    # A loaded shared machine can take a while over the first POST; the parse is quick.
    expect(page.get_by_text("识别出 5 个标题、7 条")).to_be_visible(timeout=TIMEOUT_MS)
    assert_fits_phone(page)
    screenshot(page, "1-preview")
    page.get_by_role("button", name="确认保存").click()
    saved = page.get_by_text("已保存《中华人民共和国示例管理法》，共7条")
    expect(saved).to_be_visible(timeout=TIMEOUT_MS)

    page.context.clear_cookies()
    phone, password = make_person("冉晓丽", must_change_password=False)
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    page.goto(live_server.url("/laws/"))
    page.get_by_label("查找").fill("应当公开")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("mark", has_text="应当公开")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="《中华人民共和国示例管理法》第十条之一").click()
    expect(page.get_by_role("heading", name="第一节 一般规定")).to_be_visible()
    expect(page.locator(".law-article:target")).to_contain_text("示例管理应当公开。")
    assert_fits_phone(page)
    screenshot(page, "2-law")
