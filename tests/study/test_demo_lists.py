"""The demo list and readings: loaded through the services, once."""

import contextlib
from datetime import datetime

import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law
from yongxi_learn.org import seed
from yongxi_learn.stats import queries
from yongxi_learn.study.demo_lists import CASE_TITLE, list_name, seed_lists
from yongxi_learn.study.plan_models import StudyList
from yongxi_learn.study.reading_models import ReadingAssignment


def _track(items, _label):
    return contextlib.nullcontext(items)


def test_demo_list_is_loaded_once(app, tmp_path):
    seed.seed(tmp_path / "logins.txt")
    town = seed.demo_town()
    existing = Law(owner_unit=town, title="中华人民共和国宪法", kind="constitutional")
    db.session.add(existing)
    db.session.flush()
    now = datetime(2026, 12, 6, 2, 0)
    lines = seed_lists(town, track=_track, now=now)
    assert list_name(2025) in lines[0] and "7名领导干部已选学" in lines[0]
    assert list_name(2026) in lines[1] and "4名领导干部已选学" in lines[1]
    assert seed_lists(town, track=_track, now=now) == []
    assert db.session.scalar(sa.select(sa.func.count(StudyList.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(ReadingAssignment.id))) == 3
    # A law the library already holds is reused, not duplicated.
    titles = db.session.scalars(sa.select(Law.title).where(Law.title == "中华人民共和国宪法"))
    assert len(titles.all()) == 1
    leaders = queries.leader_study(2025, town)
    assert (leaders.people, leaders.chosen.numerator, leaders.completed.numerator) == (10, 7, 3)
    case = db.session.scalar(
        sa.select(ReadingAssignment).where(ReadingAssignment.title == f"2025年{CASE_TITLE}")
    )
    assert "示例案例" in case.body_html
    assert queries.reading_figures(case).confirmed.numerator > 0
