from flask import Flask


def register(app: Flask) -> None:
    """Blueprints and CLI commands of the study feature."""
    from .law_cli import laws_cli

    _register_library(app)
    _register_study(app)
    app.cli.add_command(laws_cli)


def _register_library(app: Flask) -> None:
    """The law library (法规库), and the questions that point at its laws."""
    from ..core.permissions import Perm
    from ..exams.models import Question, QuestionStatus
    from . import law_refs
    from .law_views import bp

    app.register_blueprint(bp, url_prefix="/laws")
    law_refs.register(
        law_refs.LawReference(
            label="试题",
            model=Question,
            describe=lambda question: question.stem[:60],
            endpoint="bank.edit",
            endpoint_arg="question_id",
            unit_column="owner_unit_id",
            perm=Perm.MANAGE_EXAMS,
            listed=lambda: Question.status == QuestionStatus.ACTIVE,
        )
    )


def _register_study(app: Flask) -> None:
    """Study lists (学习清单) and reading assignments (阅读任务)."""
    from ..org.models import OrgUnit
    from . import (
        admin_reading_views,  # noqa: F401  (routes on the admin blueprint)
        figures,
    )
    from .admin_views import bp as admin_bp
    from .law_refs import LawReference, register
    from .learner_views import bp as learner_bp
    from .plan_models import StudyList, StudyListItem
    from .reading_models import ReadingAssignment

    app.register_blueprint(learner_bp, url_prefix="/study")
    app.register_blueprint(admin_bp, url_prefix="/admin/study")
    figures.register()
    register(
        LawReference(
            label="学习清单条目",
            model=StudyListItem,
            describe=lambda item: f"{item.study_list.name}：{item.title}",
            endpoint="study_admin.edit_item",
            endpoint_arg="item_id",
            owner_join=lambda query: query.join(
                StudyList, StudyListItem.list_id == StudyList.id
            ).join(OrgUnit, StudyList.owner_unit_id == OrgUnit.id),
        )
    )
    register(
        LawReference(
            label="阅读任务",
            model=ReadingAssignment,
            describe=lambda reading: reading.title,
            endpoint="study_admin.edit_reading",
            endpoint_arg="reading_id",
            unit_column="owner_unit_id",
        )
    )
