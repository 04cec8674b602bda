"""成绩证明 and the verifiable 学法档案: issuing (a POST, audited), the printed page
with its code and QR code, and the public /verify page with what it shows and hides."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.exams.paper_fixtures import add_attempt, make_exam, make_questions
from yongxi_learn.exams.models import Enrolment, ExamStatus
from yongxi_learn.exams.papers.regrade import fix_answer_key
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.services import Actor
from yongxi_learn.record import certificates
from yongxi_learn.record.models import Certificate
from yongxi_learn.training import attendance
from yongxi_learn.training.models import AttendanceMethod

CODE = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}")


@pytest.fixture
def person(make_user, tree):
    return make_user("张晓明", tree["village"], phone="13855556666")


@pytest.fixture
def passed_exam(tree, admin, person):
    """A published formal exam of 3 questions (pass mark 6 = all right) that ``person``
    passed with 6."""
    questions = make_questions(tree["town"], n=3)
    exam = make_exam(
        tree["town"], admin, audience={"units": [tree["town"].id]}, questions=questions
    )
    exam.status = ExamStatus.PUBLISHED
    db.session.add(
        Enrolment(
            exam_id=exam.id, user_id=person.id, unit_id=person.unit_id, category=person.category
        )
    )
    db.session.commit()
    add_attempt(exam, person, [(q, "A") for q in questions])
    exam.questions_for_test = questions
    return exam


def _issue(client, **form):
    response = client.post("/record/certificates", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _code(client, response) -> str:
    page = client.get(response.location).get_data(as_text=True)
    return CODE.search(page).group(0)


def test_a_learner_issues_a_certificate_and_anyone_verifies_it(
    app, client, login, person, passed_exam
):
    login(person)
    response = _issue(client, exam_id=passed_exam.id)
    page = client.get(response.location).get_data(as_text=True)
    assert "成绩证明" in page and "张晓明" in page and passed_exam.title in page
    assert "6分" in page and "通过" in page and "qr.svg" in page
    code = CODE.search(page).group(0)
    qr = client.get(response.location + "/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    # Issuing the same state again gives the same certificate, audited once.
    assert _issue(client, exam_id=passed_exam.id).location == response.location
    assert count_rows(Certificate) == 1
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "certificate.issue"))
        == 1
    )

    client.post("/logout")
    shown = client.get(f"/verify/{code}")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    text = shown.get_data(as_text=True)
    assert "有效" in text and "张*明" in text and "石佛村" in text and "2024年" in text
    assert passed_exam.title in text and "6分" in text and "通过" in text
    # Nothing more than the certificate: no full name, no phone, not even masked.
    assert "张晓明" not in text and "13855556666" not in text and "6666" not in text
    # Typed by hand: lower case, spaces, 0 for O all reach the same page.
    typed = client.get("/verify", query_string={"code": code.lower().replace("-", " ")})
    assert typed.status_code == 302
    assert "张*明" in client.get(typed.location).get_data(as_text=True)


def test_an_edited_or_invented_code_is_refused(app, client, login, person, passed_exam):
    login(person)
    code = _code(client, _issue(client, exam_id=passed_exam.id))
    client.post("/logout")
    last = code[-1]
    edited = code[:-1] + ("A" if last != "A" else "B")
    for bad in (edited, "ABCD-EFGH-JKLM-NPQR", "123", "x" * 64):
        response = client.get(f"/verify/{bad}")
        text = response.get_data(as_text=True)
        assert response.status_code == 404 and "验证码无效" in text, bad
        assert "张" not in text.split("<main", 1)[-1].replace("张数", "")


def test_a_regrade_that_turns_a_pass_into_a_fail_voids_the_certificate(
    app, client, login, admin, person, passed_exam
):
    login(person)
    certificate_page = _issue(client, exam_id=passed_exam.id).location
    code = _code(client, client.post("/record/certificates", data={"exam_id": passed_exam.id}))
    fix_answer_key(passed_exam.questions_for_test[0], "B", actor=Actor(user=admin))
    db.session.commit()
    text = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "已失效" in text and "重新评分" in text
    assert "通过" in text  # what the certificate said, still shown as such
    # The printed page says so too; a new certificate carries the new result.
    assert "本证明已失效" in client.get(certificate_page).get_data(as_text=True)
    fresh = _issue(client, exam_id=passed_exam.id)
    assert fresh.location != certificate_page
    page = client.get(fresh.location).get_data(as_text=True)
    assert "4分" in page and "未通过" in page and "本证明已失效" not in page


def test_the_year_record_prints_with_a_code_that_verifies(
    app, client, login, person, passed_exam, make_session
):
    session = make_session(topic="宪法宣传周专题讲座", hours="1.5")
    row, _ = attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)
    db.session.commit()
    login(person)
    page = client.get("/record?year=2024").get_data(as_text=True)
    assert "打印可核验版" in page and "开具成绩证明" in page
    response = _issue(client, year=2024)
    page = client.get(response.location).get_data(as_text=True)
    assert "2024年度学法档案" in page and "宪法宣传周专题讲座" in page and "qr.svg" in page
    code = CODE.search(page).group(0)
    client.post("/logout")
    text = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "有效" in text and "学法档案" in text and "1次，共1.5学时" in text
    assert passed_exam.title in text and "张晓明" not in text
    # A sign-in revoked afterwards: the record no longer bears the certificate out.
    row.revoked_at = session.starts_at
    db.session.commit()
    assert "已失效" in client.get(f"/verify/{code}").get_data(as_text=True)


def test_a_learner_cannot_issue_someone_elses(
    app, client, login, make_user, tree, person, passed_exam
):
    other = make_user("李四", tree["village"])
    login(other)
    for form in ({"person_id": person.id, "exam_id": passed_exam.id}, {"person_id": person.id}):
        assert client.post("/record/certificates", data=form).status_code in (403, 404)
    # Their own, for an exam they did not sit: refused in words, nothing stored.
    response = client.post(
        "/record/certificates", data={"exam_id": passed_exam.id}, follow_redirects=True
    )
    assert "尚无您的成绩" in response.get_data(as_text=True)
    assert count_rows(Certificate) == 0


def test_an_admin_issues_for_a_person_of_their_subtree_only(
    app, client, login, admin, make_user, tree, person, passed_exam
):
    login(admin)
    response = _issue(client, person_id=person.id, exam_id=passed_exam.id)
    assert "张晓明" in client.get(response.location).get_data(as_text=True)
    stranger = make_user("外镇人", tree["other_village"])
    response = client.post("/record/certificates", data={"person_id": stranger.id, "year": 2024})
    assert response.status_code == 404
    certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.issued_by_id == admin.id and certificate.user_id == person.id


def test_another_person_cannot_open_the_printed_page(
    app, client, login, make_user, tree, person, passed_exam
):
    login(person)
    location = _issue(client, exam_id=passed_exam.id).location
    client.post("/logout")
    login(make_user("李四", tree["village"]))
    assert client.get(location).status_code == 404
    assert client.get(location + "/qr.svg").status_code == 404


def test_codes_are_short_and_signed(app):
    code = certificates.code_for(12345)
    assert CODE.fullmatch(code)
    assert certificates.certificate_id(code) == 12345
    assert certificates.certificate_id(code.replace("-", "").lower()) == 12345
    # The id is masked: consecutive certificates share no visible prefix.
    assert certificates.code_for(1)[:4] != certificates.code_for(2)[:4]
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough"
    assert certificates.certificate_id(code) is None
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret-key-that-is-long-enough-for-prod"]
    assert certificates.certificate_id(code) == 12345


@pytest.mark.parametrize(
    ("name", "masked"), [("张晓明", "张*明"), ("张三", "张*"), ("欧阳晓明", "欧**明"), ("王", "王")]
)
def test_names_are_masked(name, masked):
    assert certificates.masked_name(name) == masked


def test_a_year_certificate_survives_an_exam_sat_after_it(app, client, login, tree, admin, person):
    """未参考 when issued, sat since: the year grew, nothing certified was corrected."""
    questions = make_questions(tree["town"], n=3)
    audience = {"units": [tree["town"].id]}
    exam = make_exam(tree["town"], admin, audience=audience, questions=questions)
    exam.status = ExamStatus.PUBLISHED
    db.session.add(
        Enrolment(
            exam_id=exam.id, user_id=person.id, unit_id=person.unit_id, category=person.category
        )
    )
    db.session.commit()
    login(person)
    code = _code(client, _issue(client, year=2024))
    assert "未参考" in client.get(f"/verify/{code}").get_data(as_text=True)
    add_attempt(exam, person, [(q, "A") for q in questions])
    text = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "有效" in text and "已失效" not in text and "未参考" in text
