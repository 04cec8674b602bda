"""The years the statistics page offers for a unit: any year with a formal exam, a
training sign-in or a study list that concerns the unit's people, newest first."""

import sqlalchemy as sa

from ..extensions import db
from ..org.models import OrgUnit
from ..org.subtrees import subtree
from ..study.plan_models import StudyList
from ..training.models import Attendance, TrainingSession
from .exams import exam_years


def report_years(unit: OrgUnit) -> list[int]:
    training = (
        sa.select(TrainingSession.year)
        .join(Attendance, Attendance.session_id == TrainingSession.id)
        .join(OrgUnit, Attendance.unit_id == OrgUnit.id)
        .where(subtree(OrgUnit.path, unit))
        .distinct()
    )
    # A list concerns the unit when it is the unit's own, a unit's above it, or below it.
    above = unit.path_ids
    lists = (
        sa.select(StudyList.year)
        .join(OrgUnit, StudyList.owner_unit_id == OrgUnit.id)
        .where(sa.or_(OrgUnit.id.in_(above), subtree(OrgUnit.path, unit)))
        .distinct()
    )
    years = set(exam_years(unit))
    years |= set(db.session.scalars(training)) | set(db.session.scalars(lists))
    return sorted(years, reverse=True)
