"""``flask --app bench.app bench-data`` on a small scale: the data is consistent and the figures the
stats layer computes from it are the ones the generator meant."""

import pytest
import sqlalchemy as sa

from bench.datagen.cli import bench_data_command
from bench.datagen.generate import Size, generate
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import Attempt, AttemptQuestion, Enrolment, Exam
from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit, User
from yongxi_learn.stats import queries
from yongxi_learn.training.models import Attendance, TrainingSession

SMALL = Size(towns=2, people=200, questions=60, exams=2, attempts=300, papers=40)


@pytest.fixture
def data(app):
    return generate(SMALL, quiet=True)


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_district_has_towns_offices_villages_and_everyone_in_a_leaf(data):
    assert count(OrgUnit) == 1 + 2 * 10
    assert count(User) == 200
    leaves = sa.select(OrgUnit.id).where(OrgUnit.kind.in_(["office", "village"]))
    assert count(User, User.unit_id.in_(leaves)) == 200
    district = db.session.get(OrgUnit, data.district_id)
    assert count(OrgUnit, OrgUnit.path.startswith(district.path)) == 21


def test_every_exam_froze_the_whole_district_and_got_its_attempts(data):
    for exam_id in data.exam_ids:
        assert count(Enrolment, Enrolment.exam_id == exam_id) == 200
        assert count(Attempt, Attempt.exam_id == exam_id) == 150
    assert data.attempts == 300
    assert count(AttemptQuestion) == 40 * 20


def test_answer_rows_add_up_to_the_attempt_scores(data):
    totals = db.session.execute(
        sa.select(Attempt.score, sa.func.sum(AttemptQuestion.awarded))
        .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
        .group_by(Attempt.id, Attempt.score)
    ).all()
    assert len(totals) == 40
    assert all(score == awarded for score, awarded in totals)


def test_the_year_overview_counts_what_was_generated(data):
    district = db.session.get(OrgUnit, data.district_id)
    exam = db.session.get(Exam, data.exam_ids[0])
    overview = queries.year_overview(exam.year, district, user=None, now=utcnow())
    assert [r.exam.id for r in overview.reports] == data.exam_ids
    first = overview.reports[0]
    passed = count(Attempt, Attempt.exam_id == exam.id, Attempt.passed.is_(True))
    assert (first.total.enrolled, first.total.sat, first.total.passed) == (200, 150, passed)
    assert 0 < passed < 150
    assert sum(row.figures.enrolled for row in first.rows) == 200


def test_training_sessions_have_attendance_from_their_own_town(data):
    assert count(TrainingSession) == 2 * SMALL.sessions_per_town
    assert count(Attendance) == data.attendance > 0
    outside = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Attendance)
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .join(OrgUnit, OrgUnit.id == Attendance.unit_id)
        .where(OrgUnit.parent_id != TrainingSession.owner_unit_id)
    )
    assert outside == 0


def test_the_cli_reports_what_it_built(app):
    args = "--towns 1 --people 30 --questions 30 --exams 1 --attempts 20"
    result = app.test_cli_runner().invoke(
        bench_data_command, args=[*args.split(), "--papers", "5", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "30人，1场考试，20份答卷" in result.output
