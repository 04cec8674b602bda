"""A closed 2024 for the cycle tests: the two towns of tests/stats/districts.py (a
district exam, a town session, a district study list, the district's thresholds), each
with a report draft, plus what the guarded services act on."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.stats.conftest import NOW, _enrol, _exam, _sat, towns  # noqa: F401
from tests.training.conftest import NOON, kinds, make_session  # noqa: F401
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import Attempt, AttemptQuestion, ExamStatus, Question, QuestionType
from yongxi_learn.extensions import db
from yongxi_learn.external.models import ExternalExam, ExternalResult
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.reports import services as reports
from yongxi_learn.stats import credits
from yongxi_learn.study import readings
from yongxi_learn.study.reading_models import ReadingKind
from yongxi_learn.training.models import TrainingSession

YEAR = 2024


@dataclass
class Year:
    tree: dict
    district_admin: object
    town_admin: object
    exam: object  # the district's 2024 exam, over
    open_exam: object  # a town exam of 2024 whose window ``now`` lies in (for start)
    session: object
    study_list: object
    reading: object
    reader: object
    external: object
    absent: object  # enrolled in open_exam, never sat
    question: object

    @property
    def district(self):
        return self.tree["district"]

    @property
    def town(self):
        return self.tree["town"]


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def year(app, towns, make_user):  # noqa: F811
    """Built inside a request context of its own (the report's figures link their
    names lists), left before the test: a test's client requests run as a server's."""
    with app.test_request_context():
        return _build(towns, make_user)


def _build(towns, make_user) -> Year:  # noqa: F811
    tree = towns.tree
    district, town = tree["district"], tree["town"]
    town_admin = make_user("镇管理员", tree["justice"], roles=[(Role.ADMIN, town)])
    # A question asked in the district exam's answer sheets (for the answer-key fix).
    question = Question(
        owner_unit_id=district.id,
        type=QuestionType.SINGLE,
        stem="题干",
        options=["甲", "乙", "丙", "丁"],
        answer="A",
        score=Decimal(2),
    )
    db.session.add(question)
    db.session.flush()
    for attempt in db.session.scalars(db.select(Attempt).where(Attempt.exam_id == towns.exam.id)):
        attempt.questions.append(
            AttemptQuestion(
                position=1,
                question_id=question.id,
                option_order=[0, 1, 2, 3],
                score=Decimal(2),
                response="A",
            )
        )
    # A practice-free town exam of 2024 still open at NOW - 25 days (its window).
    open_exam = _exam(town, "2024年度补充考试")
    open_exam.opens_at, open_exam.closes_at = NOW - timedelta(days=30), NOW + timedelta(days=30)
    open_exam.status = ExamStatus.PUBLISHED
    absent = make_user("未考人员", tree["office"])
    _enrol(open_exam, absent)
    _sat(open_exam, make_user("已考人员", tree["office"]), 90)
    reader = make_user("读者", tree["office"])
    reading = readings.create_reading(
        town,
        readings.ReadingSettings(
            title="以案释法",
            kind=ReadingKind.TEXT,
            due_on=date(YEAR, 6, 30),
            min_seconds=5,
            body="<p>案例</p>",
            audience={"units": [town.id], "categories": [], "people": []},
        ),
        actor=Actor(town_admin),
    )
    readings.open_reading(reading, reader, now=NOON)
    external = ExternalExam(owner_unit=town, title="2024年全市学法考试", year=YEAR, organiser="市")
    external.results.append(ExternalResult(user_id=reader.id, score=90, passed=True))
    db.session.add(external)
    db.session.flush()
    # The district's 学时 target for its leading cadres (copied to the new year).
    credits.set_targets(district, YEAR, {Category.LEADER: "50"}, actor=SYSTEM, now=utcnow())
    # The report drafts last: their figures are those of every record above.
    reports.draft(YEAR, district, actor=Actor(towns.district_admin), now=utcnow())
    reports.draft(YEAR, town, actor=Actor(town_admin), now=utcnow())
    db.session.commit()
    session = db.session.scalar(db.select(TrainingSession))
    return Year(
        tree=tree,
        district_admin=towns.district_admin,
        town_admin=town_admin,
        exam=towns.exam,
        open_exam=open_exam,
        session=session,
        study_list=towns.study_list,
        reading=reading,
        reader=reader,
        external=external,
        absent=absent,
        question=question,
    )
