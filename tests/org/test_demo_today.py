"""The demo is dated from the day it is loaded: on any day, last year is complete and
every demo learner has this year's work open. Two pinned days, one in December (the
exam season) and one in March (early in the year)."""

import contextlib
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from yongxi_learn.cli import load_demo
from yongxi_learn.core.time import to_local
from yongxi_learn.exams.models import Attempt, CountedSheet, Exam, ExamKind
from yongxi_learn.exams.taking.my_exams import available_exams
from yongxi_learn.extensions import db
from yongxi_learn.org import seed
from yongxi_learn.org.models import User
from yongxi_learn.reports import services as reports
from yongxi_learn.stats import queries
from yongxi_learn.study.summary import home_items
from yongxi_learn.training import signin
from yongxi_learn.training.models import TrainingSession
from yongxi_learn.training.services import upcoming_for

LEARNERS = ("领导干部", "机关干部", "村(社区)两委干部", "法律明白人")
# 10:00 on 6 December and 15:00 on 15 March, Beijing time, as naive UTC.
DAYS = [datetime(2026, 12, 6, 2, 0), datetime(2027, 3, 15, 7, 0)]


def _track(items, _label):
    return contextlib.nullcontext(items)


@pytest.fixture(params=DAYS, ids=lambda d: d.date().isoformat())
def loaded(request, app, tmp_path):
    now = request.param
    logins = load_demo(Path(tmp_path) / "logins.txt", now=now, track=_track, echo=lambda _: None)
    return now, {x.role: x.phone for x in logins}


def _user(phone: str) -> User:
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def test_every_demo_learner_has_open_work_on_the_day_it_is_loaded(loaded):
    now, phones = loaded
    year = to_local(now).year
    for role in LEARNERS:
        user = _user(phones[role])
        open_exams = [e.exam.title for e in available_exams(user, now) if e.can_start]
        assert open_exams == [f"{year}年度法治理论知识考试"], role
        study = home_items(user, now=now)
        assert any(str(year) in r.reading.title and not r.seconds for r in study.readings), role
        assert bool(study.choices) is (role == "领导干部"), role
        today = upcoming_for(user, now)
        assert today and to_local(today[0].starts_at).date() == to_local(now).date(), role
    session = db.session.get(TrainingSession, today[0].id)
    assert signin.is_open(session, now)  # the projector shows its QR code


def test_last_year_is_complete_with_a_makeup_and_a_report_draft(loaded):
    now, _ = loaded
    year = to_local(now).year - 1
    town = seed.demo_town()
    formal = db.session.scalar(
        sa.select(Exam).where(Exam.year == year, Exam.kind == ExamKind.FORMAL)
    )
    makeup = db.session.scalar(sa.select(Exam).where(Exam.parent_exam_id == formal.id))
    assert makeup.kind is ExamKind.MAKEUP
    assert db.session.scalar(sa.select(sa.func.count()).where(Attempt.exam_id == makeup.id))
    # The imported 全市学法考试 counts after the 补考 (计入本考试).
    counted = sa.select(CountedSheet.external_exam_id).where(CountedSheet.exam_id == makeup.id)
    assert db.session.scalar(counted) is not None
    figures = queries.exam_report(formal, town, user=None, now=now).total
    assert figures.sat > figures.sat_first > 0 and figures.passed > 0
    assert queries.training_figures(year, town).person_times >= 200
    leaders = queries.leader_study(year, town)
    assert (leaders.people, leaders.chosen.numerator, leaders.completed.numerator) == (10, 7, 3)
    draft = reports.latest(reports.get_draft(year, town))
    assert f"{year}年度法治理论知识考试" in draft.text and "参考率" in draft.text
    assert "选学率70%" in draft.text
