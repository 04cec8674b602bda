"""考试须知: a formal exam's start button opens the notice (time limit, attempts left,
deadline, autosave, offline); its 开始答题 button POSTs with the page's CSRF token.
Reading the notice starts nothing; practice starts directly."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, count_rows, csrf_token
from tests.exams.conftest import STANDARD_RULES
from tests.exams.paper_fixtures import add_attempt
from yongxi_learn.core.time import format_local, utcnow
from yongxi_learn.exams.models import Attempt, AttemptStatus, ExamKind
from yongxi_learn.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def field(html: str, element_id: str) -> str:
    """The text of the notice's line ``element_id``, tags dropped."""
    inner = re.search(rf'<dd id="{element_id}">(.*?)</dd>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", inner)


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}  # as in production: the start needs the page's token


def log_in(client, user):
    token = csrf_token(text(client.get("/login")))
    client.post("/login", data={"phone": user.phone, "password": PASSWORD, "csrf_token": token})


@pytest.fixture
def as_cadre(client, cadre):
    log_in(client, cadre)
    return client


def test_the_home_page_start_button_opens_the_notice_without_starting(as_cadre, exam):
    home = text(as_cadre.get("/"))
    assert f'<a class="button" href="/exams/{exam.id}/start">开始考试</a>' in home
    assert f'action="/exams/{exam.id}/start"' not in home  # no one-tap start of a formal exam
    response = as_cadre.get(f"/exams/{exam.id}/start")
    assert response.status_code == 200
    assert count_rows(Attempt) == 0


def test_the_notice_shows_time_limit_attempts_deadline_autosave_and_offline(as_cadre, exam):
    html = text(as_cadre.get(f"/exams/{exam.id}/start"))
    assert "考试须知" in html
    assert field(html, "notice-time").startswith("限时60分钟")
    assert field(html, "notice-deadline") == format_local(exam.closes_at)
    assert field(html, "notice-attempts").startswith("还有1次（共1次）")
    assert "自动保存" in field(html, "notice-autosave")
    assert "未保存（网络断开）" in field(html, "notice-offline")
    assert "9题，满分100分，60分合格" in html


def test_the_notice_counts_the_attempts_already_used(as_cadre, make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], max_attempts=3)
    add_attempt(exam, cadre, [], status=AttemptStatus.SUBMITTED)
    db.session.commit()
    html = text(as_cadre.get(f"/exams/{exam.id}/start"))
    assert field(html, "notice-attempts").startswith("还有2次（共3次）")


def test_the_notice_warns_when_the_window_closes_before_the_time_limit(
    as_cadre, make_exam, bank, cadre
):
    exam = make_exam(
        rules=STANDARD_RULES, enrol=[cadre], closes_at=utcnow() + timedelta(minutes=20)
    )
    html = text(as_cadre.get(f"/exams/{exam.id}/start"))
    assert "距截止已不足60分钟" in field(html, "notice-deadline")


def test_start_on_the_notice_posts_with_the_csrf_token_and_opens_the_paper(as_cadre, exam):
    html = text(as_cadre.get(f"/exams/{exam.id}/start"))
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    assert form.group(1) == f"/exams/{exam.id}/start" and "开始答题" in form.group(2)
    response = as_cadre.post(form.group(1), data={"csrf_token": csrf_token(form.group(2))})
    attempt = db.session.scalar(sa.select(Attempt))
    assert response.headers["Location"] == f"/exams/attempts/{attempt.id}"
    # Back on the notice with the attempt running: straight to the paper.
    again = as_cadre.get(f"/exams/{exam.id}/start")
    assert again.headers["Location"] == f"/exams/attempts/{attempt.id}"


def test_start_without_the_csrf_token_is_refused(as_cadre, exam):
    assert as_cadre.post(f"/exams/{exam.id}/start").status_code == 400
    assert count_rows(Attempt) == 0


def test_a_practice_exam_starts_directly_from_the_list(as_cadre, make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], kind=ExamKind.PRACTICE, title="练习卷")
    html = text(as_cadre.get("/exams/"))
    assert f'action="/exams/{exam.id}/start"' in html


def test_the_notice_of_an_exam_not_yours_is_a_404(client, make_user, tree, exam):
    log_in(client, make_user("王五", tree["office"]))
    assert client.get(f"/exams/{exam.id}/start").status_code == 404


def test_a_finished_exam_shows_the_notice_without_a_start_button(as_cadre, exam, cadre):
    add_attempt(exam, cadre, [], status=AttemptStatus.SUBMITTED)
    db.session.commit()
    html = text(as_cadre.get(f"/exams/{exam.id}/start"))
    assert "当前不能开始：未通过" in html and "开始答题</button>" not in html
