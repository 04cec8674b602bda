"""What the exam admin pages share: the blueprint, the acting user, finding an exam
within the viewer's scope (else 404), and turning service errors into messages."""

from flask import Blueprint, flash
from flask_login import current_user

from ..core.forms import run_service
from ..core.net import client_address
from ..core.permissions import Perm
from ..org.models import CATEGORY_LABELS
from ..org.services import Actor
from . import paper_forms as forms
from . import papers
from .models import DIFFICULTY_LABELS
from .paper_base import ExamError

bp = Blueprint("exam_admin", __name__)


@bp.context_processor
def _helpers():
    return {
        "status_labels": forms.STATUS_LABELS,
        "category_labels": CATEGORY_LABELS,
        "difficulty_labels": DIFFICULTY_LABELS,
    }


def actor() -> Actor:
    return Actor(user=current_user, address=client_address())


def manageable(exam_id: int):
    return papers.get_exam(exam_id, user=current_user, perm=Perm.MANAGE_EXAMS)


def visible(exam_id: int):
    return papers.get_exam(exam_id, user=current_user, perm=Perm.VIEW_EXAMS)


def flash_errors(form) -> None:
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if field is not None else ""
        for i, error in enumerate(errors, start=1):
            if isinstance(error, dict):  # a row of the rule table
                for messages in error.values():
                    flash(f"第{i}条抽题规则：{'；'.join(messages)}", "danger")
            else:
                flash(f"{label}：{error}" if label else error, "danger")


def run(change, success: str) -> bool:
    """Run a service call; commit and flash ``success``, or roll back and flash why."""
    return run_service(change, success, (ExamError,))
