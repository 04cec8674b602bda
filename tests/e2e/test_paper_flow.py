"""An admin prints a cadre's paper (A4, print media) and types the returned answers in
on a phone: the real forms with their CSRF tokens, the page at 360 px."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.helpers import create_exam
from yongxi_learn.exams.grading import canonical_to_shown
from yongxi_learn.exams.models import Attempt, AttemptStatus, QuestionType
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, Role

pytestmark = pytest.mark.e2e


def _answers(app) -> tuple[str, str]:
    """The paper's code and its key as the admin would type it."""
    with app.app_context():
        sitting = db.session.scalar(sa.select(Attempt))
        answers = []
        for aq in sitting.questions:
            shown = canonical_to_shown(aq.question.answer, aq.option_order)
            if aq.question.type is QuestionType.JUDGE:
                shown = {"A": "√", "B": "×"}[shown]
            answers.append(shown)
        return sitting.paper_code, " ".join(answers)


def test_an_admin_prints_a_paper_and_types_its_answers_in(
    live_server, make_person, page, browser, log_in, screenshot, assert_fits_phone
):
    cadre_phone, _ = make_person("冉晓丽", Category.VILLAGE_CADRE, must_change_password=False)
    admin_phone, password = make_person(
        "管理员甲", Category.OFFICIAL, role=Role.ADMIN, must_change_password=False
    )
    exam_id = create_exam(live_server.app, cadre_phone)

    page.goto(live_server.url(f"/admin/exams/{exam_id}/paper"))
    log_in(page, admin_phone, password)
    expect(page.get_by_role("heading", name="纸质试卷")).to_be_visible()
    page.get_by_label("冉晓丽").check()
    page.get_by_role("button", name="打印所选人员的试卷").click()
    expect(page).to_have_url(re.compile(r"/paper/sheets\?a=\d+$"))
    code, typed = _answers(live_server.app)
    expect(page.locator("article.paper")).to_have_count(1)
    expect(page.get_by_text(code).first).to_be_visible()

    # The printed form: A4, print media (the link back is not printed).
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    expect(page.locator(".screen-only")).to_be_hidden()
    screenshot(page, "paper-print-a4")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 360, "height": 640})

    page.goto(live_server.url(f"/admin/exams/{exam_id}/paper"))
    assert_fits_phone(page)
    page.get_by_label("试卷编号", exact=True).fill(code)
    page.get_by_label("答案", exact=True).fill("E" + typed[1:])  # a typo at question 1
    page.get_by_role("button", name="录入并评分").click()
    expect(page.get_by_text("第1题：该题只有A–D四个选项")).to_be_visible()
    screenshot(page, "paper-entry-typo-360")
    page.get_by_label("答案", exact=True).fill(typed)
    page.get_by_role("button", name="录入并评分").click()
    expect(page.get_by_text(f"已录入试卷{code}（冉晓丽）：")).to_be_visible()
    screenshot(page, "paper-entry-done-360")
    with live_server.app.app_context():
        sitting = db.session.scalar(sa.select(Attempt))
        assert sitting.status is AttemptStatus.SUBMITTED and sitting.score == sitting.max_score
