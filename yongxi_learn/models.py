"""Every model module, imported so the metadata is complete (migrations, tests)."""

from .auth.models import LoginFailure, LoginSession, PasswordHistory
from .core import ratelimit  # noqa: F401  (the rate_counter table)
from .core.pending_import import PendingImport
from .core.settings import SiteSetting
from .courses import models as courses_models  # noqa: F401
from .exams.models import (
    Attempt,
    AttemptQuestion,
    Enrolment,
    Exam,
    ExamQuestion,
    ExamRule,
    ExamTally,
    Question,
    QuestionCategory,
)
from .external.models import ExternalExam, ExternalResult
from .feedback.models import Feedback
from .laws import models as laws_models  # noqa: F401
from .org.audit import AuditLog
from .org.models import OrgUnit, RoleGrant, User
from .org.unit_settings import UnitSetting
from .org.year_close import YearClose
from .record.models import Certificate
from .reminders.models import Reminder
from .reports.models import ReportDraft, ReportTemplate, ReportVersion
from .stats.threshold_models import YearThreshold
from .study import plan_models as study_plan_models  # noqa: F401
from .study import reading_models as study_reading_models  # noqa: F401
from .training import models as training_models  # noqa: F401

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "AuditLog",
    "Certificate",
    "Enrolment",
    "Exam",
    "ExamQuestion",
    "ExamRule",
    "ExamTally",
    "ExternalExam",
    "ExternalResult",
    "Feedback",
    "LoginFailure",
    "LoginSession",
    "OrgUnit",
    "PasswordHistory",
    "PendingImport",
    "Question",
    "QuestionCategory",
    "Reminder",
    "ReportDraft",
    "ReportTemplate",
    "ReportVersion",
    "RoleGrant",
    "SiteSetting",
    "UnitSetting",
    "User",
    "YearClose",
    "YearThreshold",
]
