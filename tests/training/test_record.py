"""The 学法档案 page: one's own year, and an admin's view of their people."""

from yongxi_learn.extensions import db
from yongxi_learn.training import attendance
from yongxi_learn.training.models import AttendanceMethod


def _attended(make_session, person):
    session = make_session(topic="宪法宣传周专题讲座", hours="1.5")
    attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)
    db.session.commit()
    return session


def test_a_person_sees_their_sessions_and_hours(client, login, make_session, cadre):
    _attended(make_session, cadre)
    login(cadre)
    page = client.get("/record?year=2024").get_data(as_text=True)
    assert "2024年度学法档案" in page and cadre.name in page
    assert "宪法宣传周专题讲座" in page and "共1.5学时" in page
    assert "data-print" in page


def test_an_empty_year_says_so(client, login, cadre, kinds):
    login(cadre)
    page = client.get("/record?year=2023").get_data(as_text=True)
    assert "本年度暂无集中学习记录" in page and "本年度暂无考试记录" in page


def test_the_record_shows_exam_results_but_not_practice(client, login, make_user, tree, kinds):
    from decimal import Decimal

    from yongxi_learn.exams.models import (
        Attempt,
        AttemptStatus,
        Enrolment,
        Exam,
        ExamKind,
        ExamStatus,
    )

    person = make_user("考生", tree["village"])

    def exam(title, kind=ExamKind.FORMAL):
        e = Exam(
            owner_unit=tree["town"], title=title, kind=kind, year=2024, status=ExamStatus.PUBLISHED
        )
        db.session.add(e)
        db.session.flush()
        db.session.add(
            Enrolment(
                exam_id=e.id, user_id=person.id, unit_id=person.unit_id, category=person.category
            )
        )
        return e

    sat = exam("2024年度法治理论知识考试")
    for number, score in ((1, "55"), (2, "85.5")):
        db.session.add(
            Attempt(
                exam_id=sat.id,
                user_id=person.id,
                number=number,
                status=AttemptStatus.SUBMITTED,
                score=Decimal(score),
                passed=Decimal(score) >= 60,
            )
        )
    exam("民法典专题测试")
    exam("随堂练习", kind=ExamKind.PRACTICE)
    db.session.commit()
    login(person)
    page = client.get("/record?year=2024").get_data(as_text=True)
    # The statistics' words (通过 / 未通过 / 未参考), never 合格 / 不合格 / 未参加.
    assert "2024年度法治理论知识考试" in page and "85.5" in page
    assert '<td data-label="结果">通过</td>' in page and '<td data-label="结果">未参考</td>' in page
    assert "合格" not in page.replace("合格分", "") and "未参加" not in page
    assert "随堂练习" not in page


def test_a_failed_exam_reads_as_the_statistics_say(client, login, make_user, tree, kinds):
    from decimal import Decimal

    from yongxi_learn.exams.models import Attempt, AttemptStatus, Enrolment, Exam, ExamStatus

    person = make_user("未通过者", tree["village"])
    exam = Exam(owner_unit=tree["town"], title="年度考试", year=2024, status=ExamStatus.PUBLISHED)
    db.session.add(exam)
    db.session.flush()
    db.session.add(
        Enrolment(
            exam_id=exam.id, user_id=person.id, unit_id=person.unit_id, category=person.category
        )
    )
    db.session.add(
        Attempt(
            exam_id=exam.id,
            user_id=person.id,
            number=1,
            status=AttemptStatus.SUBMITTED,
            score=Decimal("40"),
            passed=False,
        )
    )
    db.session.commit()
    login(person)
    page = client.get("/record?year=2024").get_data(as_text=True)
    assert '<td data-label="结果">未通过</td>' in page and "不合格" not in page


def test_an_admin_opens_a_persons_record_in_their_subtree(
    client, login, admin, make_session, cadre
):
    _attended(make_session, cadre)
    login(admin)
    page = client.get(f"/admin/people/{cadre.id}/record?year=2024").get_data(as_text=True)
    assert cadre.name in page and "宪法宣传周专题讲座" in page


def test_other_units_and_learners_cannot_open_someone_elses_record(
    app, login, other_village_admin, learner, cadre
):
    for viewer in (other_village_admin, learner):
        client = app.test_client()
        login(viewer, client=client)
        assert client.get(f"/admin/people/{cadre.id}/record").status_code == 404
