"""Setting an exam: its settings and its paper (draw rules or fixed questions),
publishing and cancelling. Every function checks MANAGE_EXAMS over the exam's owner
unit, raises ExamError with a message for the admin, and flushes; the view commits.

Enrolment changes live in enrolment.py, make-up in makeup.py, the monitor and item
analysis in monitor.py, answer-key fixes in regrade.py.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ...core import credit
from ...core.exceptions import NotFound
from ...core.formatting import format_score
from ...core.time import format_local
from ...extensions import db
from ...org.models import OrgUnit, User
from ...org.permissions import Perm, can, ensure, scope_units
from ...org.services import Actor
from .. import exam_tally
from ..bank.services import bank_owner_ids
from ..models import (
    Attempt,
    AttemptStatus,
    Exam,
    ExamKind,
    ExamQuestion,
    ExamRule,
    ExamStatus,
    Question,
    QuestionStatus,
    QuestionType,
    ReviewPolicy,
)
from . import enrolment
from .base import ExamError, audit_exam, ensure_manage, ensure_year_not_closed

LOCKED = "考试已发布，试题、开考时间和考试对象不能再修改（可以修改截止时间）"


# ---------------------------------------------------------------- finding exams


def _visible(user: User) -> sa.ColumnElement[bool]:
    """Exams owned inside the user's VIEW_EXAMS subtrees, or above them: a village
    admin follows the town's exam for the village's people."""
    roots = scope_units(user, Perm.VIEW_EXAMS)
    if not roots:
        return sa.false()
    return sa.or_(
        *(
            sa.or_(
                OrgUnit.path.startswith(root.path, autoescape=True),
                sa.literal(root.path).startswith(OrgUnit.path),
            )
            for root in roots
        )
    )


def exams_select(
    user: User, *, year: int | None = None, kind: ExamKind | None = None, status=None
) -> sa.Select:
    query = (
        sa.select(Exam)
        .join(Exam.owner_unit)
        .where(_visible(user), Exam.personal.is_(False))
        .order_by(Exam.year.desc(), Exam.id.desc())
    )
    if year:
        query = query.where(Exam.year == year)
    if kind:
        query = query.where(Exam.kind == kind)
    if status:
        query = query.where(Exam.status == status)
    return query


def get_exam(exam_id: int, *, user: User, perm: Perm = Perm.VIEW_EXAMS) -> Exam:
    """The exam if ``user`` may see it (VIEW_EXAMS) or manage it, else NotFound."""
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise NotFound
    if perm is Perm.MANAGE_EXAMS:
        ok = can(user, perm, exam.owner_unit)
    else:
        ok = any(
            root.contains(exam.owner_unit) or exam.owner_unit.contains(root)
            for root in scope_units(user, perm)
        )
    if not ok:
        raise NotFound
    return exam


# ---------------------------------------------------------------- settings


@dataclass
class Settings:
    title: str
    kind: ExamKind
    year: int
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    pass_score: Decimal
    max_attempts: int = 1
    shuffle_questions: bool = True
    shuffle_options: bool = True
    review_policy: ReviewPolicy = ReviewPolicy.AFTER_CLOSE
    # {"units": [ids], "categories": [values], "people": [ids]}
    audience: dict = field(default_factory=dict)
    credit_hours: Decimal = Decimal(0)  # 学时 for passing a formal exam


def _check_settings(s: Settings, owner: OrgUnit) -> None:
    if not (s.title or "").strip():
        raise ExamError("请输入考试名称")
    if len(s.title.strip()) > 200:
        raise ExamError("考试名称不能超过200个字")
    if s.kind is ExamKind.MAKEUP:
        raise ExamError("补考须从已结束的正式考试创建")
    if not 2000 <= s.year <= 2100:
        raise ExamError("年度不正确")
    if s.opens_at and s.closes_at and s.closes_at <= s.opens_at:
        raise ExamError("截止时间必须晚于开始时间")
    if s.time_limit_minutes is not None and not 1 <= s.time_limit_minutes <= 600:
        raise ExamError("考试时长应在1到600分钟之间")
    if s.time_limit_minutes is None and s.kind is ExamKind.FORMAL:
        raise ExamError("正式考试须设定考试时长")
    if s.pass_score < 0:
        raise ExamError("及格分不能为负数")
    if not 1 <= s.max_attempts <= 10:
        raise ExamError("允许作答次数应在1到10次之间")
    if message := credit.problem(s.credit_hours, "通过计入的学时"):
        raise ExamError(message)
    enrolment.check_audience(s.audience, owner)


def create_exam(owner: OrgUnit, settings: Settings, *, actor: Actor) -> Exam:
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_EXAMS, owner)
    _check_settings(settings, owner)
    exam = Exam(owner_unit=owner, created_by_id=getattr(actor.user, "id", None))
    exam.kind = settings.kind
    ensure_year_not_closed(exam, settings.year)
    _apply(exam, settings)
    db.session.add(exam)
    db.session.flush()
    audit_exam(actor, "exam.create", exam, detail=exam.title)
    db.session.flush()
    return exam


def _apply(exam: Exam, s: Settings) -> None:
    exam.title = s.title.strip()
    exam.kind, exam.year = s.kind, s.year
    exam.opens_at, exam.closes_at = s.opens_at, s.closes_at
    exam.time_limit_minutes, exam.pass_score = s.time_limit_minutes, s.pass_score
    exam.max_attempts = s.max_attempts
    exam.shuffle_questions, exam.shuffle_options = s.shuffle_questions, s.shuffle_options
    exam.review_policy, exam.audience = s.review_policy, s.audience
    exam.credit_hours = Decimal(s.credit_hours)


def update_exam(exam: Exam, settings: Settings, *, actor: Actor) -> None:
    ensure_manage(actor, exam)
    _ensure_draft(exam)
    _check_settings(settings, exam.owner_unit)
    if settings.kind is not ExamKind.PRACTICE:
        ensure_year_not_closed(exam, settings.year)
    _apply(exam, settings)
    audit_exam(actor, "exam.update", exam, detail=exam.title)
    db.session.flush()


def _ensure_draft(exam: Exam) -> None:
    if exam.status is ExamStatus.CANCELLED:
        raise ExamError("考试已取消，不能再修改")
    if exam.status is not ExamStatus.DRAFT:
        raise ExamError(LOCKED)


def change_close(exam: Exam, closes_at: datetime, *, actor: Actor, now: datetime) -> None:
    """Move a published exam's closing time. Later is always allowed. Earlier (to let
    a 补考 start, or to end a sitting everyone has finished) only to a time not
    before ``now`` and not before any attempt in progress must end: an attempt's
    deadline was fixed when it started, and shortening never cuts one off."""
    ensure_manage(actor, exam)
    if exam.status is not ExamStatus.PUBLISHED:
        raise ExamError("只有已发布的考试可以修改截止时间")
    if exam.opens_at and closes_at <= exam.opens_at:
        raise ExamError("截止时间必须晚于开始时间")
    old = exam.closes_at
    if old == closes_at:
        raise ExamError("截止时间没有变化")
    earlier = old is not None and closes_at < old
    if earlier:
        _check_shortening(exam, closes_at, now)
    exam.closes_at = closes_at
    audit_exam(
        actor, "exam.shorten" if earlier else "exam.extend", exam, detail=f"{old} → {closes_at}"
    )
    db.session.flush()


def _check_shortening(exam: Exam, closes_at: datetime, now: datetime) -> None:
    if closes_at < now:
        raise ExamError("提前后的截止时间不能早于现在；要现在结束，请点“立即截止”")
    # Attempts past their deadline are over (finalized when next touched): not cut off.
    count, latest = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(Attempt.deadline)).where(
            Attempt.exam_id == exam.id,
            Attempt.status == AttemptStatus.IN_PROGRESS,
            Attempt.deadline > closes_at,
        )
    ).one()
    if count:
        raise ExamError(
            f"有{count}人正在作答，最晚的交卷时间为{format_local(latest)}（北京时间）；"
            "截止时间不能早于这一时间"
        )


# ---------------------------------------------------------------- paper content


@dataclass(frozen=True)
class RuleSpec:
    type: QuestionType
    count: int
    score: Decimal
    category_id: int | None = None
    law_ref: str = ""
    difficulty: int | None = None


def set_rules(exam: Exam, rules: list[RuleSpec], *, actor: Actor) -> None:
    """Replace the paper by draw rules (a paper is rules or fixed questions)."""
    ensure_manage(actor, exam)
    _ensure_draft(exam)
    for spec in rules:
        if spec.count < 1 or spec.score <= 0:
            raise ExamError("每条抽题规则的题数和每题分值都必须大于0")
    exam.fixed_questions.clear()
    exam.rules.clear()
    db.session.flush()
    for i, spec in enumerate(rules):
        exam.rules.append(ExamRule(position=i, **spec.__dict__))
    audit_exam(actor, "exam.paper", exam, detail=f"抽题规则{len(rules)}条")
    db.session.flush()


def set_fixed_questions(
    exam: Exam, items: list[tuple[int, Decimal | None]], *, actor: Actor
) -> None:
    """Replace the paper by fixed questions: (question id, score or None for the
    question's own score), in order."""
    ensure_manage(actor, exam)
    _ensure_draft(exam)
    ids = [qid for qid, _ in items]
    if len(set(ids)) != len(ids):
        raise ExamError("固定试题中有重复的题目")
    found = {
        q.id: q
        for q in db.session.scalars(sa.select(Question).where(Question.id.in_(ids), _bank(exam)))
    }
    missing = [str(qid) for qid in ids if qid not in found]
    if missing:
        raise ExamError(f"题目{'、'.join(missing)}不存在、已停用或不在本单位题库范围内")
    exam.rules.clear()
    exam.fixed_questions.clear()
    db.session.flush()
    for i, (qid, score) in enumerate(items):
        score = found[qid].score if score is None else score
        if score <= 0:
            raise ExamError("每题分值必须大于0")
        exam.fixed_questions.append(ExamQuestion(question_id=qid, position=i, score=score))
    audit_exam(actor, "exam.paper", exam, detail=f"固定试题{len(items)}道")
    db.session.flush()


def _bank(exam: Exam, *, active_only: bool = True) -> sa.ColumnElement[bool]:
    """Active questions owned by the exam's owner unit or one of its ancestors."""
    owners = bank_owner_ids(exam.owner_unit)
    if not active_only:
        return Question.owner_unit_id.in_(owners)
    return sa.and_(Question.owner_unit_id.in_(owners), Question.status == QuestionStatus.ACTIVE)


def rule_pool(exam: Exam, rule: ExamRule | RuleSpec, *, active_only: bool = True) -> sa.Select:
    """The questions a rule draws from (also used when an attempt draws its set).

    ``active_only=False`` adds those retired or superseded since: what an attempt
    may already have drawn (``keys.hidden_from``)."""
    query = sa.select(Question.id).where(
        _bank(exam, active_only=active_only), Question.type == rule.type
    )
    if rule.category_id:
        query = query.where(Question.category_id == rule.category_id)
    if rule.law_ref:
        query = query.where(Question.law_ref == rule.law_ref)
    if rule.difficulty:
        query = query.where(Question.difficulty == rule.difficulty)
    return query


def paper_total(exam: Exam) -> Decimal:
    if exam.rules:
        return sum((r.score * r.count for r in exam.rules), Decimal(0))
    return sum((q.score for q in exam.fixed_questions), Decimal(0))


def paper_problems(exam: Exam) -> list[str]:
    """Why the paper cannot be published yet, in Chinese; empty when it can."""
    problems = []
    if exam.rules and exam.fixed_questions:
        problems.append("试卷只能采用抽题规则或固定试题中的一种")
    if not exam.rules and not exam.fixed_questions:
        problems.append("试卷还没有题目：请设置抽题规则或固定试题")
    for rule in exam.rules:
        have = db.session.scalar(
            sa.select(sa.func.count()).select_from(rule_pool(exam, rule).subquery())
        )
        if have < rule.count:
            problems.append(
                f"{rule.type.label}题库中符合条件的题目只有{have}道，少于抽题数量{rule.count}道"
            )
    for item in exam.fixed_questions:
        if item.question.status is not QuestionStatus.ACTIVE:
            problems.append(f"固定试题“{item.question.stem[:20]}”已停用或已有新版本")
    total = paper_total(exam)
    if total <= 0:
        problems.append("试卷总分必须大于0")
    elif exam.pass_score > total:
        problems.append(f"及格分{format_score(exam.pass_score)}高于试卷总分{format_score(total)}")
    return problems


# ---------------------------------------------------------------- publishing


def publish(exam: Exam, *, actor: Actor, now: datetime) -> int:
    """Freeze the enrolment and open the exam; returns the number enrolled."""
    ensure_manage(actor, exam)
    if exam.status is ExamStatus.PUBLISHED:
        raise ExamError("考试已发布，无需重复发布")
    _ensure_draft(exam)
    problems = publish_problems(exam)
    if problems:
        raise ExamError("；".join(problems))
    # A conditional UPDATE: of two concurrent clicks only one finds the draft.
    claimed = db.session.execute(
        sa.update(Exam)
        .where(Exam.id == exam.id, Exam.status == ExamStatus.DRAFT)
        .values(status=ExamStatus.PUBLISHED, published_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise ExamError("考试已发布，无需重复发布")
    db.session.refresh(exam)
    count = enrolment.freeze(exam)
    if not count:
        raise ExamError("考试对象中没有在岗人员，应考名单为空")
    audit_exam(actor, "exam.publish", exam, detail=f"应考{count}人")
    db.session.flush()
    return count


def publish_problems(exam: Exam) -> list[str]:
    """Everything that stops publishing: the paper, the window, an empty audience."""
    problems = paper_problems(exam)
    if not exam.opens_at or not exam.closes_at:
        problems.append("请设置考试开始和截止时间")
    if not enrolment.audience_count(exam):
        problems.append("考试对象中没有在岗人员，应考名单为空")
    return problems


def cancel(exam: Exam, *, actor: Actor) -> None:
    """Cancel: the record (and any attempts) stay, the exam no longer counts."""
    ensure_manage(actor, exam)
    if exam.status is ExamStatus.CANCELLED:
        raise ExamError("考试已取消")
    exam.status = ExamStatus.CANCELLED
    audit_exam(actor, "exam.cancel", exam, detail=exam.title)
    db.session.flush()
    if exam.kind is ExamKind.MAKEUP and exam.parent_exam_id is not None:
        # Its attempts no longer count for the formal exam.
        exam_tally.refresh_exam(exam.parent_exam_id)
