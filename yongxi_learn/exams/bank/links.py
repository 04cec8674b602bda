"""Questions point at the law library: a law version and, optionally, its article.

Shared by the bank form (the admin picks a law) and the import (the 法规 column names
a current law by its title or short name). The free-text law_ref / article_ref stay:
they take the law's title and the article's label when linked (the exam draw rules
filter on law_ref), and keep whatever older rows or unknown laws say.
"""

import sqlalchemy as sa

from ...extensions import db
from ...laws import services as laws
from ...laws.models import Law, LawArticle, LawStatus
from ...laws.services import LawError
from ..models import Question
from .rules import QuestionData


def link(data: QuestionData, law: Law | None) -> None:
    """Point ``data`` at ``law`` and at its article named in ``data.article_ref``, as
    laws.article_for reads the label: an error or a warning on article_ref. Checked
    unless the law or article text itself is wrong, so a row shows all its errors."""
    if any(name in ("law_ref", "article_ref") for name, _ in data.errors):
        return
    if law is None:
        data.law_id = data.article_id = None
        return
    data.law_id = law.id
    data.law_ref = law.title
    try:
        ref = laws.article_for(law, data.article_ref)
    except LawError as exc:
        data.errors.append(("article_ref", str(exc)))
        return
    data.article_id = ref.article.id if ref.article else None
    data.article_ref = ref.label
    if ref.warning:
        data.warnings.append(("article_ref", ref.warning))


def link_problem(data: QuestionData, allowed_law_id: int | None = None) -> str:
    """Why the link in ``data`` cannot be saved ("" when it can): the law must be current
    (or the one the question already points at), the article must be the law's."""
    if data.law_id is None:
        return "条款不属于所选法规" if data.article_id is not None else ""
    law = db.session.get(Law, data.law_id)
    if law is None or (law.status is not LawStatus.CURRENT and law.id != allowed_law_id):
        return "请选择法规库中现行有效的法规"
    if data.article_id is not None:
        article = db.session.get(LawArticle, data.article_id)
        if article is None or article.law_id != law.id:
            return "条款不属于所选法规"
    return ""


def is_current(law_id: int | None) -> bool:
    if law_id is None:
        return False
    status = db.session.scalar(sa.select(Law.status).where(Law.id == law_id))
    return status is LawStatus.CURRENT


class LawLookup:
    """Current laws by title or short name, looked up once per name (the import)."""

    def __init__(self) -> None:
        self._found: dict[str, Law | None] = {}

    def __call__(self, name: str) -> Law | None:
        if name not in self._found:
            self._found[name] = laws.find_current(name)
        return self._found[name]


def link_by_name(owner_unit_id: int) -> int:
    """Link the unlinked questions of a bank whose law_ref names a current law (title
    or short name) to it, and to the article their article_ref names when the library
    has it. For banks filled before the library existed (the demo); returns how many."""
    query = sa.select(Question).where(
        Question.owner_unit_id == owner_unit_id,
        Question.law_id.is_(None),
        Question.law_ref != "",
    )
    lookup = LawLookup()
    linked = 0
    for question in db.session.scalars(query):
        law = lookup(question.law_ref)
        if law is None:
            continue
        question.law_id = law.id
        article = laws.find_article(law, question.article_ref) if question.article_ref else None
        question.article_id = article.id if article else None
        linked += 1
    db.session.flush()
    return linked
