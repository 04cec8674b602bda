"""Importing an external exam's result sheet: plan, stage, confirm (core/staging).

The plan reads the 考试信息 row and every 成绩 row, matches each phone number to a
person of the uploader's subtree (MANAGE_EXAMS) and checks score, 通过/未通过 and date.
A phone that is unknown, or belongs to someone outside the subtree, is refused with the
same words (``PHONE_UNKNOWN``), so an upload never tells whether a number exists
elsewhere. Only a plan without errors is staged; confirming re-plans the stored file
and writes the exam and its results only if nothing changed since the preview.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import ClassVar

import sqlalchemy as sa

from ..core import credit, staging
from ..core.pending_import import PendingImport
from ..core.spreadsheets import CheckedRow, ImportRejected, Limits, RawRow, reject_repeats
from ..extensions import db
from ..org import audit
from ..org.models import OrgUnit, User
from ..org.names import InvalidValue, normalise_phone
from ..org.permissions import Perm, can, scope_filter, scope_units
from ..org.services import Actor
from ..org.year_close import ensure_year_open, frozen, message
from . import signals
from .models import ExternalExam, ExternalResult
from .sheet import COLUMNS, INFO_HEADERS, INFO_SHEET, RESULTS_SHEET, read_info, read_results

KIND = "external_results"
PHONE, NAME, SCORE, PASSED, DATE, CREDIT = COLUMNS
TITLE, YEAR, ORGANISER, PASS_MARK = INFO_HEADERS
TEXT_MAX = 100
SCORE_MAX = Decimal(1000)
# Unknown, or someone else's: the same words either way.
PHONE_UNKNOWN = "您管理的范围内没有使用该手机号的人员，请核对手机号或先在人员页面登记"
PASSED_VALUES = {
    "通过": True,
    "合格": True,
    "是": True,
    "未通过": False,
    "不合格": False,
    "否": False,
}


class NoScope(Exception):
    """The uploader manages exams nowhere."""


@dataclass
class Info:
    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)
    year: int | None = None
    pass_mark: Decimal | None = None

    @property
    def messages(self) -> list[str]:
        return [f"「{INFO_SHEET}」第2行「{c}」：{m}" for c, m in self.errors]


@dataclass
class ResultRow(CheckedRow):
    SHOWN_MAX: ClassVar[int] = 40
    phone: str = ""
    person: User | None = None
    score: Decimal | None = None
    passed: bool | None = None
    sat_on: date | None = None
    credit_hours: Decimal = Decimal(0)

    @property
    def messages(self) -> list[str]:
        ordered = sorted(self.errors, key=lambda e: COLUMNS.index(e[0]))
        return [f"「{RESULTS_SHEET}」第{self.number}行「{c}」：{m}" for c, m in ordered]


@dataclass
class Plan:
    filename: str
    owner: OrgUnit
    info: Info
    rows: list[ResultRow]
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        lines = [f"{self.owner.id}|{self.info.values}|{self.info.errors}"] + [
            f"{r.number}:{r.person.id if r.person else ''}:{r.score}:{r.passed}:{r.sat_on}:"
            f"{r.credit_hours}:{len(r.errors)}"
            for r in self.rows
        ]
        self.digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]

    @property
    def ok(self) -> bool:
        return not self.info.errors and not any(r.errors for r in self.rows)

    @property
    def messages(self) -> list[str]:
        return self.info.messages + [m for r in self.rows for m in r.messages]

    @property
    def rejected(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r.passed and not r.errors)


@dataclass
class Result:
    exam: ExternalExam
    people: int
    passed: int


def owner_unit(actor: Actor) -> OrgUnit:
    """The unit an import belongs to: the highest where the actor manages exams."""
    roots = scope_units(actor.user, Perm.MANAGE_EXAMS)
    if not roots:
        raise NoScope
    return min(roots, key=lambda unit: unit.path.count("/"))


# ---------------------------------------------------------------- planning


def plan_import(content: bytes, filename: str, *, actor: Actor, limits: Limits) -> Plan:
    """Read and check the file; ImportRejected when the file itself is unusable."""
    owner = owner_unit(actor)
    info = _check_info(read_info(content, limits), owner)
    rows = [_check_row(raw, info) for raw in read_results(content, limits)]
    _check_duplicates(rows)
    _match_people(rows, actor)
    return Plan(filename=filename, owner=owner, info=info, rows=rows)


def _text(values: dict, errors: list, column: str, required: bool) -> None:
    text = values[column]
    if required and not text:
        errors.append((column, f"请填写{column}"))
    elif len(text) > TEXT_MAX:
        errors.append((column, f"{column}不能超过{TEXT_MAX}个字"))


def _check_info(raw: RawRow, owner: OrgUnit) -> Info:
    info = Info(values=raw.values, errors=list(raw.errors))
    _text(info.values, info.errors, TITLE, required=True)
    _text(info.values, info.errors, ORGANISER, required=False)
    year = info.values[YEAR]
    if not re.fullmatch(r"\d{4}", year) or not 2000 <= int(year) <= 2100:
        info.errors.append((YEAR, "年度应为4位数字，如2025"))
    else:
        info.year = int(year)
    if info.values[PASS_MARK]:
        try:
            info.pass_mark = _number(info.values[PASS_MARK])
        except ValueError as exc:
            info.errors.append((PASS_MARK, str(exc)))
    if info.year and not info.errors and frozen(owner, info.year):
        info.errors.append((YEAR, message(info.year)))
    if info.year and not info.errors:
        taken = db.session.scalar(
            sa.select(ExternalExam.id).where(
                ExternalExam.owner_unit_id == owner.id,
                ExternalExam.year == info.year,
                ExternalExam.title == info.values[TITLE],
            )
        )
        if taken is not None:
            info.errors.append((TITLE, f"{owner.name}已导入过{info.year}年度的同名考试成绩"))
    return info


def _number(text: str) -> Decimal:
    try:
        value = Decimal(unicodedata.normalize("NFKC", text))
    except InvalidOperation:
        raise ValueError("应填写数字，如 86 或 85.5") from None
    if not value.is_finite() or value < 0 or value > SCORE_MAX:
        raise ValueError(f"应为0～{SCORE_MAX}之间的数字")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("最多两位小数")
    return value


def _date(text: str) -> date:
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    try:
        if match is None:
            raise ValueError
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError("日期应写作 2025-06-15") from None


def _check_row(raw: RawRow, info: Info) -> ResultRow:
    row = ResultRow(number=raw.number, values=raw.values, errors=list(raw.errors))
    v = row.values
    if not row.failed(PHONE):
        try:
            row.phone = normalise_phone(v[PHONE]) if v[PHONE] else ""
        except InvalidValue as exc:
            row.reject(PHONE, str(exc))
        if not v[PHONE]:
            row.reject(PHONE, "请填写手机号")
    if v[SCORE] and not row.failed(SCORE):
        try:
            row.score = _number(v[SCORE])
        except ValueError as exc:
            row.reject(SCORE, str(exc))
    if v[PASSED] and not row.failed(PASSED):
        word = re.sub(r"\s+", "", v[PASSED])
        if word not in PASSED_VALUES:
            row.reject(PASSED, "应填写“通过”或“未通过”")
        else:
            row.passed = PASSED_VALUES[word]
    if v[DATE] and not row.failed(DATE):
        try:
            row.sat_on = _date(v[DATE])
        except ValueError as exc:
            row.reject(DATE, str(exc))
        else:
            if info.year and row.sat_on.year != info.year:
                row.reject(DATE, f"考试日期不在{info.year}年度内")
    if v.get(CREDIT) and not row.failed(CREDIT):
        text = unicodedata.normalize("NFKC", v[CREDIT])
        if message := credit.problem(text, "学时"):
            row.reject(CREDIT, message)
        else:
            row.credit_hours = Decimal(text).quantize(Decimal("0.1"))
    _decide_passed(row, info)
    return row


def _decide_passed(row: ResultRow, info: Info) -> None:
    if row.failed(SCORE) or row.failed(PASSED):
        return
    by_mark = None
    if row.score is not None and info.pass_mark is not None:
        by_mark = row.score >= info.pass_mark
    if row.passed is None and by_mark is None:
        if row.score is None:
            row.reject(SCORE, "成绩与是否通过至少填写一项")
        else:
            row.reject(PASSED, "未填写合格分数时，请填写“通过”或“未通过”")
    elif row.passed is None:
        row.passed = by_mark
    elif by_mark is not None and by_mark != row.passed:
        row.reject(PASSED, f"与成绩不一致（合格分数{info.values[PASS_MARK]}）")


def _check_duplicates(rows: list[ResultRow]) -> None:
    reject_repeats(rows, PHONE, lambda row: row.phone, "手机号")


def _match_people(rows: list[ResultRow], actor: Actor) -> None:
    wanted = [r for r in rows if r.phone and not r.failed(PHONE)]
    found: dict[str, User] = {}
    phones = [r.phone for r in wanted]
    for start in range(0, len(phones), 500):
        query = (
            sa.select(User)
            .join(OrgUnit, User.unit_id == OrgUnit.id)
            .where(
                User.phone.in_(phones[start : start + 500]),
                User.active.is_(True),
                scope_filter(actor.user, Perm.MANAGE_EXAMS),
            )
        )
        found.update((p.phone, p) for p in db.session.scalars(query))
    for row in wanted:
        row.person = found.get(row.phone)
        if row.person is None:
            row.reject(PHONE, PHONE_UNKNOWN)
        elif row.values[NAME] and row.values[NAME].strip() != row.person.name:
            row.reject(NAME, "与系统中该手机号人员的姓名不一致，请核对")


# ---------------------------------------------------------------- staging and applying


def stage_upload(
    content: bytes, filename: str, *, actor: Actor, limits: Limits
) -> tuple[PendingImport | None, Plan]:
    plan = plan_import(content, filename, actor=actor, limits=limits)
    if not plan.ok:
        return None, plan
    return staging.stage(KIND, content, filename, user=actor.user, limits=limits), plan


def confirm_import(token: str, digest: str, *, actor: Actor, limits: Limits) -> Result:
    """Re-plan the staged file and write it if it still does what was previewed; the
    caller commits once."""
    return staging.confirm(
        KIND,
        token,
        digest,
        user=actor.user,
        limits=limits,
        replan=lambda p: plan_import(p.content, p.filename, actor=actor, limits=limits),
        apply=lambda plan: _apply(plan, actor),
    )


def _apply(plan: Plan, actor: Actor) -> Result:
    info = plan.info.values
    exam = ExternalExam(
        owner_unit=plan.owner,
        title=info[TITLE],
        year=plan.info.year,
        organiser=info[ORGANISER],
        pass_mark=plan.info.pass_mark,
        filename=plan.filename[:255],
        created_by_id=actor.user.id if actor.user is not None else None,
    )
    db.session.add(exam)
    for row in plan.rows:
        exam.results.append(
            ExternalResult(
                user_id=row.person.id,
                score=row.score,
                passed=bool(row.passed),
                sat_on=row.sat_on,
                row_number=row.number,
                credit_hours=row.credit_hours,
            )
        )
    db.session.flush()
    result = Result(exam=exam, people=len(plan.rows), passed=plan.passed)
    audit.record(
        "external.import",
        actor=actor.user,
        address=actor.address,
        obj=exam,
        detail=f"{plan.filename}：{exam.year}年度「{exam.title}」导入{result.people}人，"
        f"通过{result.passed}人",
    )
    return result


class ExternalError(Exception):
    """A refused change, with the reason in Chinese."""


class SheetInUse(ExternalError):
    """The sheet is counted in a platform exam's figures (``signals.sheet_deleting``)."""


def delete_exam(exam: ExternalExam, *, actor: Actor) -> None:
    """Remove an imported sheet and its results (a wrong file is removed, then imported
    again); audited with what it held. Only an admin over its owner unit may."""
    if not can(actor.user, Perm.MANAGE_EXAMS, exam.owner_unit):
        raise ExternalError("只能删除您管理范围内导入的外部考试成绩")
    ensure_year_open(exam.owner_unit, exam.year)  # YearClosed: the page says why
    signals.sheet_deleting.send(exam)
    audit.record(
        "external.delete",
        actor=actor.user,
        address=actor.address,
        obj=exam,
        detail=f"{exam.year}年度「{exam.title}」，{len(exam.results)}人的成绩（文件：{exam.filename}）",
    )
    db.session.delete(exam)
    db.session.flush()


def exams_managed(actor: Actor) -> list[ExternalExam]:
    """The imported exams owned in the actor's subtrees, newest year first."""
    query = (
        sa.select(ExternalExam)
        .join(OrgUnit, ExternalExam.owner_unit_id == OrgUnit.id)
        .where(scope_filter(actor.user, Perm.MANAGE_EXAMS))
        .order_by(ExternalExam.year.desc(), ExternalExam.id.desc())
    )
    return list(db.session.scalars(query))


__all__ = ["ImportRejected", "NoScope", "Plan", "Result", "confirm_import", "stage_upload"]
