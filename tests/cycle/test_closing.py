"""Closing a year (district, then towns), who may close and reopen, the frozen figures,
and the new year that starts open."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.cycle.conftest import NOON, YEAR
from yongxi_learn.core.exceptions import NotFound
from yongxi_learn.core.time import utcnow
from yongxi_learn.cycle import closing
from yongxi_learn.cycle.closing import CycleError
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.services import Actor
from yongxi_learn.org.year_close import YearClose, history, message, standing_close
from yongxi_learn.reports import services as reports
from yongxi_learn.stats import credits, thresholds
from yongxi_learn.study import plans
from yongxi_learn.training import attendance
from yongxi_learn.training import services as training
from yongxi_learn.training.services import TrainingError

# The close computes the report's figures, which link their name lists.
pytestmark = pytest.mark.usefixtures("ctx")


def _close(unit, user):
    closes = closing.close_year(unit, YEAR, actor=Actor(user), now=utcnow())
    db.session.commit()
    return closes


def test_closing_the_district_closes_it_then_each_town(year):
    closes = _close(year.district, year.district_admin)
    tree = year.tree
    assert [c.unit_id for c in closes] == [
        year.district.id,
        tree["town"].id,
        tree["other_town"].id,
    ]
    assert [c.id for c in closes] == sorted(c.id for c in closes)
    assert all(c.figures for c in closes)
    district_version = reports.latest(reports.get_draft(YEAR, year.district))
    town_version = reports.latest(reports.get_draft(YEAR, year.town))
    assert closes[0].report_version_id == district_version.id
    assert closes[1].report_version_id == town_version.id
    assert closes[2].report_version_id is None  # 宝顶镇 had no draft
    actions = db.session.scalars(
        sa.select(AuditLog.detail).where(AuditLog.action == "year.close").order_by(AuditLog.id)
    ).all()
    assert [d.split(str(YEAR))[0] for d in actions] == ["大足区", "雍溪镇", "宝顶镇"]
    assert "随区关账" in actions[1]


def test_a_town_closed_earlier_keeps_its_own_close(year):
    (own,) = _close(year.town, year.town_admin)
    closes = _close(year.district, year.district_admin)
    assert [c.unit_id for c in closes] == [year.district.id, year.tree["other_town"].id]
    assert standing_close(year.town, YEAR).id == own.id


def test_a_town_admin_cannot_close_or_reopen_the_district(year):
    with pytest.raises(NotFound):
        closing.close_year(year.district, YEAR, actor=Actor(year.town_admin), now=utcnow())
    _close(year.district, year.district_admin)
    for unit in (year.district, year.town):
        with pytest.raises(NotFound):
            closing.reopen_year(unit, YEAR, "更正", actor=Actor(year.town_admin), now=utcnow())
    assert standing_close(year.district, YEAR) is not None


def test_a_town_without_a_district_is_reopened_by_its_own_admin(make_unit, make_user):
    from yongxi_learn.org.models import UnitKind

    town = make_unit("独立镇", UnitKind.TOWN)
    admin = make_user("独立镇管理员", town, roles=[(Role.ADMIN, town)])
    assert closing.may_reopen(admin, town)


def test_closing_needs_a_report_version_whose_numbers_still_hold(year, make_user):
    other = year.tree["other_town"]
    admin = make_user("宝顶镇管理员", other, roles=[(Role.ADMIN, other)])
    with pytest.raises(CycleError, match="请先生成宝顶镇2024年的报告稿"):
        closing.close_year(other, YEAR, actor=Actor(admin), now=utcnow())
    attendance.mark(year.session, year.reader, "补录", actor=Actor(year.town_admin), now=NOON)
    with pytest.raises(CycleError, match="与当前记录不符"):
        closing.close_year(year.town, YEAR, actor=Actor(year.town_admin), now=utcnow())


def test_the_frozen_figures_stay_equal_after_the_close(year):
    closes = _close(year.district, year.district_admin)
    for close in closes:
        assert closing.differences(close, now=utcnow()) == []


def test_reopening_needs_a_reason_is_audited_and_lets_a_correction_through(year):
    first = _close(year.district, year.district_admin)
    town_first = standing_close(year.town, YEAR)
    district_actor = Actor(year.district_admin)
    with pytest.raises(CycleError, match="请填写重新开放的原因"):
        closing.reopen_year(year.town, YEAR, "  ", actor=district_actor, now=utcnow())
    reopened = closing.reopen_year(
        year.town, YEAR, "补录漏签的读者", actor=district_actor, now=utcnow()
    )
    db.session.commit()
    # The town and the district above it (its figures hold the town's); not 宝顶镇.
    assert {c.unit_id for c in reopened} == {year.district.id, year.town.id}
    assert standing_close(year.tree["other_town"], YEAR) is not None
    audit = db.session.scalars(
        sa.select(AuditLog.detail).where(AuditLog.action == "year.reopen")
    ).all()
    assert len(audit) == 2 and all("补录漏签的读者" in d for d in audit)

    attendance.mark(year.session, year.reader, "补录", actor=Actor(year.town_admin), now=NOON)
    reports.draft(YEAR, year.town, actor=Actor(year.town_admin), now=utcnow())
    db.session.commit()
    (again,) = _close(year.town, year.town_admin)
    assert again.id != town_first.id
    assert again.figures != town_first.figures  # a new snapshot, with the correction
    kept = history(year.town, YEAR)
    assert [c.id for c in kept] == [again.id, town_first.id]
    assert kept[1].reopen_reason == "补录漏签的读者" and not kept[1].standing
    assert first[0].reopened_at is not None


def test_the_new_year_stays_open(year, kinds):
    _close(year.district, year.district_admin)
    actor = Actor(year.town_admin)
    start = NOON.replace(year=YEAR + 1)
    data = training.SessionData(
        kind_id=year.session.kind_id,
        topic="新年度的学习",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        hours=Decimal(2),
        audience={"units": [year.town.id]},
    )
    session = training.create_session(year.town, data, actor=actor)
    attendance.mark(session, year.reader, "补录", actor=actor, now=start)
    copied = plans.copy_to_next_year(year.study_list, actor=Actor(year.district_admin))
    thresholds.copy_to_next_year(
        year.district, YEAR, actor=Actor(year.district_admin), now=utcnow()
    )
    credits.copy_targets_to_next_year(
        year.district, YEAR, actor=Actor(year.district_admin), now=utcnow()
    )
    db.session.commit()
    assert copied.year == YEAR + 1 and copied.name == "2025年领导干部应知应会清单"
    assert [i.law_id for i in copied.items] == [i.law_id for i in year.study_list.items]
    assert copied.choose_until is None
    assert plans.chosen_ids(copied, year.reader) == set()
    assert credits.targets_for(YEAR + 1, year.town) == {Category.LEADER: Decimal(50)}
    assert thresholds.describe(thresholds.thresholds_for(YEAR + 1, year.town)) == (
        thresholds.describe(thresholds.thresholds_for(YEAR, year.town))
    )
    # The closed year's own are still refused.
    with pytest.raises(TrainingError, match=message(YEAR)):
        training.cancel_session(year.session, "取消", actor=actor, now=utcnow())


def test_a_year_with_an_exam_still_running_is_not_closed(year):
    with pytest.raises(CycleError, match=r"还有考试尚未结束：.*2024年度补充考试"):
        closing.close_year(
            year.district, YEAR, actor=Actor(year.district_admin), now=year.open_exam.opens_at
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(YearClose)) == 0
