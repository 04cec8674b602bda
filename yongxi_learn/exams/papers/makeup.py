"""补考: a make-up exam created from a closed formal exam, with the same paper, for
those of its enrolment who did not sit it or failed. It counts toward the formal exam's
figures (DESIGN §3) through parent_exam_id."""

from datetime import datetime

import sqlalchemy as sa

from ...extensions import db
from ...org.services import Actor
from .. import overdue
from ..models import (
    Attempt,
    Enrolment,
    Exam,
    ExamKind,
    ExamQuestion,
    ExamRule,
    ExamStatus,
)
from .base import ExamError, audit_exam, ensure_manage


def makeup_candidates(formal: Exam, *, now: datetime) -> list[Enrolment]:
    """Who the 补考 is for: the non-exempt enrolments of ``formal`` that did not sit it
    (参考, DESIGN §3) or whose best score is below the pass mark.

    Attempts left open past their deadline count as finalized, as in the figures:
    saved answers that pass at the deadline are a pass, not an absence."""
    return list(db.session.scalars(_candidates(formal, overdue.find(now))))


def _candidates(formal: Exam, late: overdue.Overdue) -> sa.Select:
    """Non-exempt enrolments of ``formal`` with no finalized attempt in the formal
    exam or its make-ups, or whose best such score is below the pass mark."""
    family = sa.select(Exam.id).where(
        sa.or_(Exam.id == formal.id, Exam.parent_exam_id == formal.id),
        Exam.status != ExamStatus.CANCELLED,
    )
    best = (
        sa.select(sa.func.max(late.score()))
        .where(
            Attempt.user_id == Enrolment.user_id,
            Attempt.exam_id.in_(family),
            late.finished(),
        )
        .scalar_subquery()
    )
    return sa.select(Enrolment).where(
        Enrolment.exam_id == formal.id,
        ~Enrolment.exempt,
        sa.or_(best.is_(None), best < formal.pass_score),
    )


def create_makeup(
    formal: Exam, *, actor: Actor, opens_at: datetime, closes_at: datetime, now: datetime
) -> Exam:
    """A published 补考 with the formal exam's paper and settings, for the absent
    and the failed (their frozen unit and category are carried over)."""
    ensure_manage(actor, formal)
    if formal.kind is not ExamKind.FORMAL or formal.status is not ExamStatus.PUBLISHED:
        raise ExamError("只能为已发布的正式考试创建补考")
    if formal.closes_at is None or formal.closes_at > now:
        raise ExamError("正式考试结束后才能创建补考")
    if closes_at <= opens_at:
        raise ExamError("截止时间必须晚于开始时间")
    candidates = makeup_candidates(formal, now=now)
    if not candidates:
        raise ExamError("没有需要补考的人员")
    makeup = _copy_exam(formal, actor)
    makeup.opens_at, makeup.closes_at = opens_at, closes_at
    makeup.status, makeup.published_at = ExamStatus.PUBLISHED, now
    db.session.add(makeup)
    db.session.flush()
    for e in candidates:
        db.session.add(
            Enrolment(exam_id=makeup.id, user_id=e.user_id, unit_id=e.unit_id, category=e.category)
        )
    audit_exam(actor, "exam.makeup", makeup, detail=f"补考应考{len(candidates)}人")
    db.session.flush()
    return makeup


def _copy_exam(formal: Exam, actor: Actor) -> Exam:
    makeup = Exam(
        owner_unit_id=formal.owner_unit_id,
        title=f"{formal.title}（补考）"[:200],
        kind=ExamKind.MAKEUP,
        parent_exam_id=formal.id,
        year=formal.year,
        time_limit_minutes=formal.time_limit_minutes,
        pass_score=formal.pass_score,
        max_attempts=formal.max_attempts,
        shuffle_questions=formal.shuffle_questions,
        shuffle_options=formal.shuffle_options,
        review_policy=formal.review_policy,
        audience={},
        created_by_id=getattr(actor.user, "id", None),
    )
    for r in formal.rules:
        makeup.rules.append(
            ExamRule(
                position=r.position,
                type=r.type,
                count=r.count,
                score=r.score,
                category_id=r.category_id,
                law_ref=r.law_ref,
                difficulty=r.difficulty,
            )
        )
    for q in formal.fixed_questions:
        makeup.fixed_questions.append(
            ExamQuestion(question_id=q.question_id, position=q.position, score=q.score)
        )
    return makeup
