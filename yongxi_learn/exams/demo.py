"""Demo exam data for a town: the sample question bank and the 2024 annual exam with
submitted attempts, so the figures, item analysis and report are not empty.

Everything goes through the exam services (create, draw rules, publish, start,
save, submit), with the clock set inside the 2024 window, so the stored attempts
are exactly what a real sitting would leave. Answers are simulated with a seeded
generator: about 92% of the enrolled sit the exam, about 95% of them pass, and
行政复议法 is visibly the weakest law in item analysis. The caller commits.
"""

import contextlib
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..core.time import utcnow
from ..extensions import db
from ..org.models import Category, OrgUnit, User
from ..org.services import SYSTEM
from . import attempts, papers
from .demo_bank import load_bank
from .grading import LETTERS
from .models import (
    Attempt,
    Enrolment,
    Exam,
    ExamKind,
    Question,
    QuestionType,
    ReviewPolicy,
)

EXAM_TITLE = "2024年度法治理论知识考试"
EXAM_CATEGORIES = (Category.LEADER, Category.OFFICIAL)
# 25 单选 × 2 + 10 多选 × 3.5 + 15 判断 × 1 = 100 points (with 3 points a 多选 the
# paper would total 95).
DRAW_RULES = (
    (QuestionType.SINGLE, 25, Decimal(2)),
    (QuestionType.MULTI, 10, Decimal("3.5")),
    (QuestionType.JUDGE, 15, Decimal(1)),
)
DEFAULT_SCORES = {rule[0]: rule[2] for rule in DRAW_RULES}
# The window, in UTC: 2024-11-25 08:30 to 2024-12-06 17:30 Beijing time.
PUBLISHED_AT = datetime(2024, 11, 20, 2, 0)
OPENS_AT = datetime(2024, 11, 25, 0, 30)
CLOSES_AT = datetime(2024, 12, 6, 9, 30)
PARTICIPATION = 0.92
# How much harder than usual each law is for these cadres (probability points).
LAW_PENALTY = {"行政复议法": 0.25, "行政强制法": 0.08}
TYPE_PENALTY = {QuestionType.SINGLE: 0.0, QuestionType.MULTI: 0.08, QuestionType.JUDGE: -0.04}
DIFFICULTY_PENALTY = {1: -0.05, 2: 0.0, 3: 0.1}


@dataclass
class SeedResult:
    questions_added: int
    exam: Exam | None
    enrolled: int
    submitted: int
    passed: int


def _untracked(items, _label):
    return contextlib.nullcontext(items)


def seed_exams(
    town: OrgUnit,
    people: Iterable[User] | None = None,
    now: datetime | None = None,
    track=_untracked,
) -> SeedResult:
    """Load the demo bank into ``town``'s bank and create the 2024 exam with attempts.

    ``people`` limits who sits the exam (e.g. only the demo people just created);
    by default anyone enrolled may. ``now`` stamps the bank rows (default: now).
    ``track(items, label)`` wraps the sittings in a progress display (the CLI passes
    click.progressbar).
    Idempotent: the bank is loaded only into a town without questions, the exam
    only if the town has no exam of that title.
    """
    rng = random.Random(2024)  # noqa: S311 (repeatable demo answers, not secrets)
    added = load_bank(town, now or utcnow())
    if _existing_exam(town) is not None:
        return SeedResult(added, None, 0, 0, 0)
    exam = _create_exam(town)
    enrolled = papers.publish(exam, actor=SYSTEM, now=PUBLISHED_AT)
    sitters = _sitters(exam, people)
    # Who stays away and how able each is are drawn first, so they do not depend on
    # how many random numbers drawing the papers takes.
    absent = set(rng.sample(range(len(sitters)), round(len(sitters) * (1 - PARTICIPATION))))
    abilities = [min(0.97, max(0.5, rng.gauss(0.82, 0.08))) for _ in sitters]
    sitting = [
        (user, ability)
        for i, (user, ability) in enumerate(zip(sitters, abilities, strict=True))
        if i not in absent
    ]
    with db.session.no_autoflush, track(sitting, "模拟考生作答") as items:
        done = [_sit(exam, user, ability, rng) for user, ability in items]
    db.session.flush()
    return SeedResult(added, exam, enrolled, len(done), sum(1 for a in done if a.passed))


# ---------------------------------------------------------------- the exam


def _existing_exam(town: OrgUnit) -> Exam | None:
    return db.session.scalar(
        sa.select(Exam).where(Exam.owner_unit_id == town.id, Exam.title == EXAM_TITLE)
    )


def _create_exam(town: OrgUnit) -> Exam:
    settings = papers.Settings(
        title=EXAM_TITLE,
        kind=ExamKind.FORMAL,
        year=2024,
        opens_at=OPENS_AT,
        closes_at=CLOSES_AT,
        time_limit_minutes=60,
        pass_score=Decimal(60),
        max_attempts=1,
        review_policy=ReviewPolicy.AFTER_CLOSE,
        audience={"units": [town.id], "categories": [c.value for c in EXAM_CATEGORIES]},
    )
    exam = papers.create_exam(town, settings, actor=SYSTEM)
    exam.created_at = PUBLISHED_AT - timedelta(days=1)
    rules = [papers.RuleSpec(type=t, count=n, score=s) for t, n, s in DRAW_RULES]
    papers.set_rules(exam, rules, actor=SYSTEM)
    return exam


def _sitters(exam: Exam, people: Iterable[User] | None) -> list[User]:
    enrolled = db.session.scalars(
        sa.select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.exam_id == exam.id, Enrolment.exempt.is_(False))
        .order_by(User.id)
    ).all()
    if people is None:
        return list(enrolled)
    allowed = {p.id for p in people}
    return [u for u in enrolled if u.id in allowed]


# ---------------------------------------------------------------- one sitting


def _sit(exam: Exam, user: User, ability: float, rng: random.Random) -> Attempt:
    """Start, answer and submit one person's paper at a time inside the window;
    ``ability`` is the chance of answering an ordinary question right."""
    start = _start_time(rng)
    attempt = attempts.start_attempt(exam, user, start, rng)
    minutes = rng.uniform(18, 52)
    # Answers are set on the rows as saving would leave them (one save each); going
    # through save_answer for 4,000 answers would cost two statements apiece.
    for aq in attempt.questions:
        aq.response = _response(aq.question, ability, rng)
        if aq.response:
            aq.seq = 1
            aq.answered_at = start + timedelta(
                minutes=minutes * aq.position / len(attempt.questions)
            )
    db.session.flush()  # submit re-reads the saved answers from the database
    return attempts.submit_attempt(attempt, user, start + timedelta(minutes=minutes + 1))


def _start_time(rng: random.Random) -> datetime:
    """A working day in the window, between 09:00 and 16:00 Beijing time."""
    days = [
        OPENS_AT.date() + timedelta(days=d)
        for d in range((CLOSES_AT.date() - OPENS_AT.date()).days + 1)
    ]
    day = rng.choice([d for d in days if d.weekday() < 5])
    return datetime(day.year, day.month, day.day, 1, 0) + timedelta(minutes=rng.randint(0, 420))


def _response(question: Question, ability: float, rng: random.Random) -> str:
    """The canonical letters this person answers ("" for a question left blank)."""
    if rng.random() < 0.01:
        return ""
    p = (
        ability
        - LAW_PENALTY.get(question.law_ref, 0.0)
        - TYPE_PENALTY[question.type]
        - DIFFICULTY_PENALTY.get(question.difficulty, 0.0)
    )
    if rng.random() < p:
        return question.answer
    return _wrong(question, rng)


def _wrong(question: Question, rng: random.Random) -> str:
    letters = LETTERS[: len(question.options)]
    key = question.answer
    if question.type is not QuestionType.MULTI:
        return rng.choice([c for c in letters if c != key])
    extra = [c for c in letters if c not in key]
    # The usual 多选 mistake is leaving out a correct option; sometimes one too many.
    if extra and rng.random() < 0.3:
        return "".join(sorted(key + rng.choice(extra)))
    missing = rng.choice(key)
    return key.replace(missing, "")
