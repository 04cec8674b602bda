from flask import Flask


def register(app: Flask) -> None:
    """Study lists (学习清单) and reading assignments (阅读任务), and their law links."""
    from ..core.inputs import LARGE_BODIES
    from ..core.media import note_body_limit
    from ..laws.references import LawReference, register
    from ..org.models import OrgUnit
    from . import admin_reading_views  # noqa: F401  (routes on the admin blueprint)
    from .admin_views import bp as admin_bp
    from .learner_views import bp as learner_bp
    from .plan_models import StudyList, StudyListItem
    from .reading_models import ReadingAssignment

    app.register_blueprint(learner_bp, url_prefix="/study")
    app.register_blueprint(admin_bp, url_prefix="/admin/study")
    # A phone's recording is larger than any form: its own limit (AUDIO_NOTE_MAX_MB).
    LARGE_BODIES["study_admin.add_reading_audio"] = note_body_limit
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
