"""The 2 + 1 choice of a study list, and progress on its items."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from yongxi_learn.core.exceptions import NotFound
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.laws import references
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.study import plans
from yongxi_learn.study.common import StudyError

from .conftest import item_of


def ids(lst, *titles):
    return [item_of(lst, t).id for t in titles]


def choose_as(person, lst, titles, now=None, actor=None, reason=""):
    plans.choose(
        lst,
        person,
        ids(lst, *titles),
        actor=actor or Actor(user=person),
        now=now or utcnow(),
        reason=reason,
    )


def test_two_key_and_one_field_of_own_unit_is_saved(study_list, leader):
    choose_as(leader, study_list, ["民法典", "行政处罚法", "土地管理法"])
    assert plans.chosen_ids(study_list, leader) == set(
        ids(study_list, "民法典", "行政处罚法", "土地管理法")
    )


def test_too_many_key_laws_are_refused(study_list, leader):
    with pytest.raises(StudyError, match="重点法规应选2部，您选了3部"):
        choose_as(leader, study_list, ["民法典", "行政处罚法", "行政许可法", "土地管理法"])
    assert plans.chosen_ids(study_list, leader) == set()


def test_too_few_are_refused(study_list, leader):
    with pytest.raises(StudyError, match="重点法规应选2部，您选了1部；专业法规应选1部，您选了0部"):
        choose_as(leader, study_list, ["民法典"])


def test_field_law_of_another_unit_is_refused(study_list, make_user, tree):
    official = make_user("科员乙", tree["office"])
    with pytest.raises(StudyError, match="《治安管理处罚法》不是本单位（本领域）的专业法规"):
        choose_as(official, study_list, ["民法典", "行政处罚法", "治安管理处罚法"])
    # Their own office's law, or the town-wide one, is fine.
    choose_as(official, study_list, ["民法典", "行政处罚法", "公务员法"])


def test_required_items_cannot_be_chosen(study_list, leader):
    with pytest.raises(StudyError, match="不属于本清单的重点或专业法规"):
        choose_as(leader, study_list, ["宪法", "民法典", "土地管理法"])


def test_person_outside_audience_cannot_choose(study_list, make_user, tree):
    # Another town's list is not theirs at all: the page answers 404.
    outsider = make_user("外镇人员", tree["other_village"])
    with pytest.raises(NotFound):
        choose_as(outsider, study_list, ["民法典", "行政处罚法", "土地管理法"])


def test_after_deadline_the_person_is_refused(study_list, leader):
    later = study_list.choose_until + timedelta(minutes=1)
    with pytest.raises(StudyError, match=r"选学已于.*截止，如需调整请联系管理员"):
        choose_as(leader, study_list, ["民法典", "行政处罚法", "土地管理法"], now=later)


def test_after_deadline_an_admin_changes_with_a_reason_and_is_audited(study_list, leader, admin):
    choose_as(leader, study_list, ["民法典", "行政处罚法", "土地管理法"])
    later = study_list.choose_until + timedelta(days=1)
    with pytest.raises(StudyError, match="须填写原因"):
        choose_as(leader, study_list, ["民法典", "行政许可法", "土地管理法"], later, Actor(admin))
    choose_as(
        leader, study_list, ["民法典", "行政许可法", "土地管理法"], later, Actor(admin), "调整分工"
    )
    assert plans.chosen_ids(study_list, leader) == set(
        ids(study_list, "民法典", "行政许可法", "土地管理法")
    )
    db.session.commit()  # audit rows are written when the transaction commits
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "study.choice_change"))
    assert entry.actor_id == admin.id
    assert "领导甲" in entry.detail and "调整分工" in entry.detail and "行政许可法" in entry.detail


def test_another_learner_cannot_choose_for_someone(study_list, leader, make_user, tree):
    other = make_user("同事", tree["town"], category=Category.LEADER)
    with pytest.raises(StudyError, match="只能调整本人的选学"):
        choose_as(leader, study_list, ["民法典", "行政处罚法", "土地管理法"], actor=Actor(other))


def test_finishing_counts_a_reading_and_only_items_on_the_plan(study_list, leader):
    constitution, civil = item_of(study_list, "宪法"), item_of(study_list, "民法典")
    with pytest.raises(StudyError, match="请先选学"):
        plans.record_reading(civil, leader, now=utcnow())
    plans.record_reading(constitution, leader, now=utcnow())
    plans.save_note(constitution, leader, "依法治国是党领导人民治理国家的基本方略。")
    progress = plans.finish(constitution, leader, now=utcnow())
    assert progress.finished_at is not None and progress.readings == 1
    assert progress.note.startswith("依法治国")


def test_finishing_from_a_page_that_never_said_it_was_opened_is_a_reading(study_list, leader):
    """我已学完 is on the page with the articles; without JavaScript the page never
    posts that it was opened, and the finish counts as the reading."""
    constitution = item_of(study_list, "宪法")
    progress = plans.finish(constitution, leader, now=utcnow())
    assert progress.finished_at is not None and progress.readings == 1


def test_unit_admin_cannot_edit_the_towns_list(study_list, unit_admin, laws):
    from yongxi_learn.org.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        plans.add_item(
            study_list,
            plans.ItemSpec(kind=plans.ItemKind.KEY, law_id=laws["宪法"].id),
            actor=Actor(unit_admin),
        )


def test_amending_a_law_flags_its_items_for_review(study_list, laws, reading):
    assert references.flag_references([laws["民法典"].id, laws["宪法"].id]) == 3
    db.session.expire_all()
    assert item_of(study_list, "民法典").needs_review
    assert item_of(study_list, "宪法").needs_review
    assert not item_of(study_list, "党章").needs_review
    assert reading.needs_review
    spec = plans.ItemSpec(kind=plans.ItemKind.KEY, law_id=laws["民法典"].id)
    plans.update_item(item_of(study_list, "民法典"), spec, actor=SYSTEM)
    assert not item_of(study_list, "民法典").needs_review
