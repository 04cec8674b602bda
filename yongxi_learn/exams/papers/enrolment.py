"""The audience of an exam and its enrolment (应考名单): frozen at publishing, then
changed only one person at a time, each change recorded with who and when."""

from datetime import datetime

import sqlalchemy as sa

from ...core.db import analyze_after_bulk_insert
from ...extensions import db
from ...org import audience as audience_module
from ...org.audience import AudienceError
from ...org.models import OrgUnit, User
from ...org.ordering import people_order
from ...org.permissions import Perm, scope_filter
from ...org.privacy import phone_digits, phone_search
from ...org.services import Actor
from .. import exam_tally
from ..models import Attempt, Enrolment, Exam, ExamKind, ExamStatus
from .base import ExamError, audit_exam, ensure_manage

MAX_REASON = 200
# Publishing to this many people refreshes the planner's statistics (core.db).
ANALYZE_AFTER = 500


def check_audience(audience: dict, owner: OrgUnit) -> None:
    try:
        audience_module.check(audience, owner, noun="考试对象")
    except AudienceError as exc:
        raise ExamError(str(exc)) from exc


def people_by_phones(text: str, owner: OrgUnit) -> list[int]:
    try:
        return audience_module.people_by_phones(text, owner)
    except AudienceError as exc:
        raise ExamError(str(exc)) from exc


def audience_select(exam: Exam) -> sa.Select:
    return audience_module.people_select(exam.audience)


def audience_count(exam: Exam) -> int:
    return audience_module.count(exam.audience)


def counts(exam: Exam) -> tuple[int, int]:
    """(应考, 免考): the exam's enrolment rows not exempt, and exempt."""
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(~Enrolment.exempt), sa.func.count().filter(Enrolment.exempt)
        ).where(Enrolment.exam_id == exam.id)
    ).one()
    return row[0], row[1]


def freeze(exam: Exam) -> int:
    """Write one Enrolment per person in the audience, copying unit and category so
    later moves do not change the figures; returns how many."""
    people = audience_select(exam).with_only_columns(User.id, User.unit_id, User.category)
    rows = [
        {"exam_id": exam.id, "user_id": u.id, "unit_id": u.unit_id, "category": u.category}
        for u in db.session.execute(people)
    ]
    if rows:
        db.session.execute(sa.insert(Enrolment), rows)
        if len(rows) >= ANALYZE_AFTER:
            analyze_after_bulk_insert(db.session, Enrolment.__tablename__)
        if exam.kind is ExamKind.FORMAL and not exam.personal:
            exam_tally.refresh_exam(exam.id)
    return len(rows)


def _ensure_open_for_changes(exam: Exam) -> None:
    if exam.status is ExamStatus.DRAFT:
        raise ExamError("考试尚未发布：发布前请修改考试对象")
    if exam.status is ExamStatus.CANCELLED:
        raise ExamError("考试已取消，不能再修改应考名单")


def add_person(exam: Exam, person: User, *, actor: Actor) -> Enrolment:
    """补录 after publishing (a 补考's: makeup_roster.add_candidate)."""
    ensure_manage(actor, exam)
    _ensure_open_for_changes(exam)
    if exam.kind is ExamKind.MAKEUP:
        raise ExamError("补考只能补录正式考试中需要补考的人员")
    if not exam.owner_unit.contains(person.unit):
        raise ExamError(f"{person.name}不在本考试的单位范围内")
    return enrol_late(exam, person, unit_id=person.unit_id, category=person.category, actor=actor)


def enrol_late(exam: Exam, person: User, *, unit_id: int, category, actor: Actor) -> Enrolment:
    """A 补录 row (added late: who added it), once the caller has checked the person
    belongs in this exam; recorded and counted."""
    ensure_manage(actor, exam)
    _ensure_open_for_changes(exam)
    if not person.active:
        raise ExamError(f"{person.name}的账号已停用")
    exists = db.session.scalar(
        sa.select(Enrolment.id).where(Enrolment.exam_id == exam.id, Enrolment.user_id == person.id)
    )
    if exists:
        raise ExamError(f"{person.name}已在应考名单中")
    entry = Enrolment(
        exam_id=exam.id,
        user_id=person.id,
        unit_id=unit_id,
        category=category,
        added_late=True,
        added_by_id=getattr(actor.user, "id", None),
    )
    db.session.add(entry)
    db.session.flush()
    exam_tally.enrolment_changed(entry)
    audit_exam(actor, "exam.enrol", entry, detail=f"{exam.title}：补录{person.name}")
    db.session.flush()
    return entry


def exempt(entry: Enrolment, reason: str, *, actor: Actor, now: datetime) -> None:
    """免考: out of 应考人数, with why, who and when. In a 补考 the same row says the
    person does not sit the 补考 (they stay in the formal exam's figures), which is
    refused once they have sat it: their attempt counts whatever the row says."""
    exam = entry.exam
    ensure_manage(actor, exam)
    _ensure_open_for_changes(exam)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ExamError("请填写不参加补考的原因" if _makeup(exam) else "请填写免考原因")
    if len(reason) > MAX_REASON:
        raise ExamError(f"免考原因不能超过{MAX_REASON}个字")
    if entry.exempt:
        raise ExamError(f"{entry.user.name}已{'移出补考名单' if _makeup(exam) else '免考'}")
    if _makeup(exam) and _has_attempt(entry):
        raise ExamError(f"{entry.user.name}已参加补考，不能移出补考名单")
    entry.exempt, entry.exempt_reason = True, reason
    entry.exempted_by_id, entry.exempted_at = getattr(actor.user, "id", None), now
    action = "exam.makeup_out" if _makeup(exam) else "exam.exempt"
    audit_exam(actor, action, entry, detail=f"{entry.user.name}：{reason}")
    db.session.flush()
    exam_tally.enrolment_changed(entry)


def unexempt(entry: Enrolment, *, actor: Actor) -> None:
    exam = entry.exam
    ensure_manage(actor, exam)
    _ensure_open_for_changes(exam)
    if not entry.exempt:
        raise ExamError(f"{entry.user.name}{'在补考名单中' if _makeup(exam) else '未免考'}")
    old = entry.exempt_reason
    entry.exempt, entry.exempt_reason = False, ""
    entry.exempted_by_id, entry.exempted_at = None, None
    # The audit log keeps the earlier reason: the row only holds the current state.
    action = "exam.makeup_in" if _makeup(exam) else "exam.unexempt"
    audit_exam(actor, action, entry, detail=f"{entry.user.name}（原因：{old}）")
    db.session.flush()
    exam_tally.enrolment_changed(entry)


def _makeup(exam: Exam) -> bool:
    return exam.kind is ExamKind.MAKEUP


def _has_attempt(entry: Enrolment) -> bool:
    return (
        db.session.scalar(
            sa.select(Attempt.id)
            .where(Attempt.exam_id == entry.exam_id, Attempt.user_id == entry.user_id)
            .limit(1)
        )
        is not None
    )


# For a page of enrolment rows joined to their person and frozen unit: both are
# loaded with the row. Loaded on first touch, each person cost a query of their own
# and another for their role grants (60 statements a page of 30), which no
# enrolment page shows.
WITH_PERSON_AND_UNIT = (
    sa.orm.contains_eager(Enrolment.user).lazyload(User.grants),
    sa.orm.contains_eager(Enrolment.unit),
)


def enrolment_select(exam: Exam, user: User, text: str = "") -> sa.Select:
    """The enrolment rows ``user`` may see (by the frozen unit), by unit then name."""
    query = (
        sa.select(Enrolment)
        .join(Enrolment.user)
        .join(OrgUnit, Enrolment.unit_id == OrgUnit.id)
        .where(Enrolment.exam_id == exam.id, scope_filter(user, Perm.VIEW_EXAMS))
        .options(*WITH_PERSON_AND_UNIT)
        .order_by(*people_order(Enrolment.unit_id))
    )
    text = (text or "").strip()
    if text:
        query = query.where(
            sa.or_(
                User.name.contains(text, autoescape=True),
                # As the people search: no oracle for digits the page masks.
                phone_search(user, phone_digits(text)),
                OrgUnit.name.contains(text, autoescape=True),
            )
        )
    return query


def get_enrolment(enrolment_id: int, exam: Exam, user: User) -> Enrolment | None:
    return db.session.scalar(
        enrolment_select(exam, user).where(Enrolment.id == enrolment_id).order_by(None)
    )
