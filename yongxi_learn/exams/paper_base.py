"""What the paper services share: their exception, the permission check, auditing."""

from ..core import audit
from ..core.permissions import Perm, ensure
from ..org.services import Actor
from .models import Exam

# The audit log page shows actions in Chinese; the exam actions register their labels
# here rather than in core/audit.py, which other features also extend.
audit.ACTION_LABELS.update(
    {
        "exam.create": "新建考试",
        "exam.update": "修改考试",
        "exam.paper": "设置试卷",
        "exam.publish": "发布考试",
        "exam.extend": "延长考试截止时间",
        "exam.cancel": "取消考试",
        "exam.makeup": "创建补考",
        "exam.enrol": "补录应考人员",
        "exam.exempt": "免考",
        "exam.unexempt": "取消免考",
        "question.fix_answer": "更正答案并重新评分",
    }
)


class ExamError(Exception):
    """A change that cannot be made; the message is shown to the admin."""


def audit_exam(actor: Actor, action: str, obj, detail: str = "") -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


def ensure_manage(actor: Actor, exam: Exam) -> None:
    # The system actor (CLI, demo data) is trusted; people are checked.
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_EXAMS, exam.owner_unit)


def format_score(value) -> str:
    """8.00 → "8", 7.50 → "7.5": scores as people write them."""
    if value is None:
        return ""
    return f"{value.normalize():f}"
