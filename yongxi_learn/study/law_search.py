"""Searching the law library: by title (and short name), and by article text.

Both are substring searches (LIKE '%…%'): Chinese has no word boundaries for a
full-text index to use without a segmenter, and a library of a few hundred laws /
tens of thousands of articles is scanned in milliseconds on SQLite and PostgreSQL
(see bench/law_search.py and the README). Only current laws are searched unless
the reader asks for every version.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from .models import Law, LawArticle, LawKind, LawStatus

QUERY_MAX = 50
EXCERPT_WIDTH = 40


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
    return query.order_by(Law.kind, Law.title, Law.version.desc())


def articles_select(criteria: LawFilter) -> sa.Select:
    """Articles whose text holds the words, each with its law loaded."""
    query = (
        sa.select(LawArticle)
        .join(Law, LawArticle.law_id == Law.id)
        .options(contains_eager(LawArticle.law))
        .where(LawArticle.text.contains(criteria.words, autoescape=True))
    )
    return _status(query, criteria).order_by(Law.kind, Law.title, Law.id, LawArticle.position)


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
