"""Every service that changes a record counted in a year's figures refuses in a closed
year, with the one message, and changes nothing (even were the refusal committed)."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.cycle.conftest import NOON, NOW, YEAR
from tests.exams.paper_fixtures import settings as exam_settings
from yongxi_learn.core.spreadsheets import Limits
from yongxi_learn.core.time import utcnow
from yongxi_learn.cycle import closing
from yongxi_learn.exams import attempts, external_sheets, paper_sittings
from yongxi_learn.exams.attempts import AttemptError
from yongxi_learn.exams.models import Enrolment
from yongxi_learn.exams.papers import enrolment, makeup, regrade
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.exams.papers.base import ExamError
from yongxi_learn.extensions import db
from yongxi_learn.external import importing as external
from yongxi_learn.org.models import Category, User
from yongxi_learn.org.services import Actor
from yongxi_learn.org.year_close import YearClosed, message, standing_close
from yongxi_learn.reports import services as reports
from yongxi_learn.reports.services import ReportError
from yongxi_learn.stats import credits, thresholds
from yongxi_learn.stats.thresholds import ThresholdError
from yongxi_learn.study import plans, readings
from yongxi_learn.study.common import StudyError
from yongxi_learn.study.plan_models import ItemKind
from yongxi_learn.study.reading_models import ReadingProgress
from yongxi_learn.training import attendance
from yongxi_learn.training import services as training
from yongxi_learn.training.models import Attendance, AttendanceMethod
from yongxi_learn.training.services import TrainingError
from yongxi_learn.training.signin import SigninRefused

# The close computes the report's figures, which link their name lists.
pytestmark = pytest.mark.usefixtures("ctx")


def _admin(y):
    return Actor(y.district_admin)


def _session_data(y, start=NOON):
    return training.SessionData(
        kind_id=y.session.kind_id,
        topic="补一场",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        hours=Decimal(2),
        audience={"units": [y.town.id]},
    )


def _leader(y):
    return db.session.scalar(sa.select(User).where(User.name == "雍溪镇领导"))


def _list_settings(y):
    return plans.ListSettings(
        name="又一份清单",
        year=YEAR,
        choose_until=None,
        audience={"units": [y.town.id], "categories": [], "people": []},
    )


def _reading_settings(y):
    return readings.ReadingSettings(
        title="改过的阅读",
        kind=y.reading.kind,
        due_on=y.reading.due_on,
        min_seconds=5,
        body="<p>案例</p>",
        audience=y.reading.audience,
    )


SERVICES = {
    # training: sessions of the year, their attendance, the QR / code sign-in
    "training.create": (
        TrainingError,
        lambda y: training.create_session(y.town, _session_data(y), actor=_admin(y)),
    ),
    "training.update": (
        TrainingError,
        lambda y: training.update_session(y.session, _session_data(y), actor=_admin(y)),
    ),
    "training.cancel": (
        TrainingError,
        lambda y: training.cancel_session(y.session, "取消", actor=_admin(y), now=utcnow()),
    ),
    "training.mark": (
        TrainingError,
        lambda y: attendance.mark(y.session, y.reader, "补录", actor=_admin(y), now=NOON),
    ),
    "training.unmark": (
        TrainingError,
        lambda y: attendance.unmark(
            db.session.scalar(sa.select(Attendance)), "签错", actor=_admin(y), now=NOON
        ),
    ),
    "training.sign_in": (
        SigninRefused,
        lambda y: attendance.sign_in(y.session, y.reader, method=AttendanceMethod.QR, now=NOON),
    ),
    # exams: settings, publishing, enrolment and 免考, make-up, regrade, paper sittings, start
    "exam.create": (
        ExamError,
        lambda y: papers.create_exam(y.town, exam_settings(), actor=_admin(y)),
    ),
    "exam.update": (
        ExamError,
        lambda y: papers.update_exam(y.exam, exam_settings(), actor=_admin(y)),
    ),
    "exam.change_close": (
        ExamError,
        lambda y: papers.change_close(
            y.exam, y.exam.closes_at + timedelta(days=1), actor=_admin(y), now=NOW
        ),
    ),
    "exam.publish": (ExamError, lambda y: papers.publish(y.exam, actor=_admin(y), now=NOW)),
    "exam.cancel": (ExamError, lambda y: papers.cancel(y.exam, actor=_admin(y))),
    "exam.enrol": (ExamError, lambda y: enrolment.add_person(y.exam, y.reader, actor=_admin(y))),
    "exam.exempt": (
        ExamError,
        lambda y: enrolment.exempt(
            db.session.scalar(sa.select(Enrolment).where(Enrolment.exam_id == y.exam.id)),
            "病假",
            actor=_admin(y),
            now=NOW,
        ),
    ),
    "exam.makeup": (
        ExamError,
        lambda y: makeup.create_makeup(
            y.exam, actor=_admin(y), opens_at=NOW, closes_at=NOW + timedelta(days=3), now=NOW
        ),
    ),
    "exam.fix_answer": (
        ExamError,
        lambda y: regrade.fix_answer_key(y.question, "B", actor=_admin(y)),
    ),
    "exam.paper_print": (
        ExamError,
        lambda y: paper_sittings.print_papers(y.open_exam, [y.absent.id], actor=_admin(y), now=NOW),
    ),
    "exam.paper_enter": (
        ExamError,
        lambda y: paper_sittings.enter_answers(y.open_exam, "X1", "A", actor=_admin(y), now=NOW),
    ),
    "exam.paper_correct": (
        ExamError,
        lambda y: paper_sittings.correct_answers(
            y.open_exam, "X1", "A", "录错", actor=_admin(y), now=NOW
        ),
    ),
    "exam.sheet_count": (
        ExamError,
        lambda y: external_sheets.count_sheet(y.open_exam, y.external, actor=_admin(y), now=NOW),
    ),
    "exam.sheet_uncount": (
        ExamError,
        lambda y: external_sheets.uncount_sheet(y.open_exam, y.external, actor=_admin(y)),
    ),
    "exam.start": (AttemptError, lambda y: attempts.start_attempt(y.open_exam, y.absent, NOW)),
    # study: lists and items, the 2 + 1 choice, progress, readings
    "study.create_list": (
        StudyError,
        lambda y: plans.create_list(y.town, _list_settings(y), actor=_admin(y)),
    ),
    "study.update_list": (
        StudyError,
        lambda y: plans.update_list(y.study_list, _list_settings(y), actor=_admin(y)),
    ),
    "study.add_item": (
        StudyError,
        lambda y: plans.add_item(
            y.study_list,
            plans.ItemSpec(kind=ItemKind.REQUIRED, law_id=y.study_list.items[0].law_id),
            actor=_admin(y),
        ),
    ),
    "study.remove_item": (
        StudyError,
        lambda y: plans.remove_item(y.study_list.items[-1], actor=_admin(y)),
    ),
    "study.choose": (
        StudyError,
        lambda y: plans.choose(
            y.study_list,
            _leader(y),
            [i.id for i in y.study_list.items],
            actor=_admin(y),
            now=utcnow(),
            reason="调整",
        ),
    ),
    "study.finish": (
        StudyError,
        lambda y: plans.finish(y.study_list.items[0], _leader(y), now=utcnow()),
    ),
    "reading.update": (
        StudyError,
        lambda y: readings.update_reading(y.reading, _reading_settings(y), actor=_admin(y)),
    ),
    "reading.confirm": (
        StudyError,
        lambda y: readings.confirm(db.session.scalar(sa.select(ReadingProgress)), now=utcnow()),
    ),
    # external results of the year
    "external.delete": (
        YearClosed,
        lambda y: external.delete_exam(y.external, actor=_admin(y)),
    ),
    # the report section: no new version of a closed year's report
    "report.draft": (
        ReportError,
        lambda y: reports.draft(YEAR, y.town, actor=_admin(y), now=utcnow()),
    ),
    "report.save": (
        ReportError,
        lambda y: reports.save(
            reports.get_draft(YEAR, y.town), "标题", "改过的正文", actor=_admin(y)
        ),
    ),
    # the district's thresholds and 学时 targets of the year
    "credits.targets": (
        ThresholdError,
        lambda y: credits.set_targets(
            y.district, YEAR, {Category.LEADER: "50"}, actor=_admin(y), now=utcnow()
        ),
    ),
    "thresholds.set": (
        ThresholdError,
        lambda y: thresholds.set_thresholds(
            y.district, YEAR, participation=50, actor=_admin(y), now=utcnow()
        ),
    ),
}


def _everything() -> dict:
    """Every row of every table: what "changes nothing" is checked against."""
    return {
        table.name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
        for table in db.metadata.sorted_tables
    }


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_service_refuses_in_the_closed_year_and_changes_nothing(year, name):
    error, call = SERVICES[name]
    closing.close_year(year.district, YEAR, actor=_admin(year), now=utcnow())
    db.session.commit()
    before = _everything()
    with pytest.raises(error) as refused:
        call(year)
    assert str(refused.value) == message(YEAR)
    assert message(YEAR) == "2024年度已关账，记录不再更改。如需更正，请区管理员重新开放该年度。"
    db.session.commit()  # even a view that committed anyway finds nothing changed
    db.session.expire_all()
    assert _everything() == before
    for unit in (year.district, year.town):
        assert closing.differences(standing_close(unit, YEAR), now=utcnow()) == []


def test_a_town_closed_alone_freezes_the_districts_records_reaching_into_it(year):
    closing.close_year(year.town, YEAR, actor=Actor(year.town_admin), now=utcnow())
    db.session.commit()
    with pytest.raises(ExamError, match=message(YEAR)):
        papers.cancel(year.exam, actor=_admin(year))  # the district's exam enrols the town
    # The district's own report stays writable until the district closes.
    reports.draft(YEAR, year.district, actor=_admin(year), now=utcnow())


def _sheet(year_text: str, phone: str) -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "考试信息"
    first.append(["考试名称", "年度", "组织单位", "合格分数"])
    first.append(["全市学法考试", year_text, "市", "60"])
    results = book.create_sheet("成绩")
    results.append(["手机号", "姓名", "成绩", "是否通过", "考试日期"])
    results.append([phone, "", "90", "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_external_sheet_of_a_closed_year_is_refused_in_its_preview(year, app):
    closing.close_year(year.district, YEAR, actor=_admin(year), now=utcnow())
    db.session.commit()
    limits, actor = Limits.from_config(app.config), Actor(year.town_admin)
    phone = year.reader.phone
    plan = external.plan_import(_sheet(str(YEAR), phone), "成绩.xlsx", actor=actor, limits=limits)
    assert not plan.ok
    assert any(message(YEAR) in m for m in plan.info.messages)
    later = _sheet(str(YEAR + 1), phone)
    fresh = external.plan_import(later, "成绩.xlsx", actor=actor, limits=limits)
    assert not any("已关账" in m for m in fresh.info.messages)


def test_reading_a_closed_years_records_is_not_refused(year):
    closing.close_year(year.district, YEAR, actor=_admin(year), now=utcnow())
    db.session.commit()
    assert paper_sittings.papers_to_print(year.open_exam, [], actor=_admin(year)) == []
    assert (
        reports.check(
            reports.latest(reports.get_draft(YEAR, year.town)), user=None, now=utcnow()
        ).stale
        == []
    )
