"""Which save of an answer wins when two pages (two tabs, a phone and a PC) answer
the same attempt: the answer the person gave last, whichever page sends it last
(DESIGN §5).

Each answer row has a version, one more at each change. A page saves "this answer,
given ``age`` milliseconds ago, based on version N". The save applies when nothing
changed since the page learned version N, or when its answer was given after the
saved one: the server reckons when each answer was given from its own clock less
the age the page measured on its own, so the two devices' clocks never meet. A save
that loses is answered with the saved answer and its version, and the page shows
that one instead.

The saves of one page are ordered by the page itself: each carries the page's key (a
random id per page load) and its count of saves, and the answer row keeps those of the
save that wrote it. An earlier save of the same page never replaces a later one, however
its age reckons: a save held up in the network (a TCP retransmission waits a second or
more) would otherwise count as given later than it was. Time orders only the saves of
two pages.

Every save's answer also carries the sum of the attempt's versions: it grows with
any change from any page, so a page whose own sum is behind knows another page has
answered and fetches the answers again (``taking.views.answers``).

The rule is written once, as SQL, for the hot path (``autosave``) and the full path
(``attempts.save_answer``) alike.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from .models import AttemptQuestion

# A page keeps an answer given offline for at most this long before it counts as
# given at the start of time (an attempt lasts hours, not days).
MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class Saved:
    """The answer of one position as stored after a save."""

    applied: bool  # False: a newer answer was already saved, and is the one kept
    letters: str  # the saved answer, in the letters this sheet shows
    version: int
    total: int  # the sum of the attempt's versions (see the module's docstring)
    remaining_seconds: int | None


# A page's key as exam.js makes it; anything else is not a page's.
PAGE_KEY = re.compile(r"[0-9a-z]{8,32}")


@dataclass(frozen=True)
class PageOrder:
    """Which page sent a save, and its count of saves so far (retries keep theirs)."""

    key: str | None = None
    n: int | None = None

    def params(self) -> dict:
        return {"b_page_key": self.key, "b_page_n": self.n if self.key else None}


NO_PAGE = PageOrder()


def given_at(now: datetime, age_ms: int | None) -> datetime:
    """When an answer reported ``age_ms`` old was given, by the server's clock."""
    if age_ms is None or age_ms < 0:
        return now
    return now - min(timedelta(milliseconds=age_ms), MAX_AGE)


_aq = AttemptQuestion.__table__

_page_key = sa.bindparam("b_page_key", type_=sa.String)
_page_n = sa.bindparam("b_page_n", type_=sa.Integer)

# Bound: b_attempt, b_position, base (the version the page saw; -1: unknown),
# given (``given_at``), new_response, and ``PageOrder.params``.
SAVE = (
    sa.update(_aq)
    .where(
        _aq.c.attempt_id == sa.bindparam("b_attempt"),
        _aq.c.position == sa.bindparam("b_position"),
        sa.or_(
            _aq.c.version == sa.bindparam("base"),
            _aq.c.answered_at.is_(None),
            _aq.c.answered_at < sa.bindparam("given"),
        ),
        # Not an earlier save of the page that wrote the answer kept.
        sa.or_(
            _aq.c.page_key.is_(None),
            _page_key.is_(None),
            _aq.c.page_key != _page_key,
            _aq.c.page_n <= _page_n,
        ),
    )
    .values(
        response=sa.bindparam("new_response"),
        version=_aq.c.version + 1,
        answered_at=sa.bindparam("given"),
        page_key=_page_key,
        page_n=_page_n,
    )
    .returning(_aq.c.version)
)

# The answer kept when a save lost (bound: b_attempt, b_position).
CURRENT = sa.select(_aq.c.response, _aq.c.version).where(
    _aq.c.attempt_id == sa.bindparam("b_attempt"),
    _aq.c.position == sa.bindparam("b_position"),
)


def total_of(attempt_id_column) -> sa.ScalarSelect:
    """The sum of the versions of an attempt's answers, as a scalar subquery."""
    inner = _aq.alias("versions")
    return (
        sa.select(sa.func.coalesce(sa.func.sum(inner.c.version), 0))
        .where(inner.c.attempt_id == attempt_id_column)
        .scalar_subquery()
    )


def form_conflicts(stored_version: int, base: int | None) -> bool:
    """Whether a submitted form's answer, differing from the one stored, is one the
    page gave without seeing the stored one (another page changed it after this one
    learned its version). None: a form from before versions; its answers stand."""
    return base is not None and base != stored_version
