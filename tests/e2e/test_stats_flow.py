"""An admin opens the year's figures on a phone, drills down to a village's 未参考名单
and downloads it as XLSX."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE_WIDTH
from tests.e2e.helpers import exam_with_results, office_id
from yongxi_learn.org.models import Category, Role

pytestmark = pytest.mark.e2e


def test_admin_drills_down_to_absent_names_and_downloads_them(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot, tmp_path
):
    phone, password = make_person(
        "平安法治办管理员", Category.OFFICIAL, "主任", role=Role.ADMIN, must_change_password=False
    )
    absent, _ = make_person("冉晓丽")
    office = office_id(live_server.app)
    sat, _ = make_person("陈建国", Category.OFFICIAL, "科员", unit_id=office)
    exam_with_results(live_server.app, absent, sat)

    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    page.goto(live_server.url("/stats/"))
    expect(page.get_by_role("heading", name="2024年度统计：雍溪镇")).to_be_visible()
    exams = page.locator("#section-exams")
    chart = page.get_by_role("img", name="2024年度法治理论知识考试：各单位参考率、通过率")
    expect(chart).to_be_hidden()  # the figures first; the units open on demand
    exams.get_by_text("各单位情况").click()
    expect(chart).to_be_visible()
    # The rates come first, beside the unit's name, within the phone's width.
    for column in ("参考率", "通过率"):
        box = exams.get_by_role("columnheader", name=column, exact=True).bounding_box()
        assert box["x"] + box["width"] <= PHONE_WIDTH, (column, box)
    assert_fits_phone(page)
    screenshot(page, "1-overview")

    page.get_by_role("link", name="2024年度法治理论知识考试").click()
    expect(page.get_by_role("heading", name="成绩分布")).to_be_visible()
    expect(page.get_by_role("img", name="2024年度法治理论知识考试：最高成绩分布")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "2-exam")
    page.go_back()

    exams = page.locator("#section-exams")
    if not exams.get_by_role("link", name="石佛村", exact=True).is_visible():
        exams.get_by_text("各单位情况").click()
    exams.get_by_role("link", name="石佛村", exact=True).click()
    expect(page.get_by_role("heading", name="2024年度统计：石佛村")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="石佛村未参考名单：1人").first.click()
    expect(page.get_by_role("heading", name="未参考名单：石佛村")).to_be_visible()
    expect(page.get_by_role("cell", name="冉晓丽")).to_be_visible()
    expect(page.get_by_role("cell", name="陈建国")).to_have_count(0)
    assert_fits_phone(page)
    screenshot(page, "3-absent")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename == "2024年度法治理论知识考试-石佛村-未参考名单.xlsx"
    target = tmp_path / "absent.xlsx"
    download.value.save_as(target)
    book = load_workbook(target)
    assert book.sheetnames == ["汇总", "明细"]
    names = [row[1] for row in book["明细"].iter_rows(min_row=5, values_only=True)]
    assert names == ["冉晓丽"]


def test_wide_screen_dashboard_shows_the_key_figures_on_the_first_screen(
    browser, live_server, make_person, log_in
):
    phone, password = make_person(
        "平安法治办管理员", Category.OFFICIAL, "主任", role=Role.ADMIN, must_change_password=False
    )
    absent, _ = make_person("冉晓丽")
    sat, _ = make_person("陈建国", Category.OFFICIAL, "科员", unit_id=office_id(live_server.app))
    exam_with_results(live_server.app, absent, sat)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server.url("/login"))
        log_in(page, phone, password)
        page.goto(live_server.url("/stats/?year=2024"))
        exams = page.locator("#section-exams")
        for figure in ("参考率", "通过率"):
            box = exams.locator("dt", has_text=figure).first.bounding_box()
            assert box["y"] + box["height"] <= 800, (figure, box)
        # The training figures sit beside the study figures, not under them.
        training = page.locator("#section-training").bounding_box()
        study = page.locator("#section-study").bounding_box()
        assert training["y"] == study["y"], (training, study)
        expect(
            page.get_by_role("img", name="2024年度法治理论知识考试：各单位参考率、通过率")
        ).to_be_hidden()
    finally:
        context.close()


def test_record_on_a_phone_shows_the_score_without_sideways_scrolling(
    live_server, make_person, page, log_in, assert_fits_phone
):
    absent, _ = make_person("冉晓丽")
    sat, password = make_person(
        "陈建国",
        Category.OFFICIAL,
        "科员",
        unit_id=office_id(live_server.app),
        must_change_password=False,
    )
    exam_with_results(live_server.app, absent, sat)
    page.goto(live_server.url("/login"))
    log_in(page, sat, password)
    page.goto(live_server.url("/record?year=2024"))
    row = page.get_by_role("row").filter(has_text="2024年度法治理论知识考试")
    score = row.get_by_role("cell", name="88")
    expect(score).to_be_visible()
    box = score.bounding_box()
    assert box["x"] + box["width"] <= PHONE_WIDTH, box
    assert_fits_phone(page)
