"""What the services of setting exams share: their exception, the permission check, auditing."""

from ...org import audit
from ...org.permissions import Perm, ensure
from ...org.services import Actor
from ...org.year_close import ensure_year_open
from ..models import Exam, ExamKind


class ExamError(Exception):
    """A change that cannot be made; the message is shown to the admin."""


def audit_exam(actor: Actor, action: str, obj, detail: str = "") -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


def ensure_manage(actor: Actor, exam: Exam) -> None:
    """May ``actor`` change ``exam``: MANAGE_EXAMS over its unit, and its year not
    closed (年度关账: a closed year's exams, enrolments and answers stay as recorded)."""
    ensure_may_manage(actor, exam)
    ensure_year_not_closed(exam)


def ensure_may_manage(actor: Actor, exam: Exam) -> None:
    """MANAGE_EXAMS over the exam's unit, whatever its year (to read what it holds)."""
    # The system actor (CLI, demo data) is trusted; people are checked.
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_EXAMS, exam.owner_unit)


def ensure_year_not_closed(exam: Exam, year: int | None = None) -> None:
    """Practice exams count in no year's figures: never frozen."""
    if exam.kind is not ExamKind.PRACTICE:
        ensure_year_open(exam.owner_unit, year or exam.year, error=ExamError)
