"""What the exam admin pages share: the blueprint, the acting user, finding an exam
within the viewer's scope (else 404), and turning service errors into messages."""

from flask import Blueprint
from flask_login import current_user

from ...core.forms import run_service
from ...org.models import CATEGORY_LABELS
from ...org.permissions import Perm
from ..models import DIFFICULTY_LABELS
from . import forms, services
from .base import ExamError

bp = Blueprint("exam_admin", __name__)


@bp.context_processor
def _helpers():
    return {
        "status_labels": forms.STATUS_LABELS,
        "category_labels": CATEGORY_LABELS,
        "difficulty_labels": DIFFICULTY_LABELS,
    }


def manageable(exam_id: int):
    return services.get_exam(exam_id, user=current_user, perm=Perm.MANAGE_EXAMS)


def visible(exam_id: int):
    return services.get_exam(exam_id, user=current_user, perm=Perm.VIEW_EXAMS)


def run(change, success: str) -> bool:
    """Run a service call; commit and flash ``success``, or roll back and flash why."""
    return run_service(change, success, (ExamError,))
