"""Demo exam data for a town, dated from the day it is loaded: the sample question
bank; last year's annual exam with submitted attempts and a 补考, so the figures, item
analysis and report are complete; and this year's annual exam, open now, that some have
already sat and the demo logins have not.

Everything goes through the exam services (create, draw rules, publish, start, submit,
create the 补考), with the clock set inside each window, so the stored attempts are
exactly what a real sitting would leave. Answers are simulated with a seeded generator:
about 92% of the enrolled sit the exam, about 95% of them pass, and 行政复议法 is
visibly the weakest law in item analysis. The caller commits.
"""

import contextlib
import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..core.time import LOCAL_TZ, to_local, utcnow
from ..extensions import db
from ..external.models import ExternalExam
from ..org.models import Category, OrgUnit, User
from ..org.services import SYSTEM
from . import attempts, external_sheets
from .bank.demo import load_bank
from .grading import LETTERS
from .models import (
    Attempt,
    CountedSheet,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
    Question,
    QuestionType,
    ReviewPolicy,
)
from .papers import makeup
from .papers.services import RuleSpec, Settings, create_exam, publish, set_rules

# Everyone the town trains sits the annual exam: offices and villages alike.
EXAM_CATEGORIES = (
    Category.LEADER,
    Category.OFFICIAL,
    Category.VILLAGE_CADRE,
    Category.LEGAL_LIAISON,
)
# 25 单选 × 2 + 10 多选 × 3.5 + 15 判断 × 1 = 100 points (with 3 points a 多选 the
# paper would total 95).
DRAW_RULES = (
    (QuestionType.SINGLE, 25, Decimal(2)),
    (QuestionType.MULTI, 10, Decimal("3.5")),
    (QuestionType.JUDGE, 15, Decimal(1)),
)
PARTICIPATION = 0.92
# Of those who may still sit this year's open exam, the share who already have.
ALREADY_SAT = 0.3
# Of last year's 补考 candidates, the share who sat it (they had revised: abler).
MAKEUP_PARTICIPATION = 0.7
# How much harder than usual each law is for these cadres (probability points).
LAW_PENALTY = {"行政复议法": 0.25, "行政强制法": 0.08}
TYPE_PENALTY = {QuestionType.SINGLE: 0.0, QuestionType.MULTI: 0.08, QuestionType.JUDGE: -0.04}
DIFFICULTY_PENALTY = {1: -0.05, 2: 0.0, 3: 0.1}


def exam_title(year: int) -> str:
    return f"{year}年度法治理论知识考试"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing time on ``day`` as the naive UTC the columns store."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Window:
    published_at: datetime
    opens_at: datetime
    closes_at: datetime


def past_window(year: int) -> Window:
    """Last year's sitting: 25 November 08:30 to 6 December 17:30, Beijing time."""
    return Window(
        _at(date(year, 11, 20), 10), _at(date(year, 11, 25), 8, 30), _at(date(year, 12, 6), 17, 30)
    )


def makeup_window(year: int) -> Window:
    """The 补考, created on 10 December, sat 16 to 20 December."""
    return Window(
        _at(date(year, 12, 10), 10), _at(date(year, 12, 16), 8, 30), _at(date(year, 12, 20), 17, 30)
    )


def current_window(now: datetime) -> Window:
    """This year's sitting: opened yesterday 08:30, closes in 10 days at 17:30."""
    today = to_local(now).date()
    opens = _at(today - timedelta(days=1), 8, 30)
    return Window(opens - timedelta(days=5), opens, _at(today + timedelta(days=10), 17, 30))


@dataclass
class SeedResult:
    questions_added: int
    exam: Exam | None  # last year's
    enrolled: int
    submitted: int
    passed: int
    makeup: Exam | None = None
    makeup_submitted: int = 0
    current: Exam | None = None  # this year's, open now
    current_submitted: int = 0

    def lines(self) -> list[str]:
        out = []
        if self.questions_added:
            out.append(f"已载入示例题库{self.questions_added}题。")
        if self.exam is not None:
            out.append(
                f"已载入“{self.exam.title}”（应考{self.enrolled}人，交卷{self.submitted}人，"
                f"通过{self.passed}人）及其补考（交卷{self.makeup_submitted}人）。"
            )
        if self.current is not None:
            out.append(
                f"已载入正在进行的“{self.current.title}”（已有{self.current_submitted}人交卷）。"
            )
        return out


def _untracked(items, _label):
    return contextlib.nullcontext(items)


def seed_exams(
    town: OrgUnit,
    people: Iterable[User] | None = None,
    now: datetime | None = None,
    track=_untracked,
    keep_open: Collection[int] = (),
) -> SeedResult:
    """Load the demo bank into ``town``'s bank, last year's exam with attempts and a
    补考, and this year's exam, open at ``now`` (default: now).

    ``people`` limits who sits the exams (e.g. only the demo people just created); by
    default anyone enrolled may. ``keep_open``: ids of people who have not sat this
    year's exam yet (the demo logins), whatever the draw.
    ``track(items, label)`` wraps the sittings in a progress display (the CLI passes
    click.progressbar).
    Idempotent: the bank is loaded only into a town without questions, each exam only
    if the town has no exam of that title.
    """
    now = now or utcnow()
    year = to_local(now).year
    rng = random.Random(year - 1)  # noqa: S311 (repeatable demo answers, not secrets)
    added = load_bank(town, now)
    result = SeedResult(added, None, 0, 0, 0)
    allowed = None if people is None else {p.id for p in people}
    if _existing_exam(town, year - 1) is None:
        _past_year(result, town, year - 1, allowed, rng, track)
    if _existing_exam(town, year) is None:
        window = current_window(now)
        exam, _ = _create_exam(town, year, window)
        sitters = [u for u in _sitters(exam, allowed) if u.id not in keep_open]
        sitting = [(u, _ability(rng)) for u in sitters if rng.random() < ALREADY_SAT]
        window = Window(window.published_at, window.opens_at, now - timedelta(hours=2))
        with db.session.no_autoflush, track(sitting, "模拟今年已交卷的考生") as items:
            done = [_sit(exam, user, ability, window, rng) for user, ability in items]
        result.current, result.current_submitted = exam, len(done)
    db.session.flush()
    return result


def _ability(rng: random.Random) -> float:
    return min(0.97, max(0.5, rng.gauss(0.82, 0.08)))


def _past_year(result, town, year, allowed, rng, track) -> None:
    window = past_window(year)
    exam, enrolled = _create_exam(town, year, window)
    sitters = _sitters(exam, allowed)
    # Who stays away and how able each is are drawn first, so they do not depend on
    # how many random numbers drawing the sheets takes.
    absent = set(rng.sample(range(len(sitters)), round(len(sitters) * (1 - PARTICIPATION))))
    abilities = [_ability(rng) for _ in sitters]
    sitting = [
        (user, ability)
        for i, (user, ability) in enumerate(zip(sitters, abilities, strict=True))
        if i not in absent
    ]
    with db.session.no_autoflush, track(sitting, f"模拟{year}年考生作答") as items:
        done = [_sit(exam, user, ability, window, rng) for user, ability in items]
    db.session.flush()
    result.exam, result.enrolled = exam, enrolled
    result.submitted, result.passed = len(done), sum(1 for a in done if a.passed)
    result.makeup, result.makeup_submitted = _makeup(exam, year, allowed, rng, track)


def _makeup(formal: Exam, year: int, allowed, rng, track) -> tuple[Exam, int]:
    """The 补考 for the absent and the failed, as an admin creates it after the close;
    most of them sit it."""
    window = makeup_window(year)
    exam = makeup.create_makeup(
        formal,
        actor=SYSTEM,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        now=window.published_at,
    )
    sitters = [u for u in _sitters(exam, allowed) if rng.random() < MAKEUP_PARTICIPATION]
    sitting = [(u, min(0.97, _ability(rng) + 0.05)) for u in sitters]
    with db.session.no_autoflush, track(sitting, f"模拟{year}年补考作答") as items:
        done = [_sit(exam, user, ability, window, rng) for user, ability in items]
    db.session.flush()
    return exam, len(done)


# ---------------------------------------------------------------- the exam


def _existing_exam(town: OrgUnit, year: int) -> Exam | None:
    return db.session.scalar(
        sa.select(Exam).where(Exam.owner_unit_id == town.id, Exam.title == exam_title(year))
    )


def _create_exam(town: OrgUnit, year: int, window: Window) -> tuple[Exam, int]:
    """Create, draw rules and publish, as an admin does; the exam and how many it
    enrolled."""
    settings = Settings(
        title=exam_title(year),
        kind=ExamKind.FORMAL,
        year=year,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        time_limit_minutes=60,
        pass_score=Decimal(60),
        max_attempts=1,
        review_policy=ReviewPolicy.AFTER_CLOSE,
        audience={"units": [town.id], "categories": [c.value for c in EXAM_CATEGORIES]},
        credit_hours=Decimal(2),
    )
    exam = create_exam(town, settings, actor=SYSTEM)
    exam.created_at = window.published_at - timedelta(days=1)
    rules = [RuleSpec(type=t, count=n, score=s) for t, n, s in DRAW_RULES]
    set_rules(exam, rules, actor=SYSTEM)
    enrolled = publish(exam, actor=SYSTEM, now=window.published_at)
    return exam, enrolled


def _sitters(exam: Exam, allowed: set[int] | None) -> list[User]:
    enrolled = db.session.scalars(
        sa.select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.exam_id == exam.id, Enrolment.exempt.is_(False))
        .order_by(User.id)
    ).all()
    if allowed is None:
        return list(enrolled)
    return [u for u in enrolled if u.id in allowed]


# ---------------------------------------------------------------- one sitting


def _sit(exam: Exam, user: User, ability: float, window: Window, rng: random.Random) -> Attempt:
    """Start, answer and submit one person's sheet at a time inside ``window``;
    ``ability`` is the chance of answering an ordinary question right."""
    start = _start_time(window, rng)
    attempt = attempts.start_attempt(exam, user, start, rng)
    minutes = rng.uniform(18, 52)
    # Answers are set on the rows as saving would leave them (one save each); going
    # through save_answer for 4,000 answers would cost two statements apiece.
    for aq in attempt.questions:
        aq.response = _response(aq.question, ability, rng)
        if aq.response:
            aq.version = 1
            aq.answered_at = start + timedelta(
                minutes=minutes * aq.position / len(attempt.questions)
            )
    db.session.flush()  # submit re-reads the saved answers from the database
    submitted = attempts.submit_attempt(attempt, user, start + timedelta(minutes=minutes + 1))
    # Grading expires every answer row the session holds: let this sitting's go, or
    # each sitting would cost more than the one before.
    for aq in attempt.questions:
        db.session.expunge(aq)
    return submitted


def _start_time(window: Window, rng: random.Random) -> datetime:
    """A working day in the window, between 09:00 and 16:00 Beijing time, ending an
    hour before the window closes (a window closing today: some time before now)."""
    first, last = window.opens_at, window.closes_at - timedelta(hours=1)
    days = [first.date() + timedelta(days=d) for d in range((last.date() - first.date()).days + 1)]
    weekdays = [d for d in days if d.weekday() < 5] or days
    for _ in range(20):
        day = rng.choice(weekdays)
        start = datetime(day.year, day.month, day.day, 1, 0) + timedelta(
            minutes=rng.randint(0, 420)
        )
        if first <= start <= last:
            return start
    return first + (last - first) * rng.random()


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


def count_external_sheet(town: OrgUnit | None, *, now: datetime) -> list[str]:
    """Last year's imported 全市学法考试 (``external.demo``) counted by last year's 补考
    (计入本考试), as the town decided: who missed or failed its own exam and sat the
    municipal one counts after the make-up. Once."""
    if town is None:
        return []
    year = to_local(now).year - 1
    formal = _existing_exam(town, year)
    sheet = db.session.scalar(
        sa.select(ExternalExam)
        .where(ExternalExam.owner_unit_id == town.id, ExternalExam.year == year)
        .order_by(ExternalExam.id)
        .limit(1)
    )
    if formal is None or sheet is None:
        return []
    family = db.session.scalars(
        sa.select(Exam)
        .where(
            Exam.parent_exam_id == formal.id,
            Exam.kind == ExamKind.MAKEUP,
            Exam.status != ExamStatus.CANCELLED,
        )
        .order_by(Exam.id)
    ).all()
    counted = sa.select(CountedSheet.id).where(
        CountedSheet.exam_id.in_([formal.id, *(e.id for e in family)]),
        CountedSheet.external_exam_id == sheet.id,
    )
    if not family or db.session.scalar(counted) is not None:
        return []
    external_sheets.count_sheet(family[0], sheet, actor=SYSTEM, now=now)
    return [f"已将“{sheet.title}”的成绩计入“{family[0].title}”。"]
