from flask import Flask


def register(app: Flask) -> None:
    """Blueprints of the training feature and its law links."""
    from . import admin_sheets  # noqa: F401  (admin_sheets adds routes to admin_bp)
    from .admin_views import bp as admin_bp
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp, url_prefix="/admin/training")
    _register_law_links()


def _register_law_links() -> None:
    """Amending a law a session covered flags the session 待复核 (laws/references.py)."""
    from ..laws.references import LawReference, register
    from ..org.models import OrgUnit
    from ..org.permissions import Perm
    from .models import SessionLaw, TrainingSession

    register(
        LawReference(
            label="集中学习",
            model=SessionLaw,
            describe=lambda link: link.session.topic,
            endpoint="training_admin.edit",
            endpoint_arg="session_id",
            target=lambda link: link.session_id,
            perm=Perm.MANAGE_TRAINING,
            owner_join=lambda query: query.join(
                TrainingSession, SessionLaw.session_id == TrainingSession.id
            ).join(OrgUnit, TrainingSession.owner_unit_id == OrgUnit.id),
        )
    )
