"""Who sits a 补考, as the admin decides it: candidates left out when it is created,
and afterwards a candidate not in it added (补录).

Only the formal exam's 补考 candidates (makeup.makeup_candidates) may be in a 补考.
A candidate left out keeps an enrolment row in the 补考, exempt, with the reason, who
and when, as a 免考 does: the page shows the decision and 恢复补考 undoes it
(enrolment.exempt / unexempt, which also refuse to take out someone who has sat the
补考). None of this changes a figure: the formal exam's enrolment is the denominator.
"""

from datetime import datetime

import sqlalchemy as sa

from ...extensions import db
from ...org.models import User
from ...org.services import Actor
from ..models import Enrolment, Exam, ExamKind
from . import enrolment
from .base import ExamError, ensure_manage
from .makeup import create_makeup, makeup_candidates


def create_makeup_for(
    formal: Exam,
    *,
    leave_out: set[int],
    reason: str,
    actor: Actor,
    opens_at: datetime,
    closes_at: datetime,
    now: datetime,
) -> Exam:
    """create_makeup, then the candidates in ``leave_out`` (person ids) taken out
    with ``reason``; ids that are no candidate are ignored."""
    reason = " ".join((reason or "").split())
    if leave_out and not reason:
        raise ExamError("请填写不参加补考的原因")
    made = create_makeup(formal, actor=actor, opens_at=opens_at, closes_at=closes_at, now=now)
    rows = db.session.scalars(sa.select(Enrolment).where(Enrolment.exam_id == made.id)).all()
    out = [e for e in rows if e.user_id in leave_out]
    if out and len(out) == len(rows):
        raise ExamError("补考名单不能为空：请至少保留一人")
    for entry in out:
        enrolment.exempt(entry, reason, actor=actor, now=now)
    return made


def missing_candidates(makeup: Exam, *, now: datetime) -> list[Enrolment]:
    """The formal exam's candidates who are not in this 补考 at all (someone whose
    formal 免考 was undone, or added to the formal exam late): their formal rows."""
    formal = _formal(makeup)
    inside = set(
        db.session.scalars(sa.select(Enrolment.user_id).where(Enrolment.exam_id == makeup.id))
    )
    return [e for e in makeup_candidates(formal, now=now) if e.user_id not in inside]


def add_candidate(makeup: Exam, person: User, *, actor: Actor, now: datetime) -> Enrolment:
    """补录 into a 补考: only a candidate of its formal exam, with the unit and
    category frozen in the formal exam's enrolment (where the figures count them)."""
    ensure_manage(actor, makeup)
    inside = db.session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.exam_id == makeup.id, Enrolment.user_id == person.id
        )
    )
    if inside:
        raise ExamError(f"{person.name}已在补考名单中")
    frozen = next(
        (e for e in makeup_candidates(_formal(makeup), now=now) if e.user_id == person.id), None
    )
    if frozen is None:
        raise ExamError(
            f"{person.name}不需要补考：只有正式考试应考名单中（不含免考）未参考或未通过的人员可以补考"
        )
    return enrolment.enrol_late(
        makeup, person, unit_id=frozen.unit_id, category=frozen.category, actor=actor
    )


def _formal(makeup: Exam) -> Exam:
    if makeup.kind is not ExamKind.MAKEUP or makeup.parent_exam is None:
        raise ExamError("这不是补考")
    return makeup.parent_exam
