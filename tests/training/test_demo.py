"""The demo's sessions: last year's, with the counts the 2024 report speaks of; this
year's up to a session open now; idempotence."""

from contextlib import nullcontext
from datetime import datetime

import pytest
import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.stats import queries
from yongxi_learn.training import demo, signin
from yongxi_learn.training.models import KindCode, TrainingSession

from ..conftest import count_rows

# 10:00 on 15 March 2027, Beijing time.
NOW = datetime(2027, 3, 15, 2, 0)


def _track(items, label):
    return nullcontext(items)


@pytest.fixture
def town_people(tree, make_user):
    town = tree["town"]
    for i in range(10):
        make_user(f"领导{i}", town, Category.LEADER)
    for i in range(40):
        make_user(f"干部{i}", tree["office"] if i % 2 else tree["justice"], Category.OFFICIAL)
    for i in range(32):
        village = tree["village"] if i % 2 else tree["village2"]
        make_user(f"村干部{i}", village, Category.VILLAGE_CADRE)
    return town


def test_last_year_reads_like_the_2024_report(town_people, kinds):
    lines = demo.seed(town_people, track=_track, now=NOW)
    db.session.commit()
    figures = queries.training_figures(2026, town_people)
    assert figures.sessions_of(KindCode.TOPIC) == 8
    assert figures.sessions_of(KindCode.CENTRE_GROUP) >= 1
    assert figures.sessions_of(KindCode.LECTURE_HALL) == 3
    assert figures.external_lectures == 1
    assert 200 <= figures.person_times < 300
    assert f"参训{figures.person_times}人次" in lines[0]


def test_seeding_twice_adds_nothing(town_people, kinds):
    demo.seed(town_people, track=_track, now=NOW)
    db.session.commit()
    before = count_rows(TrainingSession)
    assert demo.seed(town_people, track=_track, now=NOW) == []
    assert count_rows(TrainingSession) == before


def test_this_year_has_the_sessions_before_today_and_one_open_now(town_people, kinds):
    lines = demo.seed(town_people, track=_track, now=NOW)
    db.session.commit()
    this_year = db.session.scalars(
        sa.select(TrainingSession).where(TrainingSession.year == 2027)
    ).all()
    # 14 March's 中心组 session and today's.
    assert len(this_year) == 2 and "2027年集中学习2场" in lines[1]
    today = max(this_year, key=lambda s: s.starts_at)
    assert signin.is_open(today, NOW)
    assert Category.LEGAL_LIAISON.value in today.audience["categories"]
