"""Taking an exam: start (draw the sheet), save answers, submit, finalize at the
deadline, and what the result page may show.

The deadline lives on the server (DESIGN §5). Every function takes the person as
``user=`` and the time as ``now=``, raises a domain exception, and flushes; the
view commits once.
"""

import random
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..core.exceptions import NotFound
from ..extensions import db
from ..org.models import User
from ..org.year_close import ensure_year_open
from . import answer_versions, exam_tally, grading, scoring
from .models import (
    Attempt,
    AttemptLogin,
    AttemptMode,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamQuestion,
    ExamRule,
    ExamStatus,
    Question,
    QuestionType,
)
from .papers.services import rule_pool

# Answers and submits already on their way when the deadline passes still count.
GRACE = timedelta(seconds=30)


class AttemptError(Exception):
    """Something the person cannot do now; the message is shown to them."""


class NotEnrolled(AttemptError):
    def __init__(self):
        super().__init__("您不在本次考试的应考名单中")


class ExamNotOpen(AttemptError):
    def __init__(self):
        super().__init__("考试尚未开始")


class ExamClosed(AttemptError):
    def __init__(self):
        super().__init__("考试已结束")


class NoAttemptsLeft(AttemptError):
    def __init__(self, message="您的考试次数已用完"):
        super().__init__(message)


# A printed paper waiting to be typed in counts as a try (``paper_sittings``).
PAPER_USES_TRY = (
    "您已领取本次考试的纸质试卷，纸质试卷计入考试次数，考试次数已用完，"
    "不能再在线作答。请在纸质试卷上作答并交回。"
)


class NotEnoughQuestions(AttemptError):
    def __init__(self):
        super().__init__("题库中符合组卷规则的题目不足，请联系管理员")


class AttemptFinished(AttemptError):
    """The attempt is over (submitted, or its deadline has passed)."""

    def __init__(self, message="本次考试已交卷或已超过截止时间，答案未保存"):
        super().__init__(message)


class InvalidAnswer(AttemptError):
    def __init__(self):
        super().__init__("答案格式不正确")


# ---------------------------------------------------------------- loading


def load_attempt(
    attempt_id: int, user: User, *, lock: str | None = None, with_exam: bool = False
) -> Attempt:
    """The person's own attempt, optionally row-locked ("share" or "update") or
    with its exam in the same query (a page that shows the exam's title).

    Someone else's attempt is NotFound (a 404), exactly like a missing one; so is a
    paper sitting not yet typed in (``paper_sittings``): it is answered on paper.
    """
    query = sa.select(Attempt).where(
        Attempt.id == attempt_id, Attempt.user_id == user.id, NOT_ON_PAPER
    )
    if with_exam:
        query = query.options(orm.joinedload(Attempt.exam))
    if lock:
        # Always re-read the row: the lock is only useful with the newest state.
        query = query.with_for_update(read=lock == "share").execution_options(
            populate_existing=True
        )
    attempt = db.session.scalar(query)
    if attempt is None:
        raise NotFound(attempt_id)
    return attempt


# Attempts the person may open, answer and hand in online: all but a printed paper
# waiting to be typed in.
NOT_ON_PAPER = sa.or_(
    Attempt.mode == AttemptMode.ONLINE, Attempt.status != AttemptStatus.IN_PROGRESS
)


def ensure_own(attempt: Attempt, user: User) -> None:
    if attempt.user_id != user.id:
        raise NotFound(attempt.id)
    if attempt.mode is AttemptMode.PAPER and not attempt.status.finished:
        raise NotFound(attempt.id)


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    return (
        attempt.status is AttemptStatus.IN_PROGRESS
        and attempt.deadline is not None
        and now > attempt.deadline + GRACE
    )


def past_deadline(attempt: Attempt, now: datetime) -> bool:
    """The deadline has passed (the grace period may still run)."""
    return attempt.deadline is not None and now > attempt.deadline


def remaining_seconds(attempt: Attempt, now: datetime) -> int | None:
    """Whole seconds to the deadline (never negative); None when untimed."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


# ---------------------------------------------------------------- start


def attempts_left(exam: Exam, finished_count: int) -> int:
    if exam.kind is ExamKind.PRACTICE:
        return 1  # practice is never limited
    return max(0, exam.max_attempts - finished_count)


def start_attempt(
    exam: Exam, user: User, now: datetime, rng: random.Random | None = None
) -> Attempt:
    """The person's attempt in progress, or a new one with its sheet drawn and frozen."""
    _ensure_enrolled(exam, user)
    current = _attempt_in_progress(exam, user)
    if current is not None:
        if not is_overdue(current, now):
            return current
        finalize(current, now)
    _ensure_window_open(exam, now)
    if exam.kind is not ExamKind.PRACTICE:  # a closed year's sheets stay as they are
        ensure_year_open(exam.owner_unit, exam.year, error=AttemptError)
    used, on_paper = _tries_used(exam, user)
    if attempts_left(exam, used) <= 0:
        raise NoAttemptsLeft(PAPER_USES_TRY) if on_paper else NoAttemptsLeft()
    last = _last_attempt(exam, user)
    if (
        last is not None
        and last.status is AttemptStatus.IN_PROGRESS
        and last.mode is AttemptMode.ONLINE
    ):
        return last  # a concurrent start inserted it after the first look: that one
    number = (last.number if last is not None else 0) + 1
    attempt = _new_attempt(exam, user, number, now, rng or secrets.SystemRandom())
    return _insert_once(attempt, exam, user, number)


def _ensure_enrolled(exam: Exam, user: User) -> None:
    enrolled = db.session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.exam_id == exam.id,
            Enrolment.user_id == user.id,
            Enrolment.exempt.is_(False),
        )
    )
    if enrolled is None or exam.status is not ExamStatus.PUBLISHED:
        raise NotEnrolled()


def _ensure_window_open(exam: Exam, now: datetime) -> None:
    if exam.opens_at is not None and now < exam.opens_at:
        raise ExamNotOpen()
    if exam.closes_at is not None and now >= exam.closes_at:
        raise ExamClosed()


def _attempt_in_progress(exam: Exam, user: User) -> Attempt | None:
    return db.session.scalar(
        sa.select(Attempt)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.user_id == user.id,
            Attempt.status == AttemptStatus.IN_PROGRESS,
            Attempt.mode == AttemptMode.ONLINE,
        )
        .order_by(Attempt.number.desc())
        .limit(1)
    )


def _tries_used(exam: Exam, user: User, *, open_online: bool = False) -> tuple[int, int]:
    """How many of the exam's tries the person has used — finished attempts and
    printed papers waiting to be typed in, and with ``open_online`` an attempt open
    online (开始即计一次; starting resumes that one instead, and must not count one a
    concurrent start just inserted) — and how many of those are waiting papers."""
    waiting = sa.and_(
        Attempt.mode == AttemptMode.PAPER, Attempt.status == AttemptStatus.IN_PROGRESS
    )
    counted = sa.true() if open_online else ~ONLINE_IN_PROGRESS
    used, on_paper = db.session.execute(
        sa.select(sa.func.count(sa.case((counted, 1))), sa.func.count(sa.case((waiting, 1)))).where(
            Attempt.exam_id == exam.id, Attempt.user_id == user.id
        )
    ).one()
    return used, on_paper


ONLINE_IN_PROGRESS = sa.and_(
    Attempt.mode == AttemptMode.ONLINE, Attempt.status == AttemptStatus.IN_PROGRESS
)


def _last_attempt(exam: Exam, user: User) -> Attempt | None:
    """The person's latest try at the exam (the highest number), read afresh."""
    return db.session.scalar(
        sa.select(Attempt)
        .where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)
        .order_by(Attempt.number.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


def _last_number(exam: Exam, user: User) -> int | None:
    return db.session.scalar(
        sa.select(sa.func.max(Attempt.number)).where(
            Attempt.exam_id == exam.id, Attempt.user_id == user.id
        )
    )


def _insert_once(attempt: Attempt, exam: Exam, user: User, number: int) -> Attempt:
    """Insert the attempt; if a concurrent request already created this try, use its.

    The unique (exam, user, number) constraint decides the race; the savepoint
    keeps the rest of the transaction usable after the loser's IntegrityError.
    """
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        winner = db.session.scalar(
            sa.select(Attempt).where(
                Attempt.exam_id == exam.id, Attempt.user_id == user.id, Attempt.number == number
            )
        )
        if winner is None:
            raise
        return winner
    return attempt


def deadline_for(exam: Exam, start: datetime) -> datetime | None:
    """min(start + time limit, window close); None when neither bounds the attempt."""
    bounds = [exam.closes_at] if exam.closes_at is not None else []
    if exam.time_limit_minutes:
        bounds.append(start + timedelta(minutes=exam.time_limit_minutes))
    return min(bounds) if bounds else None


def _new_attempt(exam, user, number, now, rng) -> Attempt:
    attempt = Attempt(
        exam_id=exam.id,
        user_id=user.id,
        number=number,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline=deadline_for(exam, now),
    )
    items = _draw_sheet(exam, rng)
    for position, (question, score) in enumerate(items, start=1):
        attempt.questions.append(
            AttemptQuestion(
                position=position,
                question=question,
                option_order=_option_order(exam, question, rng),
                score=score,
                response="",
                version=0,
            )
        )
    attempt.max_score = sum((score for _, score in items), Decimal(0))
    return attempt


def _draw_sheet(exam: Exam, rng: random.Random) -> list[tuple[Question, Decimal]]:
    """The questions and their scores, in the order this person sees them."""
    fixed = _fixed_questions(exam)
    if fixed:
        items = [(eq.question, eq.score) for eq in fixed]
        return _order(items, exam.shuffle_questions, rng)
    chosen: set[int] = set()
    items = []
    for rule in exam.rules:
        drawn = _draw(rule, exam, chosen, rng)
        chosen.update(q.id for q in drawn)
        items.extend((q, rule.score) for q in drawn)
    return _order(items, exam.shuffle_questions, rng)


def _fixed_questions(exam: Exam) -> list[ExamQuestion]:
    """The paper's fixed questions with their bank questions, in one query: loaded on
    first touch, each question cost a round trip of its own at every start."""
    return db.session.scalars(
        sa.select(ExamQuestion)
        .where(ExamQuestion.exam_id == exam.id)
        .options(orm.joinedload(ExamQuestion.question))
        .order_by(ExamQuestion.position)
    ).all()


def _order(items, shuffle: bool, rng: random.Random):
    # Shuffling stays within a type, so the sheet keeps its 单选/多选/判断 sections.
    groups: dict[QuestionType, list] = {}
    for item in items:
        groups.setdefault(item[0].type, []).append(item)
    ordered = []
    for group in groups.values():
        if shuffle:
            rng.shuffle(group)
        ordered.extend(group)
    return ordered


def _draw(rule: ExamRule, exam: Exam, exclude: set[int], rng: random.Random) -> list[Question]:
    pool = db.session.scalars(rule_pool(exam, rule)).all()
    pool = sorted(set(pool) - exclude)
    if len(pool) < rule.count:
        raise NotEnoughQuestions()
    picked = sorted(rng.sample(pool, rule.count))
    questions = {
        q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_(picked)))
    }
    return [questions[qid] for qid in picked]


def _option_order(exam: Exam, question: Question, rng: random.Random) -> list[int]:
    order = list(range(len(question.options)))
    # 判断 always reads 正确 then 错误.
    if exam.shuffle_options and question.type is not QuestionType.JUDGE:
        rng.shuffle(order)
    return order


# ---------------------------------------------------------------- answers


def save_answer(
    attempt: Attempt,
    user: User,
    position: int | None,
    shown_letters: str,
    now: datetime,
    *,
    base: int | None = None,
    age_ms: int | None = None,
    page: answer_versions.PageOrder = answer_versions.NO_PAGE,
) -> answer_versions.Saved:
    """Save one answer, given ``age_ms`` ago by a page that saw version ``base`` of
    it (``page``: which page, and its count of saves), unless a newer one is saved
    (``answer_versions``). Either way the answer
    kept comes back, so a retry of the same save is harmless.

    Load the attempt with ``load_attempt(lock="share")`` so a concurrent submit waits
    for this save.
    """
    _ensure_open(attempt, user, now)
    row = db.session.execute(
        sa.select(
            AttemptQuestion.option_order,
            Question.type,
            answer_versions.total_of(AttemptQuestion.attempt_id).label("total"),
        )
        .join(Question, Question.id == AttemptQuestion.question_id)
        .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position)
    ).first()
    if row is None:
        raise InvalidAnswer()
    canonical = to_canonical(shown_letters, row.type, row.option_order)
    where = {"b_attempt": attempt.id, "b_position": position}
    version = db.session.execute(
        answer_versions.SAVE,
        {
            **where,
            "base": -1 if base is None else base,
            "given": answer_versions.given_at(now, age_ms),
            "new_response": canonical,
            **page.params(),
        },
        execution_options={"synchronize_session": False},
    ).scalar()
    applied = version is not None
    if not applied:
        canonical, version = db.session.execute(answer_versions.CURRENT, where).one()
    letters = grading.canonical_to_shown(canonical, row.option_order) if canonical else ""
    remaining = remaining_seconds(attempt, now)
    return answer_versions.Saved(applied, letters, version, row.total + applied, remaining)


def save_form_answers(
    attempt: Attempt,
    user: User,
    answers: Mapping[int, str],
    versions: Mapping[int, int],
    now: datetime,
) -> list[int]:
    """The no-JavaScript path (and 交卷 on every page): the submitted form holds every
    answer as shown, and the version of each the page last saw (``versions``).

    A position missing from ``answers`` was left blank on the page. An answer that
    differs from the one saved is written, unless another page changed the saved one
    after this page saw it: the positions so kept are returned, for the person to
    check (``answer_versions.form_conflicts``).
    """
    _ensure_open(attempt, user, now)
    kept = []
    for aq in attempt.questions:
        shown = answers.get(aq.position, "")
        canonical = to_canonical(shown, aq.question.type, aq.option_order)
        if aq.response == canonical:
            continue
        if answer_versions.form_conflicts(aq.version, versions.get(aq.position)):
            kept.append(aq.position)
            continue
        aq.response = canonical
        aq.version += 1
        aq.answered_at = now
    db.session.flush()
    return kept


def late_answers(attempt: Attempt, answers: Mapping[int, str]) -> int:
    """How many answers of a form handed in too late differ from those saved (and so
    did not count); letters a question does not have are not counted."""
    late = 0
    for aq in attempt.questions:
        try:
            canonical = to_canonical(
                answers.get(aq.position, ""), aq.question.type, aq.option_order
            )
        except InvalidAnswer:
            continue
        late += canonical != aq.response
    return late


def login_known(attempt_id: int, login_id: int) -> bool:
    return db.session.get(AttemptLogin, (attempt_id, login_id)) is not None


def record_login(attempt_id: int, login_id: int, now: datetime) -> None:
    """Note that this login (a browser on a device) opened or answered the attempt."""
    db.session.execute(
        _insert()(AttemptLogin)
        .values(attempt_id=attempt_id, login_id=login_id, first_seen_at=now)
        .on_conflict_do_nothing()
    )


def _insert():
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert


def to_canonical(shown: str, qtype: QuestionType, option_order: list[int]) -> str:
    """Validate letters as shown and convert them; "" clears the answer."""
    shown = (shown or "").strip().upper()
    if not shown:
        return ""
    letters = grading.LETTERS[: len(option_order)]
    if any(ch not in letters for ch in shown) or len(set(shown)) != len(shown):
        raise InvalidAnswer()
    if qtype is not QuestionType.MULTI and len(shown) != 1:
        raise InvalidAnswer()
    return grading.shown_to_canonical(shown, option_order)


def _ensure_open(attempt: Attempt, user: User, now: datetime) -> None:
    ensure_own(attempt, user)
    if is_overdue(attempt, now):
        finalize(attempt, now)
    if attempt.status.finished:
        raise AttemptFinished()


# ---------------------------------------------------------------- submit and finalize


def submit_attempt(attempt: Attempt, user: User, now: datetime) -> Attempt:
    """Grade and close the attempt; submitting again returns the same result.

    Load the attempt with ``load_attempt(lock="update")``: concurrent submits then
    queue on the row and all but the first find it finished.
    """
    ensure_own(attempt, user)
    if attempt.status.finished:
        return attempt
    if is_overdue(attempt, now):
        finalize(attempt, now)
        raise AttemptFinished("已超过截止时间，系统已按您保存的答案自动交卷")
    # Handed in during the grace period: it still finished by the deadline.
    finished_at = min(now, attempt.deadline) if attempt.deadline else now
    _grade(attempt, AttemptStatus.SUBMITTED, finished_at)
    exam_tally.attempts_changed([attempt])
    return attempt


def finalize(attempt: Attempt, now: datetime) -> bool:
    """Finalize an overdue attempt with its saved answers, finished at the deadline."""
    if not _expire(attempt, now):
        return False
    exam_tally.attempts_changed([attempt])
    return True


def _expire(attempt: Attempt, now: datetime) -> bool:
    if not is_overdue(attempt, now):
        return False
    _grade(attempt, AttemptStatus.EXPIRED, attempt.deadline)
    return True


def finalize_overdue(now: datetime, user: User | None = None) -> int:
    """Finalize every attempt (of ``user``, or everyone's) left open past its
    deadline; returns how many."""
    query = sa.select(Attempt).where(
        Attempt.status == AttemptStatus.IN_PROGRESS,
        Attempt.deadline.is_not(None),
        Attempt.deadline < now - GRACE,
    )
    if user is not None:
        query = query.where(Attempt.user_id == user.id)
    overdue = db.session.scalars(
        query.order_by(Attempt.id).with_for_update().execution_options(populate_existing=True)
    ).all()
    finalized = [attempt for attempt in overdue if _expire(attempt, now)]
    # The figures' groups once, at the end, in key order (see exam_tally).
    exam_tally.attempts_changed(finalized)
    return len(finalized)


_GRADED_FIELDS = ["response", "version", "answered_at", "correct", "awarded"]


def _grade(attempt: Attempt, status: AttemptStatus, finished_at: datetime) -> None:
    # The rows are graded and written set-based, from the answers as stored now
    # (save_answer writes with bulk UPDATEs that do not refresh loaded rows); Core
    # statements do not autoflush, so changes of loaded rows are written first.
    db.session.flush()
    result = scoring.grade_stored(attempt.id)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, AttemptQuestion):  # loaded rows: read again when next used
            db.session.expire(obj, _GRADED_FIELDS)
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.passed = result.passed
    attempt.status = status
    attempt.finished_at = finished_at
    db.session.flush()
