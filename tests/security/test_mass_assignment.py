"""Fields a form does not offer are ignored: a crafted POST cannot set the owner, the
creator, the status, a score or a role. Every form sends these extras on top of its
own valid fields."""

import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.exams.bank_fixtures import FORM as QUESTION_FORM
from tests.exams.paper_fixtures import exam_form
from tests.org.helpers import person_form
from tests.training.helpers import session_form
from yongxi_learn.auth.passwords import check_password
from yongxi_learn.exams.models import Exam, ExamStatus, Question, QuestionStatus
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Role, User
from yongxi_learn.reports.models import ReportDraft, ReportVersion
from yongxi_learn.study.plan_models import StudyList
from yongxi_learn.study.reading_models import ReadingAssignment
from yongxi_learn.training.models import SessionStatus, TrainingSession


def extras(tree, someone) -> dict:
    """What an attacker adds: another town, another person, a role, a status, a score."""
    other = str(tree["other_town"].id)
    return {
        "role": Role.ADMIN.value,
        "roles": Role.ADMIN.value,
        "is_admin": "y",
        "unit_id": other,
        "owner_unit_id": other,
        "created_by_id": str(someone.id),
        "user_id": str(someone.id),
        "status": "published",
        "published_at": "2024-01-01T00:00",
        "score": "100",
        "version": "9",
        "number": "99",
        "password_hash": "x",
        "must_change_password": "",
        "id": "999",
    }


def test_unit_admin_creates_a_person_without_a_role_or_another_unit(
    client, login, unit_admin, tree, learner
):
    login(unit_admin)
    data = {**extras(tree, learner), **person_form(tree["village"], phone="13800138001")}
    client.post("/admin/people/new", data=data)
    person = db.session.scalar(sa.select(User).where(User.phone == "13800138001"))
    assert (person.unit_id, person.grants, person.must_change_password) == (
        tree["village"].id,
        [],
        True,
    )


def test_unit_admin_cannot_place_a_person_outside_their_unit(client, login, unit_admin, tree):
    login(unit_admin)
    client.post("/admin/people/new", data=person_form(tree["other_village"], phone="13800138002"))
    assert db.session.scalar(sa.select(User).where(User.phone == "13800138002")) is None


def test_editing_a_person_keeps_roles_password_and_active_flag(client, login, admin, tree, learner):
    login(admin)
    data = {**extras(tree, admin), **person_form(tree["village"], name="学员丙改")}
    data["active"] = "0"
    client.post(f"/admin/people/{learner.id}", data=data)
    db.session.refresh(learner)
    assert (learner.name, learner.grants, learner.active) == ("学员丙改", [], True)
    assert check_password(learner.password_hash, PASSWORD)


def test_exam_form_cannot_publish_or_move_the_exam(client, login, admin, tree, learner):
    login(admin)
    data = {**extras(tree, learner), **exam_form(tree)}
    client.post("/admin/exams/new", data=data)
    exam = db.session.scalars(sa.select(Exam)).one()
    assert (exam.status, exam.published_at) == (ExamStatus.DRAFT, None)
    assert (exam.owner_unit_id, exam.created_by_id) == (tree["town"].id, admin.id)


def test_question_form_keeps_owner_status_and_version(client, login, admin, tree, learner):
    login(admin)
    data = {**extras(tree, learner), **QUESTION_FORM, "status": "retired"}
    client.post("/admin/questions/new", data=data)  # offered owner: another town's bank
    assert db.session.scalars(sa.select(Question)).all() == []
    client.post("/admin/questions/new", data={**data, "owner_unit_id": tree["town"].id})
    question = db.session.scalars(sa.select(Question)).one()
    assert (question.owner_unit_id, question.status, question.version) == (
        tree["town"].id,
        QuestionStatus.ACTIVE,
        1,
    )
    assert question.created_by_id == admin.id


def test_session_form_cannot_cancel_or_reassign(client, login, admin, tree, kinds, learner):
    login(admin)
    data = {**extras(tree, learner), **session_form(kinds, tree), "status": "cancelled"}
    client.post("/admin/training/new", data=data)
    session = db.session.scalars(sa.select(TrainingSession)).one()
    assert (session.status, session.owner_unit_id, session.created_by_id) == (
        SessionStatus.SCHEDULED,
        tree["town"].id,
        admin.id,
    )


def test_study_list_and_reading_forms_keep_their_creator(client, login, admin, tree, learner):
    login(admin)
    extra = extras(tree, learner)
    del extra["owner_unit_id"]  # offered by these forms (a choice within the admin's units)
    common = {"owner_unit_id": tree["town"].id, "audience_units": [tree["town"].id]}
    list_form = {"name": "2025年清单", "year": 2025, "key_count": 2, "field_count": 1}
    client.post("/admin/study/lists/new", data={**extra, **common, **list_form})
    reading_form = {"title": "以案释法", "kind": "text", "law_id": 0, "body": "<p>案情</p>"}
    client.post(
        "/admin/study/readings/new", data={**extra, **common, **reading_form, "min_minutes": 2}
    )
    for model in (StudyList, ReadingAssignment):
        row = db.session.scalars(sa.select(model)).one()
        assert (row.owner_unit_id, row.created_by_id) == (tree["town"].id, admin.id)


def test_report_save_keeps_the_draft_its_unit_and_numbering(
    client, login, admin, tree, learner, app
):
    login(admin)
    client.post("/admin/reports/", data={"unit_id": tree["town"].id, "year": 2024})
    draft = db.session.scalars(sa.select(ReportDraft)).one()
    data = {**extras(tree, learner), "title": "标题", "text": "改过的正文。", "year": "1999"}
    data["draft_id"] = "999"
    client.post(f"/admin/reports/{draft.id}", data=data)
    versions = db.session.scalars(sa.select(ReportVersion).order_by(ReportVersion.number)).all()
    assert [(v.draft_id, v.number, v.created_by_id) for v in versions] == [
        (draft.id, 1, admin.id),
        (draft.id, 2, admin.id),
    ]
    db.session.refresh(draft)
    assert (draft.unit_id, draft.year, versions[-1].text) == (tree["town"].id, 2024, "改过的正文。")


def test_password_change_touches_nothing_but_the_password(client, login, learner, tree):
    login(learner)
    data = {
        **extras(tree, learner),
        "name": "改名",
        "phone": "13800000000",
        "current": PASSWORD,
        "new": "Newpass2025x",
        "confirm": "Newpass2025x",
    }
    client.post("/password", data=data)
    db.session.refresh(learner)
    assert (learner.name, learner.unit_id, learner.grants) == ("学员丙", tree["village"].id, [])
    assert learner.phone != "13800000000"
    assert check_password(learner.password_hash, "Newpass2025x")
