"""The demo's 2024 sessions: the counts the 2024 report speaks of, and idempotence."""

from contextlib import nullcontext

import pytest

from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.stats import queries
from yongxi_learn.training import demo
from yongxi_learn.training.models import KindCode, TrainingSession

from ..conftest import count_rows


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


def test_the_demo_year_reads_like_the_2024_report(town_people, kinds):
    lines = demo.seed(town_people, track=_track)
    db.session.commit()
    figures = queries.training_figures(2024, town_people)
    assert figures.sessions_of(KindCode.TOPIC) == 8
    assert figures.sessions_of(KindCode.CENTRE_GROUP) >= 1
    assert figures.sessions_of(KindCode.LECTURE_HALL) == 3
    assert figures.external_lectures == 1
    assert 200 <= figures.person_times < 300
    assert f"参训{figures.person_times}人次" in lines[0]


def test_seeding_twice_adds_nothing(town_people, kinds):
    demo.seed(town_people, track=_track)
    db.session.commit()
    before = count_rows(TrainingSession)
    assert demo.seed(town_people, track=_track) == []
    assert count_rows(TrainingSession) == before
