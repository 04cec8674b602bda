"""An admin imports people from XLSX on a phone: a bad row is reported, fixed, imported."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from yongxi_learn.org.models import Category, Role

pytestmark = pytest.mark.e2e


def _fill(template_path, target, rows):
    book = load_workbook(template_path)
    sheet = book["人员"]
    for row in rows:
        sheet.append(row)
    book.save(target)


def test_admin_fixes_a_bad_row_and_imports(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot, tmp_path
):
    phone, password = make_person(
        "平安法治办管理员", Category.OFFICIAL, "主任", role=Role.ADMIN, must_change_password=False
    )
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    page.goto(live_server.url("/admin/people/import/"))
    expect(page.get_by_role("heading", name="批量导入人员")).to_be_visible()
    assert_fits_phone(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    rows = [
        ["刘德华", "13811112222", "石佛村", "村(社区)两委干部", "委员"],
        ["覃海燕", "1381111333", "石佛村", "法律明白人", "法律明白人"],
        ["曾志明", "+86 138 1111 4444", "石佛村", "村(社区)两委干部", "文书"],
    ]
    bad = tmp_path / "people-bad.xlsx"
    _fill(template, bad, rows)
    page.get_by_label("填好的人员表（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_role("heading", name="导入预览")).to_be_visible()
    expect(page.get_by_text("没有导入任何数据")).to_be_visible()
    expect(page.get_by_role("alert").get_by_text(re.compile(r"第3行「手机号」："))).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert_fits_phone(page)
    screenshot(page, "1-preview-with-error")

    rows[1][1] = "13811113333"
    good = tmp_path / "people-good.xlsx"
    _fill(template, good, rows)
    page.get_by_role("link", name="重新上传").first.click()
    page.get_by_label("填好的人员表（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_text("将新增 3 人，更新 0 人，错误 0 行")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_role("heading", name="导入完成")).to_be_visible()
    expect(page.get_by_text("已新增 3 人，更新 0 人。")).to_be_visible()
    expect(page.locator("td.secret")).to_have_count(3)
    screenshot(page, "2-done")

    page.goto(live_server.url("/admin/people?q=石佛村"))
    names = page.locator("tbody tr td:first-child").all_inner_texts()
    # Pinyin order with surname readings: 覃 qin, 刘 liu, 曾 zeng.
    assert [n for n in names if n in {"刘德华", "覃海燕", "曾志明"}] == [
        "刘德华",
        "覃海燕",
        "曾志明",
    ]
