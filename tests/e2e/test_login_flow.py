"""A village cadre's first login on a phone, through the real forms."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Shifo2024cun"


@pytest.mark.parametrize("user_agent", ["wechat"], indirect=True)
def test_village_cadre_changes_initial_password_then_sees_home(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    phone, initial_password = make_person()

    page.goto(live_server.url("/"))
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "1-login")

    log_in(page, phone, initial_password)
    expect(page).to_have_url(re.compile(r"/password$"))
    expect(page.get_by_text("请先设置您自己的密码")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "2-change-password")

    page.get_by_label("当前密码（初始密码）", exact=True).fill(initial_password)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()

    expect(page).to_have_url(live_server.url("/"))
    expect(page.get_by_role("heading", name="我的学习")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("密码已修改")
    expect(page.get_by_text("冉晓丽，石佛村")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "3-home")

    # The new password is the one that works from now on, with no detour.
    page.goto(live_server.url("/profile"))
    page.get_by_role("button", name="退出登录").click()
    log_in(page, phone, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="我的学习")).to_be_visible()
