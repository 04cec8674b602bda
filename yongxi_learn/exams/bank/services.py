"""The question bank: categories, questions, versions, and the admin list's query.

Services take ``actor`` (org.services.Actor), check MANAGE_EXAMS over the owner unit,
change data and flush; the view commits. A question an attempt has used is never
changed in place nor deleted: editing it makes a new version (the old row becomes
SUPERSEDED and keeps what was asked), and it can only be retired.
"""

from dataclasses import dataclass, fields

import sqlalchemy as sa

from ...core.exceptions import NotFound  # the app shows 404
from ...extensions import db
from ...org import audit
from ...org.models import OrgUnit, User
from ...org.permissions import Perm, ensure, scope_filter, scope_units
from ...org.services import Actor, tree_order
from ..models import (
    AttemptQuestion,
    Exam,
    ExamQuestion,
    ExamStatus,
    Question,
    QuestionCategory,
    QuestionStatus,
    QuestionType,
)
from . import links, rules
from .rules import QuestionData, fold

CATEGORY_MAX = 100
CONTENT_FIELDS = (
    "type",
    "stem",
    "options",
    "answer",
    "explanation",
    "difficulty",
    "score",
    "law_ref",
    "article_ref",
    "tags",
    "law_id",
    "article_id",
)


class BankError(Exception):
    """A change that cannot be made; the message is shown to the admin."""


class InvalidQuestion(BankError):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("；".join(message for _, message in errors))
        self.errors = errors


def bank_owner_ids(unit: OrgUnit) -> list[int]:
    """The banks a unit's papers and practice draw from: its own and its ancestors'
    (a town's paper uses the town's and the district's questions)."""
    return list(unit.path_ids) or [unit.id]


def upper_bank_ids(user: User) -> list[int]:
    """The banks above the ones ``user`` keeps (the district's, for a town admin): their
    papers draw on them, so they may read them, but not change them."""
    roots = scope_units(user, Perm.MANAGE_EXAMS)
    root_ids = {root.id for root in roots}
    above = set()
    for root in roots:
        chain = root.path_ids[:-1]  # from the top down to the root's parent
        for depth, unit_id in enumerate(chain):
            # An ancestor inside another of the user's subtrees is theirs already.
            if not root_ids.intersection(chain[: depth + 1]):
                above.add(unit_id)
    return sorted(above)


def ensure_manage(actor: Actor, unit: OrgUnit) -> None:
    # The CLI (seed-demo) acts without a user and without limits.
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_EXAMS, unit)


def _user_id(actor: Actor) -> int | None:
    return actor.user.id if actor.user is not None else None


def _audit(actor: Actor, action: str, obj, detail: str = "") -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


def bank_units(user: User) -> list[OrgUnit]:
    """The units whose banks ``user`` keeps: the roots of their MANAGE_EXAMS grants."""
    return tree_order(scope_units(user, Perm.MANAGE_EXAMS))


def _in_scope(user: User):
    return sa.select(OrgUnit.id).where(scope_filter(user, Perm.MANAGE_EXAMS, OrgUnit.path))


def get_question(question_id: int, *, user: User) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or not _visible(user, question.owner_unit_id):
        raise NotFound
    return question


def get_category(category_id: int, *, user: User) -> QuestionCategory:
    category = db.session.get(QuestionCategory, category_id)
    if category is None or not _visible(user, category.owner_unit_id):
        raise NotFound
    return category


def _visible(user: User, unit_id: int) -> bool:
    return db.session.scalar(_in_scope(user).where(OrgUnit.id == unit_id)) is not None


# ---------------------------------------------------------------- categories


def categories(user: User) -> list[QuestionCategory]:
    query = (
        sa.select(QuestionCategory)
        .where(QuestionCategory.owner_unit_id.in_(_in_scope(user)))
        .order_by(QuestionCategory.owner_unit_id, QuestionCategory.name)
    )
    return list(db.session.scalars(query))


def category_counts(user: User) -> dict[int, int]:
    """Active questions per category."""
    query = (
        sa.select(Question.category_id, sa.func.count())
        .where(
            Question.owner_unit_id.in_(_in_scope(user)),
            Question.status == QuestionStatus.ACTIVE,
            Question.category_id.is_not(None),
        )
        .group_by(Question.category_id)
    )
    return dict(db.session.execute(query).all())


def find_category(name: str, owner_unit: OrgUnit) -> QuestionCategory | None:
    query = sa.select(QuestionCategory).where(
        QuestionCategory.owner_unit_id == owner_unit.id, QuestionCategory.name == name
    )
    return db.session.scalar(query)


def _category_name(name: str) -> str:
    try:
        return rules.clean_text(name, limit=CATEGORY_MAX, name="分类名称", required=True)
    except rules.Invalid as exc:
        raise BankError(str(exc)) from None


def create_category(name: str, owner_unit: OrgUnit, *, actor: Actor) -> QuestionCategory:
    ensure_manage(actor, owner_unit)
    name = _category_name(name)
    if "\n" in name:
        raise BankError("分类名称不能换行")
    if find_category(name, owner_unit) is not None:
        raise BankError(f"已有名为“{name}”的分类")
    category = QuestionCategory(owner_unit=owner_unit, name=name)
    db.session.add(category)
    db.session.flush()
    _audit(actor, "question_category.create", category, name)
    return category


def rename_category(category: QuestionCategory, name: str, *, actor: Actor) -> None:
    ensure_manage(actor, category.owner_unit)
    name = _category_name(name)
    if name == category.name:
        return
    if find_category(name, category.owner_unit) is not None:
        raise BankError(f"已有名为“{name}”的分类")
    old, category.name = category.name, name
    db.session.flush()
    _audit(actor, "question_category.rename", category, f"{old} → {name}")


# ---------------------------------------------------------------- questions


def is_used(question: Question) -> bool:
    """Whether any attempt shows this row: then it is frozen."""
    query = sa.select(AttemptQuestion.id).where(AttemptQuestion.question_id == question.id)
    return db.session.scalar(query.limit(1)) is not None


def _check(data: QuestionData, category, owner_unit: OrgUnit, law_id: int | None = None) -> None:
    if data.errors:
        raise InvalidQuestion(data.errors)
    if category is not None and category.owner_unit_id != owner_unit.id:
        raise InvalidQuestion([("category", "分类不属于该题库")])
    problem = links.link_problem(data, allowed_law_id=law_id)
    if problem:
        raise InvalidQuestion([("law_id", problem)])


def _duplicate_error(data: QuestionData, owner_unit: OrgUnit, lineage: int | None = None):
    found = find_duplicate_stems([data.stem], owner_unit, exclude_root=lineage)
    if found:
        other = next(iter(found.values()))
        raise InvalidQuestion([("stem", f"题库中已有相同题干的题目（编号{other.id}）")])


def create_question(
    data: QuestionData,
    *,
    owner_unit: OrgUnit,
    category: QuestionCategory | None,
    actor: Actor,
    check_duplicates: bool = True,
    audited: bool = True,
) -> Question:
    ensure_manage(actor, owner_unit)
    _check(data, category, owner_unit)
    if check_duplicates:
        _duplicate_error(data, owner_unit)
    question = Question(owner_unit=owner_unit, category=category, created_by_id=_user_id(actor))
    _assign(question, data)
    db.session.add(question)
    db.session.flush()
    if audited:
        _audit(actor, "question.create", question)
    return question


def _assign(question: Question, data: QuestionData) -> None:
    for name in CONTENT_FIELDS:
        setattr(question, name, getattr(data, name))


def update_question(
    question: Question,
    data: QuestionData,
    *,
    category: QuestionCategory | None,
    actor: Actor,
) -> Question:
    """Save an edit; returns the row now holding the question (a new version if used)."""
    ensure_manage(actor, question.owner_unit)
    if question.status is QuestionStatus.SUPERSEDED:
        raise BankError("此题已有新版本，请编辑最新版本")
    _check(data, category, question.owner_unit, law_id=question.law_id)
    _duplicate_error(data, question.owner_unit, lineage=question.root_id or question.id)
    if not is_used(question):
        # Pointing a flagged question at a current law is its review.
        if data.law_id != question.law_id and links.is_current(data.law_id):
            question.needs_review = False
        _assign(question, data)
        question.category = category
        db.session.flush()
        _audit(actor, "question.update", question)
        return question
    return _new_version(question, data, category, actor)


def _new_version(question, data, category, actor: Actor) -> Question:
    newer = Question(
        owner_unit_id=question.owner_unit_id,
        category=category,
        root_id=question.root_id or question.id,
        version=question.version + 1,
        status=QuestionStatus.ACTIVE,
        needs_review=False,
        created_by_id=_user_id(actor),
    )
    _assign(newer, data)
    question.status = QuestionStatus.SUPERSEDED
    db.session.add(newer)
    db.session.flush()
    # Draft exams take the new wording; published ones keep what their attempts ask.
    drafts = sa.select(Exam.id).where(Exam.status == ExamStatus.DRAFT)
    db.session.execute(
        sa.update(ExamQuestion)
        .where(ExamQuestion.question_id == question.id, ExamQuestion.exam_id.in_(drafts))
        .values(question_id=newer.id)
    )
    _audit(actor, "question.version", newer, f"替代第{question.version}版（编号{question.id}）")
    return newer


def retire_question(question: Question, *, actor: Actor) -> None:
    ensure_manage(actor, question.owner_unit)
    if question.status is not QuestionStatus.ACTIVE:
        raise BankError("只有在用的题目可以停用")
    question.status = QuestionStatus.RETIRED
    db.session.flush()
    _audit(actor, "question.retire", question)


def restore_question(question: Question, *, actor: Actor) -> None:
    ensure_manage(actor, question.owner_unit)
    if question.status is not QuestionStatus.RETIRED:
        raise BankError("只有已停用的题目可以恢复")
    _duplicate_error(_data_of(question), question.owner_unit, question.root_id or question.id)
    question.status = QuestionStatus.ACTIVE
    db.session.flush()
    _audit(actor, "question.restore", question)


def mark_reviewed(question: Question, *, actor: Actor) -> None:
    """Clear 待复核 once an admin has checked the question against the law in force."""
    ensure_manage(actor, question.owner_unit)
    if not question.needs_review:
        raise BankError("此题不需要复核")
    if question.law_id is not None and not links.is_current(question.law_id):
        raise BankError("此题引用的法规版本已修改或废止，请先改为引用现行有效的版本")
    question.needs_review = False
    db.session.flush()
    _audit(actor, "question.reviewed", question)


def delete_question(question: Question, *, actor: Actor) -> None:
    """Only a question no attempt, paper or older version points at can go."""
    ensure_manage(actor, question.owner_unit)
    if is_used(question):
        raise BankError("此题已被考试使用，不能删除；可以停用")
    if _on_a_paper(question) or question.root_id is not None:
        raise BankError("此题已被试卷引用或有历史版本，不能删除；可以停用")
    _audit(actor, "question.delete", question, question.stem[:100])
    db.session.delete(question)
    db.session.flush()


def _on_a_paper(question: Question) -> bool:
    on_paper = sa.select(ExamQuestion.id).where(ExamQuestion.question_id == question.id)
    newer = sa.select(Question.id).where(Question.root_id == question.id)
    return any(db.session.scalar(q.limit(1)) is not None for q in (on_paper, newer))


def _data_of(question: Question) -> QuestionData:
    values = {name: getattr(question, name) for name in CONTENT_FIELDS}
    return QuestionData(**values)


def versions(question: Question) -> list[Question]:
    root = question.root_id or question.id
    query = sa.select(Question).where(sa.or_(Question.id == root, Question.root_id == root))
    return list(db.session.scalars(query.order_by(Question.version)))


# ---------------------------------------------------------------- duplicates


def find_duplicate_stems(
    stems: list[str], owner_unit: OrgUnit, *, exclude_root: int | None = None
) -> dict[str, Question]:
    """Folded stem → the active question of ``owner_unit`` with that stem.

    Folding (NFKC, whitespace removed) happens in Python: no database compares text
    that way, and a town's bank is a few thousand rows.
    """
    wanted = {fold(stem) for stem in stems}
    query = sa.select(Question).where(
        Question.owner_unit_id == owner_unit.id, Question.status == QuestionStatus.ACTIVE
    )
    if exclude_root is not None:
        query = query.where(Question.id != exclude_root).where(
            sa.or_(Question.root_id.is_(None), Question.root_id != exclude_root)
        )
    found: dict[str, Question] = {}
    for question in db.session.scalars(query.order_by(Question.id)):
        key = fold(question.stem)
        if key in wanted:
            found.setdefault(key, question)
    return found


# ---------------------------------------------------------------- the list


@dataclass
class BankFilter:
    category_id: int | None = None
    type: QuestionType | None = None
    law: str = ""
    text: str = ""
    status: QuestionStatus | None = QuestionStatus.ACTIVE  # None: any status
    review: bool | None = None  # True: only questions flagged 待复核
    # The banks above the user's (a town admin's view of the district's), read only.
    upper: bool = False

    def is_empty(self) -> bool:
        return all(
            getattr(self, f.name) in (None, "", False)
            for f in fields(self)
            if f.name not in ("status", "upper")
        )


def questions_select(user: User, criteria: BankFilter) -> sa.Select:
    """Questions in the user's scope matching ``criteria``, newest first."""
    query = sa.select(Question).join(OrgUnit, Question.owner_unit_id == OrgUnit.id)
    if criteria.upper:
        query = query.where(Question.owner_unit_id.in_(upper_bank_ids(user)))
    else:
        query = query.where(scope_filter(user, Perm.MANAGE_EXAMS, OrgUnit.path))
    if criteria.category_id:
        query = query.where(Question.category_id == criteria.category_id)
    if criteria.type is not None:
        query = query.where(Question.type == criteria.type)
    if criteria.status is not None:
        query = query.where(Question.status == criteria.status)
    if criteria.law.strip():
        query = query.where(Question.law_ref.contains(criteria.law.strip(), autoescape=True))
    if criteria.text.strip():
        query = query.where(Question.stem.contains(criteria.text.strip(), autoescape=True))
    if criteria.review:
        query = query.where(Question.needs_review.is_(True))
    return query.order_by(Question.id.desc())


def used_ids(questions: list[Question]) -> set[int]:
    ids = [q.id for q in questions]
    if not ids:
        return set()
    query = sa.select(AttemptQuestion.question_id).where(AttemptQuestion.question_id.in_(ids))
    return set(db.session.scalars(query.distinct()))
