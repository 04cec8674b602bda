"""An admin drafts the 2024 report section for 雍溪镇 from the records, edits a
sentence, saves it, opens the list behind a figure and downloads the .docx."""

import io
import zipfile

import docx
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import exam_with_results, office_id
from yongxi_learn.org.models import Category, Role

pytestmark = pytest.mark.e2e

ORIGINAL = "切实将学习成果转化为实际行动。"
EDITED = "切实将学习成果转化为推进基层法治建设的实际行动。"


def test_admin_drafts_edits_checks_and_downloads_the_section(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot, tmp_path
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
    title = "雍溪镇2024年法治政府建设情况报告（干部学法部分）"
    expect(page.get_by_role("heading", level=1, name=title, exact=True)).to_be_visible()
    preview = page.locator(".report-preview")
    # 参考率 50% is under the threshold: among the weak points, not the achievements.
    expect(preview).to_contain_text("通过率100%（通过率=通过人数/参考人数，未组织补考）")
    expect(preview).to_contain_text("三、存在的问题及2025年工作安排")
    expect(preview).to_contain_text("参考率50%（参考率=参考人数/应考人数，未组织补考）")
    assert_fits_phone(page)
    screenshot(page, "1-draft")

    editor = page.get_by_label("正文")
    editor.fill(editor.input_value().replace(ORIGINAL, EDITED))
    page.get_by_role("button", name="保存为新的一稿").click()
    expect(page.get_by_text("已保存为新的一稿")).to_be_visible()
    expect(page.get_by_text("第2稿，平安法治办管理员")).to_be_visible()
    expect(preview).to_contain_text(EDITED)

    # Every figure opens the people behind it: 参考率 → 未参考名单.
    preview.get_by_role("link", name="50%").click()
    expect(page.get_by_role("heading", name="未参考名单：雍溪镇")).to_be_visible()
    expect(page.get_by_role("cell", name="冉晓丽")).to_be_visible()
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word（公文格式）").click()
    assert download.value.suggested_filename == f"{title}（第2稿）.docx"
    target = tmp_path / "section.docx"
    download.value.save_as(target)
    paragraphs = [p.text for p in docx.Document(str(target)).paragraphs]
    assert paragraphs[0] == title
    assert any(EDITED in p for p in paragraphs) and not any(ORIGINAL in p for p in paragraphs)

    # The 台账包: the link says what it is doing while the pack is built and sent.
    pack = page.get_by_role("link", name="下载台账包（ZIP）")
    # Every text the status line shows, however quickly the small pack comes.
    page.evaluate(
        """() => { window.packSteps = [];
        new MutationObserver(() => window.packSteps.push(
            document.getElementById('pack-status').textContent))
          .observe(document.getElementById('pack-status'), {childList: true}); }"""
    )
    with page.expect_download() as download:
        pack.click()
    expect(page.locator("#pack-status")).to_contain_text("台账包已生成")
    assert any("正在生成台账包" in step for step in page.evaluate("window.packSteps"))
    expect(pack).to_have_text("下载台账包（ZIP）")
    assert download.value.suggested_filename == "2024年雍溪镇学法台账包（第2稿）.zip"
    target = tmp_path / "pack.zip"
    download.value.save_as(target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert names[-1] == "manifest.txt" and "2-数字与名单.xlsx" in names
        report = next(n for n in names if n.startswith("1-报告/"))
        paragraphs = [p.text for p in docx.Document(io.BytesIO(archive.read(report))).paragraphs]
    assert any(EDITED in p for p in paragraphs)
    assert_fits_phone(page)
    screenshot(page, "2-pack")
