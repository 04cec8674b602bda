"""学时 (DESIGN §3): a person's yearly learning credit, from completion only.

Each form of learning carries its value — a training session its hours as held, a
reading, a study-list item and a course their declared 学时 when completed, a passed
formal exam (its 补考 included) its configured credit, an external result what the
other platform credited — and a person's year is the sum. ``ledger`` is the one
definition: a UNION ALL with one row per credited line (person, form, source, when,
学时); a person's 学法档案 reads its lines, the 达标率 its sums. Nothing here reads a
time spent: a reading's clock only decides whether it may be confirmed.

Targets are set per year and 人员类别 by the district (``CreditTarget``; a unit reads
the nearest row on its path, as with the thresholds). 达标率 = people meeting their
category's target / people of the categories with a target, over the active people
of a subtree, by child unit in name order with the names behind.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..core.credit import ZERO, hours_text, problem
from ..core.formatting import Rate
from ..core.labels import LabelledEnum
from ..courses.ledger import completions_select
from ..exams.counting import attempt_scores
from ..exams.models import Exam, ExamKind, ExamStatus
from ..extensions import db
from ..external.models import ExternalExam, ExternalResult
from ..laws.models import Law
from ..org import audit
from ..org.models import Category, OrgUnit, UnitKind, User
from ..org.names import pinyin_key
from ..org.permissions import Perm, ensure
from ..org.subtrees import child_units, subtree
from ..org.year_close import ensure_year_open
from ..study.plan_models import ItemKind, StudyList, StudyListItem, StudyProgress, StudySelection
from ..study.reading_models import ReadingAssignment, ReadingProgress
from ..study.readings import in_year as reading_in_year
from ..training.models import Attendance, SessionStatus, TrainingSession
from .common import ensure_view
from .threshold_models import CreditTarget
from .thresholds import ThresholdError, name_order


class Source(LabelledEnum):
    TRAINING = "training", "集中学习"
    READING = "reading", "阅读任务"
    STUDY = "study", "学习清单"
    COURSE = "course", "网络课程"
    EXAM = "exam", "考试"
    EXTERNAL = "external", "外部考试"


SOURCE_ORDER = list(Source)


# ---------------------------------------------------------------- the ledger


def _line(user_id, source: Source, ref_id, title, on, hours):
    return (
        user_id.label("user_id"),
        sa.literal(source.value).label("source"),
        ref_id.label("ref_id"),
        sa.cast(title, sa.String(300)).label("title"),
        sa.type_coerce(on, sa.DateTime).label("on"),
        sa.cast(hours, sa.Numeric(6, 1)).label("hours"),
    )


def _training(year: int, users):
    return (
        sa.select(
            *_line(
                Attendance.user_id,
                Source.TRAINING,
                TrainingSession.id,
                TrainingSession.topic,
                TrainingSession.starts_at,
                TrainingSession.hours,
            )
        )
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(
            TrainingSession.year == year,
            TrainingSession.status == SessionStatus.SCHEDULED,
            Attendance.revoked_at.is_(None),
            Attendance.user_id.in_(users),
            TrainingSession.hours > 0,
        )
    )


def _readings(year: int, users):
    return (
        sa.select(
            *_line(
                ReadingProgress.user_id,
                Source.READING,
                ReadingAssignment.id,
                ReadingAssignment.title,
                ReadingProgress.confirmed_at,
                ReadingAssignment.credit_hours,
            )
        )
        .join(ReadingAssignment, ReadingProgress.assignment_id == ReadingAssignment.id)
        .where(
            reading_in_year(year),
            ReadingProgress.confirmed_at.is_not(None),
            ReadingProgress.user_id.in_(users),
            ReadingAssignment.credit_hours > 0,
        )
    )


def _study(year: int, users):
    """A finished item on the person's plan: 必学, or a 重点 / 专业 item they chose."""
    chosen = (
        sa.select(StudySelection.id)
        .where(
            StudySelection.item_id == StudyProgress.item_id,
            StudySelection.user_id == StudyProgress.user_id,
        )
        .exists()
    )
    return (
        sa.select(
            *_line(
                StudyProgress.user_id,
                Source.STUDY,
                StudyListItem.id,
                StudyList.name + "：" + Law.title,
                StudyProgress.finished_at,
                StudyListItem.credit_hours,
            )
        )
        .join(StudyListItem, StudyProgress.item_id == StudyListItem.id)
        .join(StudyList, StudyListItem.list_id == StudyList.id)
        .join(Law, StudyListItem.law_id == Law.id)
        .where(
            StudyList.year == year,
            StudyProgress.finished_at.is_not(None),
            StudyProgress.user_id.in_(users),
            StudyListItem.credit_hours > 0,
            sa.or_(StudyListItem.kind == ItemKind.REQUIRED, chosen),
        )
    )


def _formal_exams(year: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Exam.id).where(
                Exam.year == year,
                Exam.kind == ExamKind.FORMAL,
                Exam.personal.is_(False),
                Exam.status == ExamStatus.PUBLISHED,
                Exam.credit_hours > 0,
            )
        )
    )


def _exams(year: int, users):
    """A formal exam passed (its best finished score, 补考 included, at its pass
    mark): ``exams.counting``'s scores, as the figures count a pass, from the platform's
    own sittings: an imported result an exam counts (计入本考试) carries its own 学时
    (``_external``), so one sitting is credited once."""
    formal_ids = _formal_exams(year)
    if not formal_ids:
        return None
    best = attempt_scores(formal_ids, users, sheets=False)
    return (
        sa.select(
            *_line(
                best.c.user_id, Source.EXAM, Exam.id, Exam.title, Exam.opens_at, Exam.credit_hours
            )
        )
        .select_from(best)
        .join(Exam, Exam.id == best.c.formal_id)
        .where(best.c.best >= Exam.pass_score)
    )


def _external(year: int, users):
    return (
        sa.select(
            *_line(
                ExternalResult.user_id,
                Source.EXTERNAL,
                ExternalExam.id,
                ExternalExam.title,
                ExternalResult.sat_on,
                ExternalResult.credit_hours,
            )
        )
        .join(ExternalExam, ExternalResult.exam_id == ExternalExam.id)
        .where(
            ExternalExam.year == year,
            ExternalResult.user_id.in_(users),
            ExternalResult.credit_hours > 0,
        )
    )


def _courses(year: int, users):
    """A course completed (every part done, its quiz passed), at the 学时 declared then."""
    done = completions_select(year, users).subquery("course_done")
    return sa.select(
        *_line(
            done.c.user_id,
            Source.COURSE,
            done.c.course_id,
            done.c.title,
            done.c.completed_at,
            done.c.credit_hours,
        )
    ).where(done.c.credit_hours > 0)


def ledger(year: int, users) -> sa.Subquery:
    """Every credited line of ``year`` of the people ``users`` (a select of user ids):
    user_id, source (a ``Source`` value), ref_id, title, on (UTC), hours."""
    parts = [
        part
        for make in (_training, _readings, _study, _courses, _exams, _external)
        if (part := make(year, users)) is not None
    ]
    return sa.union_all(*parts).subquery("ledger")


def totals(year: int, users):
    """A subquery: user_id, hours — each person of ``users`` with any credit."""
    lines = ledger(year, users)
    return (
        sa.select(lines.c.user_id, sa.func.sum(lines.c.hours).label("hours"))
        .group_by(lines.c.user_id)
        .subquery("credit_totals")
    )


@dataclass(frozen=True)
class Line:
    source: Source
    ref_id: int
    title: str
    on: datetime | None
    hours: Decimal


@dataclass(frozen=True)
class PersonYear:
    """A person's 学时 in a year, line by line, against their category's target."""

    year: int
    lines: list[Line]
    target: Decimal | None

    @property
    def total(self) -> Decimal:
        return sum((line.hours for line in self.lines), ZERO)

    @property
    def by_source(self) -> list[tuple[Source, Decimal]]:
        sums = {}
        for line in self.lines:
            sums[line.source] = sums.get(line.source, ZERO) + line.hours
        return [(s, sums[s]) for s in SOURCE_ORDER if s in sums]

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.total >= self.target

    @property
    def left(self) -> Decimal:
        """学时 still to reach the target (0 when met or without one)."""
        if self.target is None:
            return ZERO
        return max(self.target - self.total, ZERO)

    @property
    def progress_text(self) -> str:
        done = f"{hours_text(self.total)}学时"
        if self.target is None:
            return done
        return f"{done} / 目标{hours_text(self.target)}学时"


def person_year(person: User, year: int) -> PersonYear:
    lines = ledger(year, sa.select(sa.literal(person.id)))
    found = [
        Line(Source(r.source), r.ref_id, r.title, r.on, Decimal(r.hours).quantize(Decimal("0.1")))
        for r in db.session.execute(sa.select(lines))
    ]
    # By date (undated last), then in the order of the forms: the same on every database.
    found.sort(
        key=lambda x: (x.on is None, x.on or datetime.min, SOURCE_ORDER.index(x.source), x.ref_id)
    )
    target = targets_for(year, person.unit).get(person.category)
    return PersonYear(year, found, target)


# ---------------------------------------------------------------- targets


def _target_rows(year: int, unit: OrgUnit) -> list[CreditTarget]:
    """The rows ``unit`` is held to in ``year``: those of the nearest unit on its path
    that has any."""
    ids = unit.path_ids
    rows = db.session.scalars(
        sa.select(CreditTarget).where(CreditTarget.year == year, CreditTarget.unit_id.in_(ids))
    ).all()
    for unit_id in reversed(ids):
        mine = [r for r in rows if r.unit_id == unit_id]
        if mine:
            return mine
    return []


def targets_for(year: int, unit: OrgUnit) -> dict[Category, Decimal]:
    """{人员类别: 学时} in force for ``unit``'s people in ``year``."""
    found = {row.category: row.hours for row in _target_rows(year, unit)}
    return {c: found[c] for c in Category if c in found}


def target_setter(year: int, unit: OrgUnit) -> OrgUnit | None:
    rows = _target_rows(year, unit)
    return db.session.get(OrgUnit, rows[0].unit_id) if rows else None


def describe_targets(targets: dict[Category, Decimal]) -> str:
    if not targets:
        return "未设定"
    return "，".join(f"{c.label}≥{hours_text(targets[c])}学时" for c in Category if c in targets)


def set_targets(
    unit: OrgUnit, year: int, values: dict[Category, object], *, actor, now: datetime
) -> dict[Category, Decimal]:
    """Set a district's 学时 targets for ``year``: {category: value}, an empty value
    (None or "") removes that category's target. Audited with the old and new."""
    if actor.user is not None:
        ensure(actor.user, Perm.SET_THRESHOLDS, unit)
    if unit.kind is not UnitKind.DISTRICT:
        raise ThresholdError("学时目标由区设定，各镇（街道）沿用区的目标")
    if not 2000 <= int(year) <= 2100:
        raise ThresholdError("年度须在2000至2100之间")
    ensure_year_open(unit, int(year), error=ThresholdError)  # 年度关账
    clean: dict[Category, Decimal | None] = {}
    for category in Category:
        value = values.get(category)
        if value is None or str(value).strip() == "":
            clean[category] = None
            continue
        if message := problem(str(value).strip(), f"{category.label}的学时目标"):
            raise ThresholdError(message)
        clean[category] = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    rows = {
        row.category: row
        for row in db.session.scalars(
            sa.select(CreditTarget).where(
                CreditTarget.unit_id == unit.id, CreditTarget.year == year
            )
        )
    }
    before = describe_targets({c: r.hours for c, r in rows.items()})
    for category, hours in clean.items():
        row = rows.get(category)
        if hours is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = CreditTarget(unit_id=unit.id, year=year, category=category, hours=hours)
            db.session.add(row)
        row.hours = hours
        row.updated_by_id = getattr(actor.user, "id", None)
        row.updated_at = now
    after = {c: h for c, h in clean.items() if h is not None}
    audit.record(
        "credits.targets",
        actor=actor.user,
        address=actor.address,
        obj=unit,
        detail=f"{unit.name}{year}年学时目标：{describe_targets(after)}（原：{before}）",
    )
    db.session.flush()
    return after


def copy_targets_to_next_year(
    unit: OrgUnit, year: int, *, actor, now: datetime
) -> dict[Category, Decimal]:
    """复制到新年度: the district's own 学时 targets of ``year`` as those of ``year + 1``
    (refused when the new year has its own already)."""
    own = {
        row.category: row.hours
        for row in db.session.scalars(
            sa.select(CreditTarget).where(
                CreditTarget.unit_id == unit.id, CreditTarget.year == year
            )
        )
    }
    if not own:
        raise ThresholdError(f"{year}年没有设定学时目标，无可复制")
    taken = sa.select(CreditTarget.id).where(
        CreditTarget.unit_id == unit.id, CreditTarget.year == year + 1
    )
    if db.session.scalar(taken.limit(1)) is not None:
        raise ThresholdError(f"{year + 1}年已设定学时目标，请直接修改")
    copied = set_targets(unit, year + 1, own, actor=actor, now=now)
    audit.record(
        "credits.copy_year",
        actor=actor.user,
        address=actor.address,
        obj=unit,
        detail=f"{unit.name}{year}年学时目标复制为{year + 1}年：{describe_targets(copied)}",
    )
    return copied


# ---------------------------------------------------------------- 达标率


@dataclass(frozen=True)
class Standing:
    """One person counted in a 达标率."""

    user_id: int
    name: str
    category: Category
    unit: OrgUnit
    hours: Decimal
    target: Decimal

    @property
    def met(self) -> bool:
        return self.hours >= self.target


@dataclass(frozen=True)
class AttainmentRow:
    unit: OrgUnit
    rate: Rate  # people meeting the target / people with a target
    own: bool = False

    @property
    def label(self) -> str:
        return f"{self.unit.name}（本级）" if self.own else self.unit.name


@dataclass(frozen=True)
class Attainment:
    year: int
    unit: OrgUnit
    targets: dict[Category, Decimal]
    set_by: OrgUnit | None
    total: Rate
    rows: list[AttainmentRow] = field(default_factory=list)
    by_category: list[tuple[Category, Rate]] = field(default_factory=list)

    @property
    def targets_text(self) -> str:
        return describe_targets(self.targets)


def standings(year: int, unit: OrgUnit, *, category: Category | None = None) -> list[Standing]:
    """Every active person of ``unit``'s subtree whose category has a target in
    ``year``, with their 学时: one query for the people and one for the ledger."""
    targets = targets_for(year, unit)
    if category is not None:
        targets = {c: h for c, h in targets.items() if c is category}
    if not targets:
        return []
    people = (
        sa.select(User.id)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(
            subtree(OrgUnit.path, unit),
            User.active.is_(True),
            User.category.in_(list(targets)),
        )
    )
    sums = totals(year, people)
    rows = db.session.execute(
        sa.select(User.id, User.name, User.category, OrgUnit, sums.c.hours)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .outerjoin(sums, sums.c.user_id == User.id)
        .where(User.id.in_(people))
    ).all()
    found = [
        Standing(
            user_id,
            name,
            category,
            where,
            Decimal(hours or 0).quantize(Decimal("0.1")),
            targets[category],
        )
        for user_id, name, category, where, hours in rows
    ]
    return sorted(
        found, key=lambda s: (pinyin_key(s.unit.name), s.unit.id, pinyin_key(s.name), s.user_id)
    )


def _rate(found: Iterable[Standing]) -> Rate:
    found = list(found)
    return Rate(sum(1 for s in found if s.met), len(found))


def attainment(year: int, unit: OrgUnit, *, user: User | None) -> Attainment:
    """达标率 of ``unit``'s subtree, by child unit (in name order, then ``unit``'s own
    people) and by category."""
    ensure_view(user, unit)
    targets = targets_for(year, unit)
    found = standings(year, unit)
    children = [c for c in child_units(unit) if c.active]
    rows = []
    for child in name_order(children):
        mine = [s for s in found if child.contains(s.unit)]
        rows.append(AttainmentRow(child, _rate(mine)))
    own = [s for s in found if s.unit.id == unit.id]
    if own:
        rows.append(AttainmentRow(unit, _rate(own), own=True))
    by_category = [
        (c, _rate(s for s in found if s.category is c)) for c in Category if c in targets
    ]
    return Attainment(
        year, unit, targets, target_setter(year, unit), _rate(found), rows, by_category
    )


def names(
    year: int, unit: OrgUnit, *, met: bool | None, user: User | None, own: bool = False
) -> list[Standing]:
    """The people behind a 达标率: those who met the target (met=True), those who have
    not (False), or all (None); ``own``: only ``unit``'s own people."""
    ensure_view(user, unit)
    found = standings(year, unit)
    if own:
        found = [s for s in found if s.unit.id == unit.id]
    if met is not None:
        found = [s for s in found if s.met is met]
    return found
