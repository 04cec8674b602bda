"""A learner's side of a course: which courses are theirs, where they stopped, marking
a part done, the resume position, the quiz, and the completion.

A part is done when the learner says so (已学习 / 我已学完, or the media player's
end), or, for a reading assignment, when study has the reading confirmed. The
position in a media part is only for the learner's own resume.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..core.exceptions import NotFound
from ..exams import attempts
from ..exams.models import Attempt
from ..exams.papers import keys
from ..exams.taking import practice
from ..extensions import db
from ..org import audience as audience_module
from ..org import signals
from ..org.models import User
from ..org.permissions import Perm, can
from ..study import readings
from ..study.reading_models import ReadingAssignment, ReadingProgress
from .models import (
    Course,
    CourseCompletion,
    CourseMedia,
    CoursePart,
    CourseQuiz,
    CourseStatus,
    PartKind,
    PartProgress,
)
from .services import CourseError, ensure_open

POSITION_MAX = 24 * 3600


@signals.person_anonymised.connect
def _forget_positions(person: User, **_) -> None:
    """The retention purge: where the person stopped in a video is theirs alone and no
    longer needed; what they completed stays counted."""
    db.session.execute(
        sa.update(PartProgress)
        .where(PartProgress.user_id == person.id, PartProgress.position_seconds.is_not(None))
        .values(position_seconds=None)
        .execution_options(synchronize_session=False)
    )


def takes(course: Course, user: User) -> bool:
    """A published course whose audience holds the person (in the owner's subtree)."""
    return (
        course.status is CourseStatus.PUBLISHED
        and user.unit is not None
        and course.owner_unit.contains(user.unit)
        and audience_module.includes(course.audience, user)
    )


def course_for_learner(course_id: int, user: User) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not takes(course, user):
        raise NotFound
    return course


def part_for_learner(part_id: int, user: User) -> CoursePart:
    part = db.session.get(CoursePart, part_id)
    if part is None or not takes(part.course, user):
        raise NotFound
    return part


def media_for(media_id: int, user: User) -> CourseMedia:
    """A media file the person may play: in a published course of theirs, or (an
    admin) owned within their VIEW_STUDY subtree; NotFound otherwise."""
    found = db.session.get(CourseMedia, media_id)
    if found is None:
        raise NotFound
    if can(user, Perm.VIEW_STUDY, found.owner_unit):
        return found
    courses = db.session.scalars(
        sa.select(Course)
        .join(CoursePart, CoursePart.course_id == Course.id)
        .where(CoursePart.media_id == found.id, Course.status == CourseStatus.PUBLISHED)
    )
    if any(takes(course, user) for course in courses):
        return found
    raise NotFound


# ---------------------------------------------------------------- state


@dataclass
class PartState:
    part: CoursePart
    number: int
    done: bool
    position: int | None  # seconds; the learner's own resume point


@dataclass
class CourseState:
    course: Course
    parts: list[PartState]
    quiz_passed: bool
    quiz_open: Attempt | None
    quiz_last: Attempt | None
    completion: CourseCompletion | None
    last: PartState | None  # where the learner stopped

    @property
    def done_count(self) -> int:
        return sum(1 for p in self.parts if p.done)

    @property
    def parts_done(self) -> bool:
        return all(p.done for p in self.parts)

    @property
    def completed(self) -> bool:
        return self.completion is not None

    @property
    def ready(self) -> bool:
        """Everything done and passed, the completion not yet recorded."""
        return (
            not self.completed
            and self.parts_done
            and (self.quiz_passed or not self.course.quiz_size)
        )

    def next_after(self, part: CoursePart) -> PartState | None:
        later = [p for p in self.parts if p.part.position > part.position]
        return next((p for p in later if not p.done), later[0] if later else None)


def state(course: Course, user: User) -> CourseState:
    parts = list(course.parts)
    ids = [p.id for p in parts]
    progress = {
        row.part_id: row
        for row in db.session.scalars(
            sa.select(PartProgress).where(
                PartProgress.part_id.in_(ids), PartProgress.user_id == user.id
            )
        )
    }
    confirmed = _confirmed_readings(parts, user)
    states = []
    for number, part in enumerate(parts, 1):
        row = progress.get(part.id)
        done = bool(row and row.done_at) or part.reading_id in confirmed
        states.append(PartState(part, number, done, row.position_seconds if row else None))
    touched = [(progress[s.part.id].updated_at, s) for s in states if s.part.id in progress]
    last = max(touched, key=lambda pair: pair[0])[1] if touched else None
    quizzes = _quiz_attempts(course, user)
    return CourseState(
        course=course,
        parts=states,
        quiz_passed=any(a.passed and a.status.finished for a in quizzes),
        quiz_open=next((a for a in quizzes if not a.status.finished), None),
        quiz_last=next((a for a in quizzes if a.status.finished), None),
        completion=db.session.scalar(
            sa.select(CourseCompletion).where(
                CourseCompletion.course_id == course.id, CourseCompletion.user_id == user.id
            )
        ),
        last=last,
    )


def _confirmed_readings(parts: list[CoursePart], user: User) -> set[int]:
    reading_ids = [p.reading_id for p in parts if p.reading_id]
    if not reading_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(ReadingProgress.assignment_id).where(
                ReadingProgress.assignment_id.in_(reading_ids),
                ReadingProgress.user_id == user.id,
                ReadingProgress.confirmed_at.is_not(None),
            )
        )
    )


def _quiz_attempts(course: Course, user: User) -> list[Attempt]:
    """The person's quiz attempts of this course, newest first."""
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .join(CourseQuiz, CourseQuiz.exam_id == Attempt.exam_id)
            .where(CourseQuiz.course_id == course.id, CourseQuiz.user_id == user.id)
            .where(Attempt.user_id == user.id)
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
    )


def my_courses(user: User, year: int) -> list[CourseState]:
    """The year's published courses whose audience holds the person."""
    if user.unit is None:
        return []
    courses = db.session.scalars(
        sa.select(Course)
        .where(
            Course.year == year,
            Course.status == CourseStatus.PUBLISHED,
            Course.owner_unit_id.in_(user.unit.path_ids),
        )
        .order_by(Course.due_on.is_(None), Course.due_on, Course.id.desc())
    )
    return [state(c, user) for c in courses if takes(c, user)]


# ---------------------------------------------------------------- changes


def _progress(part: CoursePart, user: User, now: datetime) -> PartProgress:
    row = db.session.scalar(
        sa.select(PartProgress).where(
            PartProgress.part_id == part.id, PartProgress.user_id == user.id
        )
    )
    if row is None:
        row = PartProgress(part_id=part.id, user_id=user.id, updated_at=now)
        db.session.add(row)
    return row


def mark_done(part: CoursePart, user: User, *, now: datetime) -> CourseState:
    """The learner has studied the part (idempotent); completes the course when it was
    the last thing missing."""
    if not takes(part.course, user):
        raise NotFound
    if part.kind is PartKind.READING and _assigned_reading(part, user):
        # Its own page's 我已学习 (after the minimum time) is what counts.
        raise CourseError("这是布置给您的阅读任务，请在阅读任务页面学习并确认")
    ensure_open(part.course, [user.unit])
    row = _progress(part, user, now)
    if row.done_at is None:
        row.done_at = now
    row.updated_at = now
    db.session.flush()
    return complete_if_ready(part.course, user, now=now)


def _assigned_reading(part: CoursePart, user: User) -> bool:
    reading = db.session.get(ReadingAssignment, part.reading_id or 0)
    return reading is not None and readings.assigned(reading, user)


def save_position(part: CoursePart, user: User, seconds, *, now: datetime) -> int:
    """Where the learner is in a media part, to resume there; nothing else reads it."""
    if not takes(part.course, user):
        raise NotFound
    if part.kind is not PartKind.MEDIA:
        raise CourseError("这一部分不是音视频")
    try:
        value = int(float(seconds))
    except (TypeError, ValueError, OverflowError):
        raise CourseError("播放位置不正确") from None
    limit = (part.media.duration_seconds if part.media else None) or POSITION_MAX
    value = max(0, min(value, limit, POSITION_MAX))
    row = _progress(part, user, now)
    row.position_seconds, row.updated_at = value, now
    db.session.flush()
    return value


def complete_if_ready(course: Course, user: User, *, now: datetime) -> CourseState:
    """Record the completion (once) with the 学时 declared now, if every part is done
    and the quiz, if any, passed."""
    current = state(course, user)
    if current.ready:
        ensure_open(course, [user.unit])
        current.completion = CourseCompletion(
            course_id=course.id, user_id=user.id, completed_at=now,
            credit_hours=course.credit_hours,
        )  # fmt: skip
        db.session.add(current.completion)
        db.session.flush()
    return current


def start_quiz(course: Course, user: User, *, now: datetime) -> Attempt:
    """The quiz in progress, or a new one drawn for the person once every part is done."""
    current = state(course, user)
    if not course.quiz_size:
        raise CourseError("本课程没有测验")
    if not current.parts_done:
        raise CourseError("请先学完课程的全部内容，再参加测验")
    if current.quiz_passed:
        raise CourseError("测验已通过")
    if current.quiz_open is not None and not attempts.is_overdue(current.quiz_open, now):
        return current.quiz_open
    try:
        attempt = practice.start_quiz(
            user, now, title=f"课程测验：{course.title}", size=course.quiz_size,
            pass_percent=course.quiz_pass_percent, law_ref=course.quiz_law_ref,
        )  # fmt: skip
    except practice.NothingToPractise:
        if keys.hidden_from(user, now):
            # An open exam can still ask them: no quiz may show their keys first.
            raise CourseError(
                "您有尚未结束的考试，题库中的题目暂不用于课程测验，请在考试结束后再参加测验"
            ) from None
        raise CourseError("题库中暂无可用于本课程测验的题目，请联系管理员") from None
    except attempts.AttemptError as exc:
        raise CourseError(str(exc)) from exc
    db.session.add(CourseQuiz(course_id=course.id, user_id=user.id, exam_id=attempt.exam_id))
    db.session.flush()
    return attempt
