"""Bulk import of questions from the XLSX template: plan, stage, confirm.

The same shape as the people import (org/importing.py): the upload is read safely
(core/spreadsheets) and checked into a ``QuestionPlan``; only a plan without errors is
staged as a PendingImport (kind "questions"); confirming reads and checks the stored
file again and applies it only if it still does what was previewed. All or nothing.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from ...core import staging
from ...core.pending_import import PendingImport
from ...core.spreadsheets import CheckedRow, ImportRejected, Limits, RawRow, SheetSpec, read_rows
from ...core.staging import ImportChanged, ImportExpired, ImportInvalid
from ...extensions import db
from ...org import audit
from ...org.models import OrgUnit
from ...org.services import Actor
from ..models import QuestionCategory
from . import links, rules, services
from .rules import Invalid, QuestionData, fold
from .template import (
    ANSWER,
    ARTICLE,
    CATEGORY,
    DIFFICULTY,
    EXPLANATION,
    HEADERS,
    LAW,
    OPTION_COLUMNS,
    SCORE,
    SHEET,
    STEM,
    TYPE,
)

__all__ = [
    "ImportChanged",
    "ImportExpired",
    "ImportInvalid",
    "ImportRejected",
    "QuestionPlan",
    "confirm_import",
    "plan_import",
    "stage_upload",
]

KIND = "questions"
SPEC = SheetSpec(name=SHEET, headers=HEADERS, unit="题", or_first=True)
OPTIONS = "选项"  # errors about the options as a whole
FIELD_COLUMNS = {
    "type": TYPE,
    "stem": STEM,
    "options": OPTIONS,
    **{rules.option_field(i): column for i, column in enumerate(OPTION_COLUMNS)},
    "answer": ANSWER,
    "explanation": EXPLANATION,
    "difficulty": DIFFICULTY,
    "score": SCORE,
    "law_ref": LAW,
    "article_ref": ARTICLE,
    "category": CATEGORY,
}
_ORDER = [TYPE, STEM, OPTIONS, *HEADERS[2:]]


@dataclass
class QuestionRow(CheckedRow):
    # (column, message): imported all the same (an article the library cannot check).
    warnings: list[tuple[str, str]] = field(default_factory=list)
    data: QuestionData | None = None
    category: str = ""

    @property
    def messages(self) -> list[str]:
        return [f"第{self.number}行「{column}」：{message}" for column, message in self.errors]

    @property
    def notes(self) -> list[str]:
        return [f"第{self.number}行「{column}」：{message}" for column, message in self.warnings]


@dataclass
class QuestionPlan:
    filename: str
    owner_unit: OrgUnit
    rows: list[QuestionRow]
    new_categories: list[str]
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        for row in self.rows:
            row.errors.sort(key=lambda error: _ORDER.index(error[0]))
        lines = [str(self.owner_unit.id), *self.new_categories]
        lines += (f"{row.number}:{fold(row.values[STEM])}" for row in self.rows)
        self.digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def rejected(self) -> int:
        """Rows with an error, however many each has ("错误 N 行")."""
        return sum(1 for row in self.rows if row.errors)

    @property
    def warned(self) -> int:
        return sum(1 for row in self.rows if row.warnings and not row.errors)

    @property
    def accepted(self) -> int:
        return len(self.rows) - self.rejected

    @property
    def messages(self) -> list[str]:
        return [message for row in self.rows for message in row.messages]

    @property
    def notes(self) -> list[str]:
        return [note for row in self.rows for note in row.notes]


# ---------------------------------------------------------------- planning


def plan_import(
    content: bytes, filename: str, *, owner_unit: OrgUnit, actor: Actor, limits: Limits
) -> QuestionPlan:
    """Read and check the file; ImportRejected when the file itself is unusable."""
    services.ensure_manage(actor, owner_unit)
    raw_rows = read_rows(content, limits, SPEC)
    if not raw_rows:
        raise ImportRejected(f"「{SHEET}」工作表中没有题目")
    lookup = links.LawLookup()
    rows = [_check_row(raw, lookup) for raw in raw_rows]
    _check_duplicates_in_file(rows)
    _check_duplicates_in_bank(rows, owner_unit)
    existing = {c.name for c in _categories_of(owner_unit)}
    wanted = dict.fromkeys(row.category for row in rows if row.category)
    new = [name for name in wanted if name not in existing]
    return QuestionPlan(filename=filename, owner_unit=owner_unit, rows=rows, new_categories=new)


def _check_row(raw: RawRow, lookup: links.LawLookup) -> QuestionRow:
    row = QuestionRow(number=raw.number, values=raw.values, errors=list(raw.errors))
    values = row.values
    qtype = _parsed(row, TYPE, rules.parse_type)
    difficulty = _parsed(row, DIFFICULTY, rules.parse_difficulty)
    score = _parsed(row, SCORE, rules.parse_score)
    row.category = _parsed(row, CATEGORY, _category_name) or ""
    if qtype is None:
        _parsed(row, STEM, lambda t: rules.clean_text(t, limit=2000, name="题干", required=True))
        return row
    row.data = rules.build(
        qtype=qtype,
        stem=values[STEM],
        options=[values[column] for column in OPTION_COLUMNS],
        answer=values[ANSWER],
        explanation=values[EXPLANATION],
        difficulty=difficulty or rules.DEFAULT_DIFFICULTY,
        score=score or rules.DEFAULT_SCORE,
        law_ref=values[LAW],
        article_ref=values[ARTICLE],
    )
    # A 法规 naming a current law of the library links to it (and its 条款 is checked
    # against the articles it holds); any other name stays free text.
    links.link(row.data, lookup(row.data.law_ref))
    for name, message in row.data.errors:
        column = FIELD_COLUMNS[name]
        # A cell that could not be read (a formula) already says so.
        if not (row.failed(column) or column in (DIFFICULTY, SCORE)):
            row.reject(column, message)
    row.warnings = [(FIELD_COLUMNS[name], message) for name, message in row.data.warnings]
    return row


def _parsed(row: QuestionRow, column: str, parse):
    if row.failed(column):
        return None
    try:
        return parse(row.values[column])
    except Invalid as exc:
        row.reject(column, str(exc))
        return None


def _category_name(text: str) -> str:
    name = rules.clean_text(text, limit=services.CATEGORY_MAX, name="题库分类")
    if "\n" in name:
        raise Invalid("题库分类不能换行")
    return name


def _check_duplicates_in_file(rows: list[QuestionRow]) -> None:
    by_stem: dict[str, list[QuestionRow]] = defaultdict(list)
    for row in rows:
        if row.values[STEM] and not row.failed(STEM):
            by_stem[fold(row.values[STEM])].append(row)
    for same in (group for group in by_stem.values() if len(group) > 1):
        for row in same:
            others = "、".join(f"第{r.number}行" for r in same if r is not row)
            row.reject(STEM, f"与{others}的题干重复")


def _check_duplicates_in_bank(rows: list[QuestionRow], owner_unit: OrgUnit) -> None:
    wanted = [row for row in rows if row.values[STEM] and not row.failed(STEM)]
    found = services.find_duplicate_stems([row.values[STEM] for row in wanted], owner_unit)
    for row in wanted:
        question = found.get(fold(row.values[STEM]))
        if question is not None:
            row.reject(STEM, f"题库中已有相同题干的题目（编号{question.id}）")


def _categories_of(owner_unit: OrgUnit) -> list[QuestionCategory]:
    query = sa.select(QuestionCategory).where(QuestionCategory.owner_unit_id == owner_unit.id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- staging and applying


def stage_upload(
    content: bytes, filename: str, *, owner_unit: OrgUnit, actor: Actor, limits: Limits
) -> tuple[PendingImport | None, QuestionPlan]:
    """Plan the upload and, when it can be imported, keep it for confirmation."""
    plan = plan_import(content, filename, owner_unit=owner_unit, actor=actor, limits=limits)
    if not plan.ok:
        return None, plan
    return staging.stage(KIND, content, filename, user=actor.user, limits=limits), plan


@dataclass
class ImportResult:
    filename: str
    owner_unit: OrgUnit
    created: int
    new_categories: list[str]


def confirm_import(
    token: str, digest: str, *, owner_unit: OrgUnit, actor: Actor, limits: Limits
) -> ImportResult:
    """Check the staged file again and apply it if it still does what was previewed;
    the caller commits once."""
    return staging.confirm(
        KIND,
        token,
        digest,
        user=actor.user,
        limits=limits,
        replan=lambda p: plan_import(
            p.content, p.filename, owner_unit=owner_unit, actor=actor, limits=limits
        ),
        apply=lambda plan: _apply(plan, actor),
    )


def _apply(plan: QuestionPlan, actor: Actor) -> ImportResult:
    unit = plan.owner_unit
    categories = {c.name: c for c in _categories_of(unit)}
    for name in plan.new_categories:
        categories[name] = services.create_category(name, unit, actor=actor)
    for row in plan.rows:
        services.create_question(
            row.data,
            owner_unit=unit,
            category=categories.get(row.category),
            actor=actor,
            check_duplicates=False,  # the plan checked the whole file at once
            audited=False,
        )
    audit.record(
        "questions.import",
        actor=actor.user,
        address=actor.address,
        obj=unit,
        detail=f"{plan.filename}：导入{len(plan.rows)}题，新建分类{len(plan.new_categories)}个",
    )
    return ImportResult(plan.filename, unit, len(plan.rows), plan.new_categories)
