"""The exam tally's rows beside the same figures computed from the source tables, as
tuples the tests compare."""

from decimal import Decimal

import sqlalchemy as sa

from yongxi_learn.exams.counting import group_figures
from yongxi_learn.exams.models import ExamTally
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category


def tally_rows(exam_id):
    rows = db.session.execute(
        sa.select(ExamTally).where(ExamTally.exam_id == exam_id).order_by(*ExamTally.__table__.c)
    ).scalars()
    return [_row(t) for t in rows]


def _row(t):
    values = (t.exempt, t.enrolled, t.sat, t.passed, t.sat_first, t.passed_first, t.scored)
    score_sum = None if t.score_sum is None else Decimal(t.score_sum)
    lowest = None if t.lowest is None else Decimal(t.lowest)
    return (t.exam_id, t.unit_id, Category(t.category), *values, score_sum, lowest)


def source_rows(exam_id):
    rows = db.session.execute(group_figures([exam_id])).all()
    out = [
        (
            r.exam_id,
            r.unit_id,
            Category(r.category),
            *(int(v) for v in r[3:10]),
            *(None if v is None else Decimal(str(v)) for v in r[10:12]),
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: (r[0], r[1], r[2].value))
