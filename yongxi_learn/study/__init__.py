from flask import Flask


def register(app: Flask) -> None:
    """Blueprints and CLI commands of the study feature."""
    _register_library(app)
    _register_study(app)


def _register_library(app: Flask) -> None:
    """The law library (法规库)."""


def _register_study(app: Flask) -> None:
    """Study lists (学习清单) and reading assignments (阅读任务)."""
    from . import admin_reading_views  # noqa: F401  (routes on the admin blueprint)
    from .admin_views import bp as admin_bp
    from .law_refs import LawReference, register
    from .learner_views import bp as learner_bp
    from .plan_models import StudyListItem
    from .reading_models import ReadingAssignment

    app.register_blueprint(learner_bp, url_prefix="/study")
    app.register_blueprint(admin_bp, url_prefix="/admin/study")
    register(
        LawReference(
            label="学习清单条目",
            model=StudyListItem,
            describe=lambda item: f"{item.study_list.name}：{item.title}",
            endpoint="study_admin.edit_item",
            endpoint_arg="item_id",
        )
    )
    register(
        LawReference(
            label="阅读任务",
            model=ReadingAssignment,
            describe=lambda reading: reading.title,
            endpoint="study_admin.edit_reading",
            endpoint_arg="reading_id",
        )
    )
