"""What the 学时 ledger (stats.credits) reads of courses: each completion of a year's
course, with the 学时 declared when it was completed."""

import sqlalchemy as sa

from ..extensions import db
from .models import Course, CourseCompletion


def completions_select(year: int, user_ids) -> sa.Select:
    """The SELECT behind ``completions``, for a query to build on (the ledger's UNION)."""
    return (
        sa.select(
            CourseCompletion.user_id.label("user_id"),
            CourseCompletion.course_id.label("course_id"),
            Course.title.label("title"),
            CourseCompletion.completed_at.label("completed_at"),
            CourseCompletion.credit_hours.label("credit_hours"),
        )
        .join(Course, Course.id == CourseCompletion.course_id)
        .where(Course.year == year, CourseCompletion.user_id.in_(user_ids))
    )


def completions(year: int, user_ids) -> list[sa.Row]:
    """Rows (user_id, course_id, title, completed_at, credit_hours) of the courses of
    ``year`` completed by ``user_ids`` (a list, or a SELECT of ids), in one query."""
    query = completions_select(year, user_ids).order_by(
        CourseCompletion.user_id, CourseCompletion.completed_at
    )
    return list(db.session.execute(query))
