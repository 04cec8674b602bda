"""Uploads kept between preview and confirm (people, questions): one mechanism.

An import is planned from the file, shown, and only then confirmed. The file waits
in the database (several app servers may serve the two steps); confirming re-plans
it and applies it only if it still does what the admin saw (the plan's digest).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Protocol, TypeVar

import sqlalchemy as sa

from ..extensions import db
from .exceptions import NotFound
from .pending_import import PendingImport
from .spreadsheets import Limits
from .time import utcnow

Result = TypeVar("Result")


class Uploader(Protocol):
    """Who staged a file: a person (the app's ``User``), or None for the system."""

    id: int


class Plan(Protocol):
    ok: bool
    digest: str


class ImportExpired(Exception):
    """The staged upload is older than IMPORT_PENDING_MINUTES."""


class ImportInvalid(Exception):
    """The staged upload no longer passes the checks (the data changed meanwhile)."""

    def __init__(self, plan: Plan):
        super().__init__("import has rejected rows")
        self.plan = plan


class ImportChanged(Exception):
    """The staged upload would now do something else than the admin previewed."""

    def __init__(self, plan: Plan, pending: PendingImport):
        super().__init__("import plan changed since the preview")
        self.plan = plan
        self.pending = pending


def stage(
    kind: str, content: bytes, filename: str, *, user: Uploader | None, limits: Limits
) -> PendingImport:
    """Keep an upload for its uploader to confirm; abandoned ones are cleared here.
    ``user`` None is the system (the CLI loading the demo data), which only the
    system may confirm."""
    db.session.execute(sa.delete(PendingImport).where(PendingImport.created_at < _cutoff(limits)))
    user_id = user.id if user is not None else None
    pending = PendingImport(user_id=user_id, kind=kind, filename=filename[:255], content=content)
    db.session.add(pending)
    db.session.flush()
    return pending


def confirm(
    kind: str,
    token: str,
    digest: str,
    *,
    user: Uploader | None,
    limits: Limits,
    replan: Callable[[PendingImport], Plan],
    apply: Callable[[Plan], Result],
) -> Result:
    """Re-plan the staged upload and apply it if it still matches ``digest``; the
    caller commits once."""
    pending = _pending_for(kind, token, user)
    if pending.created_at < _cutoff(limits):
        raise ImportExpired
    plan = replan(pending)
    if not plan.ok:
        raise ImportInvalid(plan)
    if plan.digest != digest:
        raise ImportChanged(plan, pending)
    result = apply(plan)
    db.session.delete(pending)
    db.session.flush()
    return result


def _pending_for(kind: str, token: str, user: Uploader | None) -> PendingImport:
    # Locked, so a double-clicked confirm waits and then finds the upload gone.
    pending = db.session.scalar(
        sa.select(PendingImport)
        .where(PendingImport.token == token, PendingImport.kind == kind)
        .with_for_update()
    )
    # A signed-in user confirms only their own upload; the system (None) only its own.
    if pending is None or pending.user_id != (user.id if user is not None else None):
        raise NotFound
    return pending


def _cutoff(limits: Limits):
    return utcnow() - timedelta(minutes=limits.pending_minutes)
