"""Every model module, imported so the metadata is complete (migrations, tests)."""

from .auth.models import LoginSession
from .core.audit import AuditLog
from .core.settings import SiteSetting
from .org.import_models import PendingImport
from .org.models import OrgUnit, RoleGrant, User

__all__ = [
    "AuditLog",
    "LoginSession",
    "OrgUnit",
    "PendingImport",
    "RoleGrant",
    "SiteSetting",
    "User",
]
