"""Steps the browser tests share: an exam made through the admin pages and started, an
exam with results put into the live server's database, 长辈模式 on an account or a
browser."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from yongxi_learn.auth import elder
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import exam_tally
from yongxi_learn.exams.models import (
    JUDGE_OPTIONS,
    Attempt,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamQuestion,
    ExamStatus,
    Question,
    QuestionType,
    ReviewPolicy,
)
from yongxi_learn.extensions import db
from yongxi_learn.org import services
from yongxi_learn.org.models import OrgUnit, UnitKind, User


def exam_with_results(app, absent_phone, sat_phone) -> None:
    """A closed 2024 exam: the first person never sat, the second passed with 88."""
    with app.app_context():
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        now = utcnow()
        exam = Exam(
            owner_unit=town,
            title="2024年度法治理论知识考试",
            year=2024,
            status=ExamStatus.PUBLISHED,
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(days=3),
            time_limit_minutes=60,
            pass_score=Decimal(60),
            published_at=now - timedelta(days=11),
        )
        db.session.add(exam)
        db.session.flush()
        for phone in (absent_phone, sat_phone):
            person = db.session.scalar(sa.select(User).where(User.phone == phone))
            db.session.add(
                Enrolment(
                    exam_id=exam.id,
                    user_id=person.id,
                    unit_id=person.unit_id,
                    category=person.category,
                )
            )
        sat = db.session.scalar(sa.select(User).where(User.phone == sat_phone))
        db.session.add(
            Attempt(
                exam_id=exam.id,
                user_id=sat.id,
                status=AttemptStatus.SUBMITTED,
                started_at=now - timedelta(days=5),
                finished_at=now - timedelta(days=5),
                score=Decimal(88),
                max_score=Decimal(100),
                passed=True,
            )
        )
        db.session.flush()
        exam_tally.refresh_exam(exam.id)  # rows written past the services: sum them
        db.session.commit()


def office_id(app) -> int:
    with app.app_context():
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        office = services.create_unit("党政办公室", UnitKind.OFFICE, town, actor=services.SYSTEM)
        db.session.commit()
        return office.id


def create_exam(app, phone, *, time_limit=30, closes_in=timedelta(days=1)) -> int:
    """A published fixed paper of six questions for the person with ``phone``."""
    with app.app_context():
        person = db.session.scalar(sa.select(User).where(User.phone == phone))
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        now = utcnow()
        exam = Exam(
            owner_unit=town,
            title="2024年度法治理论知识考试",
            year=2024,
            status=ExamStatus.PUBLISHED,
            opens_at=now - timedelta(hours=1),
            closes_at=now + closes_in,
            time_limit_minutes=time_limit,
            pass_score=Decimal(60),
            review_policy=ReviewPolicy.IMMEDIATE,
            published_at=now,
        )
        types = [QuestionType.SINGLE] * 3 + [QuestionType.MULTI] * 2 + [QuestionType.JUDGE]
        for i, qtype in enumerate(types, start=1):
            question = Question(
                owner_unit=town,
                type=qtype,
                stem=f"第{i}题：关于宪法和法律的表述，下列说法正确的是",
                options=JUDGE_OPTIONS
                if qtype is QuestionType.JUDGE
                else [f"选项内容{i}-{k}" for k in range(1, 5)],
                answer={QuestionType.SINGLE: "A", QuestionType.MULTI: "AB"}.get(qtype, "A"),
                explanation=f"第{i}题的解析",
                score=Decimal(2),
                law_ref="中华人民共和国宪法",
            )
            exam.fixed_questions.append(
                ExamQuestion(question=question, position=i, score=Decimal("16.5"))
            )
        db.session.add(exam)
        db.session.flush()
        db.session.add(
            Enrolment(
                exam_id=exam.id, user_id=person.id, unit_id=person.unit_id, category=person.category
            )
        )
        db.session.commit()
        return exam.id


def start_exam(page, live_server, log_in, phone, password, *, check=None, screenshot=None):
    """From the home page: 开始考试 (one tap) opens the 考试须知; 开始答题 starts."""
    page.goto(live_server.url("/"))
    log_in(page, phone, password)
    page.get_by_role("link", name="开始考试").click()
    expect(page).to_have_url(re.compile(r"/exams/\d+/start$"))
    expect(page.get_by_role("heading", name="考试须知")).to_be_visible()
    if check is not None:
        check(page)
    if screenshot is not None:
        screenshot(page, "0-notice")
    page.get_by_role("button", name="开始答题").click()
    expect(page).to_have_url(re.compile(r"/exams/attempts/\d+$"))


# ---------------------------------------------------------------- 长辈模式 (auth/elder.py)


def set_elder_mode(app, phone, on: bool = True) -> None:
    """Keep 长辈模式 on the account of ``phone``: logging in then sets the browser's
    cookie from it, as on any device (the way to run a page sweep in both modes)."""
    with app.app_context():
        person = db.session.scalar(sa.select(User).where(User.phone == phone))
        elder.set_elder_mode(person, on)
        db.session.commit()


def elder_cookie(live_server) -> dict:
    """For ``context.add_cookies([...])``: this browser in 长辈模式 without touching an
    account (before logging in; a login sets the cookie from the account again)."""
    return {"name": elder.ELDER_COOKIE, "value": elder.ON, "url": live_server.url("/")}


# A browser that stops a media download mid-way (it read the metadata it needed) resets
# the connection; werkzeug's development server, which serves the browser tests, then
# drops the response without closing its file (gunicorn, which serves the app, closes it).
# Only that file, under the test's media folder, is let through.
MEDIA_SERVER_RESET = pytest.mark.filterwarnings(
    # (no colon in the pattern: it separates the filter's fields)
    r"ignore:Exception ignored in. <_io\.FileIO name='[^']*/media/"
    r"[0-9a-f]+\.\w+':pytest.PytestUnraisableExceptionWarning"
)
