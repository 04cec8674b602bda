"""Actions the audit log must hold that no feature test checked: a unit moved, an
exam's window extended, a question edited, an attendance sheet downloaded."""

from datetime import timedelta

import sqlalchemy as sa

from tests.exams import conftest as exam_fixtures
from tests.training import conftest as training_fixtures
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org import services
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Role
from yongxi_learn.org.services import Actor

make_question, bank, make_exam = (
    exam_fixtures.make_question,
    exam_fixtures.bank,
    exam_fixtures.make_exam,
)
cadre, other, exam = exam_fixtures.cadre, exam_fixtures.other, exam_fixtures.exam
kinds, make_session = training_fixtures.kinds, training_fixtures.make_session


def recorded(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def test_moving_a_unit_is_recorded(app, tree, make_user):
    admin = make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])
    services.move_unit(tree["village2"], tree["other_town"], actor=Actor(admin, "10.1.1.1"))
    db.session.commit()
    (entry,) = recorded("unit.move")
    assert (entry.actor_id, entry.address, entry.object_id) == (
        admin.id,
        "10.1.1.1",
        tree["village2"].id,
    )


def test_extending_an_exam_is_recorded_with_old_and_new_close(app, exam, admin):
    new_close = exam.closes_at + timedelta(days=2)
    papers.change_close(exam, new_close, actor=Actor(admin, "10.1.1.2"), now=exam.opens_at)
    db.session.commit()
    (entry,) = recorded("exam.extend")
    assert entry.object_id == exam.id and str(new_close) in entry.detail


def test_downloading_an_attendance_sheet_is_recorded(client, login, admin, make_session):
    session = make_session()
    login(admin)
    for ext in ("csv", "xlsx"):
        response = client.get(f"/admin/training/{session.id}/attendance.{ext}")
        assert response.status_code == 200
        response.close()
    entries = recorded("training.export")
    assert [e.detail[-4:] for e in entries] == [".csv", "xlsx"]
    assert all(e.actor_id == admin.id and e.object_type == "TrainingSession" for e in entries)
