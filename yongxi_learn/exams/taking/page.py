"""What the attempt page shows: the attempt, its exam's title and its sheet (答卷), the
questions as drawn.

The attempt page is the busiest page of an exam evening (every examinee opens it,
and again after each reconnect). The attempt, the exam's title and the 20-odd items
come in one Core query as plain values (ORM objects with their joined questions cost
several times the query itself in Python), and the questions are written to HTML
here, each text escaped once, instead of by a Jinja loop: the loop escaped ~600
values and yielded ~1,500 pieces a page, most of the page's Python. The markup is
the template's as it was (``static/js/exam.js`` relies on it), less its indentation.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa
from markupsafe import Markup, escape

from ...auth.models import LoginSession
from ...auth.sessions import LoginCheck, live_login, seen_at
from ...core.db import read_alone
from ...core.exceptions import NotFound
from ...core.formatting import format_score
from ...extensions import db
from ...org.models import User
from ..attempts import NOT_ON_PAPER
from ..grading import LETTERS, canonical_to_shown, parse_order
from ..models import (
    QUESTION_TYPE_LABELS,
    Attempt,
    AttemptLogin,
    AttemptQuestion,
    AttemptStatus,
    Exam,
    Question,
    QuestionType,
)
from ..scoring import attempt_with_items


class SheetItem(NamedTuple):
    position: int
    type: QuestionType
    stem: str  # escaped
    options: list[str]  # escaped, in the order shown
    letters: str  # the saved answer, in shown letters
    score: Decimal
    version: int  # of the saved answer (``answer_versions``)


@dataclass(frozen=True, slots=True)
class Sheet:
    """An attempt as its page shows it; ``status`` and ``deadline`` as on Attempt,
    so ``attempts.is_overdue`` and ``remaining_seconds`` take it too."""

    id: int
    status: AttemptStatus
    deadline: datetime | None
    max_score: Decimal
    title: str
    items: list[SheetItem]

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.letters)

    @property
    def total(self) -> int:
        """The sum of the answers' versions (``answer_versions``)."""
        return sum(item.version for item in self.items)

    # Safe: every text from the database is escaped once, in _texts; the
    # rest are integers, letters and labels of this module.
    def nav_html(self) -> Markup:
        return Markup("\n".join(_nav_link(item) for item in self.items))  # noqa: S704

    def questions_html(self) -> Markup:
        return Markup("\n".join(_question(item) for item in self.items))  # noqa: S704


def load_sheet(attempt_id: int, user_id: int) -> Sheet:
    """The person's own attempt with its sheet; someone else's is NotFound (a 404)."""
    rows = db.session.execute(_SHEET, {"attempt_id": attempt_id, "user_id": user_id}).all()
    if not rows:
        raise NotFound(attempt_id)
    return _sheet(rows)


class PageLogin(NamedTuple):
    last_seen: datetime
    known: bool  # already noted on the attempt (``attempts.record_login``)


def load_sheet_for_login(
    token: str, attempt_id: int, check: LoginCheck
) -> tuple[Sheet, PageLogin] | None:
    """The attempt with its sheet, and when the login was last seen and whether it is
    noted on the attempt, in the query that
    checks the login session: live, the person active, with no password to change,
    and the attempt theirs (what ``auth.sessions.load_user`` and the password gate
    check, without loading the person). None: anything else; the full path answers.
    The caller takes this path only for a login seen within the minute, which no idle
    timeout can have ended (and which needs no touch)."""
    params = {"attempt_id": attempt_id, **check.params(token)}
    rows = read_alone(db.engine, _SHEET_BY_LOGIN, params)
    if not rows:
        return None
    return _sheet(rows), PageLogin(rows[0].last_seen, rows[0].login_known)


def _sheet(rows) -> Sheet:
    first = rows[0]
    items = [row for row in rows if row.position is not None]
    texts = _texts([(row.question_id, row.updated_at) for row in items])
    return Sheet(
        id=first.id,
        status=first.status,
        deadline=first.deadline,
        max_score=first.max_score,
        title=first.title,
        items=[_item(row, texts[row.question_id]) for row in items],
    )


def _item(row, texts: "_Texts") -> SheetItem:
    order, response = parse_order(row.option_order), row.response
    return SheetItem(
        row.position,
        texts.type,
        texts.stem,
        [texts.options[i] for i in order],
        canonical_to_shown(response, order) if response else "",
        row.score,
        row.version,
    )


# ---------------------------------------------------------------- question texts


class _Texts(NamedTuple):
    type: QuestionType
    stem: str  # escaped
    options: tuple[str, ...]  # escaped, canonical order


# A question's texts as the page writes them, by (id, updated_at). A question row an
# attempt shows is frozen (``bank.is_used``: an edit makes a new version), and a row
# edited anyway would change its updated_at, so an entry never goes stale. Each
# server process fills its own from the database (nothing another server needs);
# at most _TEXTS_MAX entries (a district bank is ~1,000 questions), then it starts over.
_TEXTS: dict[tuple[int, datetime], _Texts] = {}
_TEXTS_MAX = 5000


def _texts(keys: list[tuple[int, datetime]]) -> dict[int, _Texts]:
    """The texts of the questions by id, from the cache or else in one query."""
    found = {key[0]: _TEXTS.get(key) for key in keys}
    missing = [qid for qid, texts in found.items() if texts is None]
    if missing:
        if len(_TEXTS) + len(missing) > _TEXTS_MAX:
            _TEXTS.clear()
        for row in db.session.execute(_QUESTIONS, {"ids": missing}):
            texts = _Texts(row.type, escape(row.stem), tuple(escape(o) for o in row.options))
            _TEXTS[row.id, row.updated_at] = found[row.id] = texts
    return found


# ---------------------------------------------------------------- markup


def _nav_link(item: SheetItem) -> str:
    answered = ' class="answered"' if item.letters else ""
    n = item.position
    return f'<a href="#q{n}" data-nav="{n}"{answered}>{n}</a>'


def _question(item: SheetItem) -> str:
    n = item.position
    return (
        f'<fieldset class="question" id="q{n}" data-position="{n}">\n'
        f'<legend class="stem">\n<span class="qno">{n}.</span>\n'
        f'<span class="tag" data-speak-part>{_TYPE_LABELS[item.type]}</span>\n'
        f'<span class="stem-text" data-speak-part>{item.stem}</span>\n'
        f'<span class="muted">（{_score(item.score)}分）</span>\n</legend>\n'
        f"{_SPEAK.format(n=n)}"
        f"{_options(item, n)}"
        f'<input type="hidden" name="v{n}" value="{item.version}">\n'
        f'<p class="q-state" data-state-for="{n}"></p>\n</fieldset>'
    )


def _options(item: SheetItem, n: int) -> str:
    kind = "checkbox" if item.type is QuestionType.MULTI else "radio"
    return "".join(
        f'<label class="option" data-speak-part>\n<input type="{kind}" name="q{n}" value="{letter}"'
        f"{' checked' if letter in item.letters else ''}>\n"
        f'<span class="letter">{letter}.</span>\n'
        f'<span class="option-text">{text}</span>\n</label>\n'
        for letter, text in zip(LETTERS, item.options, strict=False)
    )


# 朗读 (static/js/speech.js): hidden until the browser shows it has a Chinese voice;
# it reads the type, the stem and the options with their letters, nothing else.
_SPEAK = (
    '<button type="button" class="button button-secondary speak-button" data-speak="q{n}"'
    ' aria-pressed="false" hidden>朗读</button>\n'
)
_TYPE_LABELS = {qtype: escape(label) for qtype, label in QUESTION_TYPE_LABELS.items()}
_score = lru_cache(maxsize=64)(format_score)  # a sheet has a few distinct scores


# ---------------------------------------------------------------- statements

_a, _e = Attempt.__table__, Exam.__table__
_aq, _q = AttemptQuestion.__table__, Question.__table__
_login, _user = LoginSession.__table__, User.__table__
_seen_by = AttemptLogin.__table__
_seen = seen_at(_login)
# Built once: constructing a statement costs more Python than running it here.
_ITEM_COLUMNS = (
    _aq.c.position,
    _aq.c.question_id,
    # As text: a sheet's orders are a few permutations, each parsed once.
    sa.cast(_aq.c.option_order, sa.Text).label("option_order"),
    _aq.c.response,
    _aq.c.score,
    _aq.c.version,
    _q.c.updated_at,
)
_SHEET = attempt_with_items(
    sa.select(_a.c.id, _a.c.status, _a.c.deadline, _a.c.max_score, _e.c.title, *_ITEM_COLUMNS)
).where(_a.c.user_id == sa.bindparam("user_id"), NOT_ON_PAPER)
# The login's checks first, on their one row: planned as one join, PostgreSQL
# repeats the user's and the login's lookups and a scan of exam for each of the
# sheet's 20-odd items, reading about three times the buffers. SQLite, whose
# planner gets this right, reads the CTE as a plain join.
_LOGIN_HEAD = (
    sa.select(
        _a.c.id,
        _a.c.status,
        _a.c.deadline,
        _a.c.max_score,
        _e.c.title,
        _seen.label("last_seen"),
        sa.exists()
        .where(_seen_by.c.attempt_id == _a.c.id, _seen_by.c.login_id == _login.c.id)
        .label("login_known"),
    )
    .select_from(_a)
    .join(_e, _e.c.id == _a.c.exam_id)
    .join(_login, _login.c.user_id == _a.c.user_id)
    .join(_user, _user.c.id == _a.c.user_id)
    .where(
        _a.c.id == sa.bindparam("attempt_id"),
        NOT_ON_PAPER,  # a printed paper is typed in by an admin
        *live_login(_login, _user),
    )
    .cte("head")
    .prefix_with("MATERIALIZED", dialect="postgresql")
)
_SHEET_BY_LOGIN = (
    sa.select(
        *_LOGIN_HEAD.c,
        *_ITEM_COLUMNS,
    )
    .select_from(_LOGIN_HEAD)
    .outerjoin(_aq, _aq.c.attempt_id == _LOGIN_HEAD.c.id)
    .outerjoin(_q, _q.c.id == _aq.c.question_id)
    .order_by(_aq.c.position)
)
_QUESTIONS = sa.select(_q.c.id, _q.c.updated_at, _q.c.type, _q.c.stem, _q.c.options).where(
    _q.c.id.in_(sa.bindparam("ids", expanding=True))
)
