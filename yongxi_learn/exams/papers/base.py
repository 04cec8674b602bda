"""What the services of setting exams share: their exception, the permission check, auditing."""

from ...org import audit
from ...org.permissions import Perm, ensure
from ...org.services import Actor
from ..models import Exam


class ExamError(Exception):
    """A change that cannot be made; the message is shown to the admin."""


def audit_exam(actor: Actor, action: str, obj, detail: str = "") -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


def ensure_manage(actor: Actor, exam: Exam) -> None:
    # The system actor (CLI, demo data) is trusted; people are checked.
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_EXAMS, exam.owner_unit)
