"""Who sits a 补考: candidates left out when it is created (with a reason), a candidate
added afterwards, one taken out or put back; only candidates, and no figure moves."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from yongxi_learn.exams.models import AttemptStatus, Enrolment, Exam, ExamTally, QuestionType
from yongxi_learn.exams.papers import enrolment, makeup_roster
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor

from .paper_fixtures import NOW, add_attempt, make_exam, make_questions


@pytest.fixture
def people(make_user, tree):
    return {
        name: make_user(name, tree["village"], category=Category.VILLAGE_CADRE)
        for name in ("通过者", "未通过", "缺考甲", "缺考乙")
    }


@pytest.fixture
def formal(tree, admin, people):
    """Closed: 通过者 passed, 未通过 failed, the two 缺考 never sat."""
    bank = make_questions(tree["town"], QuestionType.SINGLE, 4)
    exam = make_exam(tree["town"], admin, audience={"units": [tree["village"].id]}, questions=bank)
    papers.publish(exam, actor=Actor(user=admin), now=NOW)
    db.session.commit()
    add_attempt(exam, people["通过者"], [(q, "A") for q in bank])
    add_attempt(exam, people["未通过"], [(q, "B") for q in bank])
    return exam


AFTER = NOW + timedelta(days=8)  # the formal exam closed a day earlier


def _create(formal, admin, *, leave_out=(), reason=""):
    return makeup_roster.create_makeup_for(
        formal,
        leave_out=set(leave_out),
        reason=reason,
        actor=Actor(user=admin),
        opens_at=AFTER,
        closes_at=AFTER + timedelta(days=3),
        now=AFTER,
    )


def _rows(exam):
    return {
        e.user.name: e
        for e in db.session.scalars(sa.select(Enrolment).where(Enrolment.exam_id == exam.id))
    }


def _tally(exam):
    rows = db.session.scalars(sa.select(ExamTally).where(ExamTally.exam_id == exam.id))
    return [(t.unit_id, t.enrolled, t.exempt, t.sat, t.passed) for t in rows]


def test_a_candidate_left_out_at_creation_keeps_a_row_with_the_reason(formal, admin, people):
    made = _create(formal, admin, leave_out=[people["缺考乙"].id], reason="病假：住院")
    db.session.commit()

    rows = _rows(made)
    assert set(rows) == {"未通过", "缺考甲", "缺考乙"}
    out = rows["缺考乙"]
    assert (out.exempt, out.exempt_reason, out.exempted_by_id) == (True, "病假：住院", admin.id)
    assert out.exempted_at == AFTER
    assert not rows["未通过"].exempt and not rows["缺考甲"].exempt
    (entry,) = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "exam.makeup_out"))
    assert entry.detail == "缺考乙：病假：住院"


def test_leaving_out_needs_a_reason_and_someone_must_stay(formal, admin, people):
    with pytest.raises(papers.ExamError, match="请填写不参加补考的原因"):
        _create(formal, admin, leave_out=[people["缺考乙"].id], reason=" ")
    db.session.rollback()
    everyone = [people[n].id for n in ("未通过", "缺考甲", "缺考乙")]
    with pytest.raises(papers.ExamError, match="补考名单不能为空"):
        _create(formal, admin, leave_out=everyone, reason="调离")
    db.session.rollback()

    assert db.session.scalar(sa.select(Exam).where(Exam.parent_exam_id == formal.id)) is None


def test_a_candidate_missing_from_the_makeup_is_added_with_the_formal_unit(
    formal, admin, people, tree
):
    exempted = _rows(formal)["缺考乙"]
    enrolment.exempt(exempted, "病假", actor=Actor(user=admin), now=NOW)
    made = _create(formal, admin)
    enrolment.unexempt(exempted, actor=Actor(user=admin))  # the 免考 was a mistake
    people["缺考乙"].unit = tree["office"]  # moved since the formal exam
    db.session.commit()

    missing = makeup_roster.missing_candidates(made, now=AFTER)
    assert [e.user.name for e in missing] == ["缺考乙"]
    entry = makeup_roster.add_candidate(made, people["缺考乙"], actor=Actor(user=admin), now=AFTER)
    db.session.commit()

    assert (entry.unit_id, entry.added_late, entry.added_by_id) == (
        tree["village"].id,
        True,
        admin.id,
    )
    assert makeup_roster.missing_candidates(made, now=AFTER) == []


def test_only_candidates_may_be_added_to_a_makeup(formal, admin, people, make_user, tree):
    made = _create(formal, admin)
    actor = Actor(user=admin)
    with pytest.raises(papers.ExamError, match="通过者不需要补考"):
        makeup_roster.add_candidate(made, people["通过者"], actor=actor, now=AFTER)
    with pytest.raises(papers.ExamError, match="缺考甲已在补考名单中"):
        makeup_roster.add_candidate(made, people["缺考甲"], actor=actor, now=AFTER)
    stranger = make_user("外人", tree["village"], category=Category.VILLAGE_CADRE)
    with pytest.raises(papers.ExamError, match="外人不需要补考"):
        makeup_roster.add_candidate(made, stranger, actor=actor, now=AFTER)
    with pytest.raises(papers.ExamError, match="补考只能补录正式考试中需要补考的人员"):
        enrolment.add_person(made, stranger, actor=actor)


def test_someone_who_sat_the_makeup_cannot_be_taken_out(formal, admin, people):
    made = _create(formal, admin)
    db.session.commit()
    add_attempt(made, people["缺考甲"], [], status=AttemptStatus.IN_PROGRESS)
    rows = _rows(made)

    with pytest.raises(papers.ExamError, match="缺考甲已参加补考，不能移出补考名单"):
        enrolment.exempt(rows["缺考甲"], "调离", actor=Actor(user=admin), now=AFTER)


def test_taking_out_and_putting_back_is_recorded_and_moves_no_figure(formal, admin, people):
    made = _create(formal, admin)
    db.session.commit()
    before = _tally(formal)
    entry = _rows(made)["未通过"]
    actor = Actor(user=admin)

    enrolment.exempt(entry, "调离", actor=actor, now=AFTER)
    db.session.commit()
    assert _tally(formal) == before
    enrolment.unexempt(entry, actor=actor)
    db.session.commit()

    assert _tally(formal) == before
    assert not entry.exempt
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.action.like("exam.makeup_%"))
    ).all()
    assert sorted(actions) == ["exam.makeup_in", "exam.makeup_out"]
