"""Searching the law library: by title (and short name), and by article text.

Both are substring searches (LIKE '%…%'): Chinese has no word boundaries for a
full-text index to use without a segmenter, and a library of a few hundred laws /
tens of thousands of articles is scanned in milliseconds on SQLite and PostgreSQL
(see bench/search.py and docs/performance.md). Only current laws are searched unless
the reader asks for every version.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from .models import Law, LawArticle, LawKind, LawStatus

QUERY_MAX = 50
EXCERPT_WIDTH = 40
COUNT_CAP = 1000
MAX_PAGE = COUNT_CAP // 10


@dataclass
class LawFilter:
    text: str = ""
    kind: LawKind | None = None
    every_version: bool = False  # also 已修改 and 已废止

    @property
    def words(self) -> str:
        return " ".join(self.text.split())[:QUERY_MAX]


def _status(query: sa.Select, criteria: LawFilter) -> sa.Select:
    if not criteria.every_version:
        query = query.where(Law.status == LawStatus.CURRENT)
    if criteria.kind is not None:
        query = query.where(Law.kind == criteria.kind)
    return query


def laws_select(criteria: LawFilter) -> sa.Select:
    """Laws whose title or short name holds the words; by kind, then title."""
    query = _status(sa.select(Law), criteria)
    if criteria.words:
        query = query.where(
            sa.or_(
                Law.title.contains(criteria.words, autoescape=True),
                Law.short_name.contains(criteria.words, autoescape=True),
            )
        )
    return query.order_by(_kind_order(), Law.title, Law.version.desc())


def _kind_order():
    """宪法相关法, 法律, 行政法规 … in the order of LawKind, not alphabetically."""
    return sa.case(*((Law.kind == kind, rank) for rank, kind in enumerate(LawKind)), else_=99)


def articles_select(criteria: LawFilter) -> sa.Select:
    """Articles whose text holds the words, each with its law loaded."""
    query = (
        sa.select(LawArticle)
        .join(Law, LawArticle.law_id == Law.id)
        .options(contains_eager(LawArticle.law))
        .where(LawArticle.text.contains(criteria.words, autoescape=True))
    )
    # In the order of the (law_id, position) index: a scan stops as soon as it has
    # enough rows, where sorting by title would sort every hit first.
    return _status(query, criteria).order_by(LawArticle.law_id, LawArticle.position)


@dataclass
class HitPage:
    """One page of article hits; the total is counted up to COUNT_CAP only, so a
    common word does not cost a count of every article."""

    items: list[LawArticle]
    page: int
    per_page: int
    total: int  # at most COUNT_CAP + 1

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def shown_total(self) -> str:
        return f"{COUNT_CAP}余" if self.capped else str(self.total)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def article_hits(criteria: LawFilter, page: int, per_page: int) -> HitPage:
    """One scan finds the hits' ids (up to COUNT_CAP + 1, in order); the page's
    articles are then loaded by id."""
    page = max(1, min(page, MAX_PAGE))
    ids_query = (
        sa.select(LawArticle.id)
        .join(Law, LawArticle.law_id == Law.id)
        .where(LawArticle.text.contains(criteria.words, autoescape=True))
    )
    ids_query = _status(ids_query, criteria).order_by(LawArticle.law_id, LawArticle.position)
    ids = db.session.scalars(ids_query.limit(COUNT_CAP + 1)).all()
    wanted = ids[(page - 1) * per_page : page * per_page]
    loaded = db.session.scalars(
        sa.select(LawArticle).where(LawArticle.id.in_(wanted)).options(joinedload(LawArticle.law))
    )
    by_id = {article.id: article for article in loaded}
    return HitPage([by_id[i] for i in wanted], page, per_page, len(ids))


@dataclass(frozen=True)
class Excerpt:
    before: str
    hit: str
    after: str


def excerpt(text: str, words: str, width: int = EXCERPT_WIDTH) -> Excerpt:
    """The part of ``text`` around the first occurrence of ``words``, split so the
    template can mark the hit (each part is escaped there)."""
    at = text.find(words) if words else -1
    if at < 0:
        return Excerpt(text[: 2 * width] + ("…" if len(text) > 2 * width else ""), "", "")
    start, end = max(0, at - width), min(len(text), at + len(words) + width)
    return Excerpt(
        ("…" if start else "") + text[start:at],
        text[at : at + len(words)],
        text[at + len(words) : end] + ("…" if end < len(text) else ""),
    )
