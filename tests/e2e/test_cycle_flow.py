"""A town's admin (a deployment without a 区: the town's own admin also reopens) closes
2024 from the report page on a phone: types the year, sees the frozen figures still
agree with the records, the report refusing edits, and reopens with a reason."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import exam_with_results, office_id
from yongxi_learn.org.models import Category, Role

pytestmark = pytest.mark.e2e


def test_admin_closes_the_year_on_a_phone_and_reopens_it_with_a_reason(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    phone, password = make_person(
        "平安法治办管理员", Category.OFFICIAL, "主任", role=Role.ADMIN, must_change_password=False
    )
    absent, _ = make_person("冉晓丽")
    sat, _ = make_person("陈建国", Category.OFFICIAL, "科员", unit_id=office_id(live_server.app))
    exam_with_results(live_server.app, absent, sat)

    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    page.goto(live_server.url("/admin/reports/"))
    page.get_by_label("年度").fill("2024")
    page.get_by_role("button", name="根据记录生成").click()
    expect(page.get_by_text("已根据记录生成第1稿")).to_be_visible()

    page.goto(live_server.url("/admin/reports/"))
    page.get_by_role("link", name="年度关账").click()
    page.get_by_label("年度", exact=True).fill("2024")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=1, name="雍溪镇2024年度关账")).to_be_visible()
    expect(page.get_by_text("未关账")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "1-before-close-360")

    page.get_by_label("请输入年度“2024”确认关账").fill("2024")
    page.get_by_role("button", name="关账", exact=True).click()
    expect(page.get_by_text("已关账：雍溪镇2024年度的数字和报告稿已存档")).to_be_visible()
    expect(page.get_by_text("与关账时一致")).to_be_visible()
    expect(page.locator("[data-rows=year-close]")).to_contain_text("参考率")
    assert_fits_phone(page)
    screenshot(page, "2-closed-360")

    page.get_by_role("link", name="第1稿").first.click()
    expect(page.get_by_text("2024年度已关账：存档的是第1稿")).to_be_visible()
    expect(page.get_by_role("button", name="保存为新的一稿")).to_have_count(0)
    page.go_back()

    page.get_by_label("原因（需更正的内容）").fill("补录一名漏签人员")
    page.get_by_role("button", name="重新开放").click()
    expect(page.get_by_text("已重新开放2024年度（雍溪镇）")).to_be_visible()
    expect(page.get_by_text("原因：补录一名漏签人员")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "3-reopened-360")
