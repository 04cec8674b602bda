"""Exam admin pages: who may see and change what, and the main flows through forms."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import statements_for
from tests.exams.paper_fixtures import exam_form
from yongxi_learn.exams.models import (
    Attempt,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamStatus,
    QuestionType,
)
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.services import Actor

from .paper_fixtures import NOW, add_attempt, make_exam, make_questions


@pytest.fixture
def cadres(make_user, tree):
    return [
        make_user("村干部一", tree["village"], category=Category.VILLAGE_CADRE),
        make_user("村干部二", tree["village"], category=Category.VILLAGE_CADRE),
        make_user("红岩干部", tree["village2"], category=Category.VILLAGE_CADRE),
    ]


@pytest.fixture
def bank(tree):
    return make_questions(tree["town"], QuestionType.SINGLE, 4)


@pytest.fixture
def exam(tree, admin, cadres, bank):
    audience = {"units": [tree["village"].id, tree["village2"].id]}
    exam = make_exam(tree["town"], admin, audience=audience, questions=bank)
    papers.publish(exam, actor=Actor(user=admin), now=NOW)
    db.session.commit()
    add_attempt(exam, cadres[0], [(q, "A") for q in bank])
    add_attempt(exam, cadres[1], [(q, "B") for q in bank])
    add_attempt(exam, cadres[2], [(q, "C") for q in bank])
    return exam


def test_admin_creates_a_draft_with_rules_then_publishes_it(
    client, login, admin, tree, cadres, bank
):
    login(admin)
    resp = client.post("/admin/exams/new", data=exam_form(tree), follow_redirects=True)
    assert "已保存" in resp.text
    exam = db.session.scalar(sa.select(Exam))
    assert [(r.type, r.count, r.score) for r in exam.rules] == [
        (QuestionType.SINGLE, 3, Decimal(2))
    ]
    # 09:00 Beijing time is stored as 01:00 UTC.
    assert exam.opens_at.hour == 1
    assert "发布后将有 <strong>2</strong> 人进入应考名单" in resp.text

    resp = client.post(f"/admin/exams/{exam.id}/publish", follow_redirects=True)
    assert "已发布，应考名单共2人" in resp.text
    resp = client.post(f"/admin/exams/{exam.id}/publish", follow_redirects=True)
    assert "考试已发布，无需重复发布" in resp.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 2


def test_a_rule_asking_more_than_the_bank_holds_shows_why(client, login, admin, tree, bank):
    login(admin)
    resp = client.post(
        "/admin/exams/new", data=exam_form(tree, **{"rules-0-count": "25"}), follow_redirects=True
    )
    assert "单选题库中符合条件的题目只有4道，少于抽题数量25道" in resp.text


def test_an_invalid_rule_row_is_named_by_its_number(client, login, admin, tree, bank):
    login(admin)
    resp = client.post(
        "/admin/exams/new", data=exam_form(tree, **{"rules-0-count": "0"}), follow_redirects=True
    )
    assert "第1条抽题规则：" in resp.text


def test_a_published_exam_cannot_be_edited_but_its_close_can_be_extended(
    client, login, admin, tree, exam
):
    login(admin)
    resp = client.post(f"/admin/exams/{exam.id}", data=exam_form(tree), follow_redirects=True)
    assert "试题、开考时间和考试对象不能再修改" in resp.text
    resp = client.post(
        f"/admin/exams/{exam.id}/close-time",
        data={"closes_at": "2024-06-20T18:00"},
        follow_redirects=True,
    )
    assert "已延长截止时间" in resp.text
    assert exam.closes_at.day == 20


def test_enrolment_page_adds_late_and_exempts_with_reason(
    client, login, admin, tree, exam, make_user
):
    late = make_user("后来的", tree["office"])
    login(admin)
    resp = client.post(
        f"/admin/exams/{exam.id}/enrolment/add", data={"phone": late.phone}, follow_redirects=True
    )
    assert "已将后来的补录进应考名单" in resp.text
    entry = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == late.id))
    assert entry.added_late and entry.added_by_id == admin.id

    url = f"/admin/exams/{exam.id}/enrolment/{entry.id}/exempt"
    resp = client.post(url, data={"kind": "其他", "detail": ""}, follow_redirects=True)
    assert "请填写免考原因" in resp.text
    resp = client.post(url, data={"kind": "病假", "detail": "住院"}, follow_redirects=True)
    assert "已为后来的办理免考" in resp.text
    db.session.refresh(entry)
    assert (entry.exempt, entry.exempt_reason, entry.exempted_by_id) == (
        True,
        "病假：住院",
        admin.id,
    )
    assert "病假：住院" in resp.text
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "exam.exempt"))


def test_enrolment_search_by_phone_is_posted_and_paged(app, client, login, admin, exam, cadres):
    app.config["PER_PAGE"] = 1
    login(admin)
    page = client.post(f"/admin/exams/{exam.id}/enrolment", data={"q": cadres[1].phone}).text
    assert "村干部二" in page and "村干部一" not in page and "共 1 人" in page
    assert cadres[1].phone not in " ".join(re.findall(r'(?:href|action)="([^"]*)"', page))
    page = client.post(f"/admin/exams/{exam.id}/enrolment", data={"q": "村干部"}).text
    assert "第 1 / 2 页" in page and 'form="enrolment-search" name="page" value="2"' in page
    second = client.post(f"/admin/exams/{exam.id}/enrolment", data={"q": "村干部", "page": 2})
    assert "第 2 / 2 页" in second.text


def test_monitor_shows_statuses_and_filters(client, login, admin, exam):
    login(admin)
    resp = client.get(f"/admin/exams/{exam.id}/monitor")
    assert resp.status_code == 200
    assert "村干部一" in resp.text and "红岩干部" in resp.text
    resp = client.get(f"/admin/exams/{exam.id}/monitor?status=passed")
    assert "村干部一" in resp.text and "村干部二" not in resp.text


def test_enrolment_pages_cost_the_same_statements_for_3_or_9_people(
    client, login, admin, exam, make_user, tree
):
    late = [
        make_user(f"补录{i}", tree["village2"], category=Category.VILLAGE_CADRE) for i in range(6)
    ]
    rows = [
        {"exam_id": exam.id, "user_id": p.id, "unit_id": p.unit_id, "category": p.category}
        for p in late
    ]
    login(admin)
    urls = [f"/admin/exams/{exam.id}/monitor", f"/admin/exams/{exam.id}/enrolment"]
    for url in urls:  # warm: the first request of a login touches it
        client.get(url)
    before = [statements_for(client, url) for url in urls]
    db.session.execute(sa.insert(Enrolment), rows)
    db.session.commit()

    after = [statements_for(client, url) for url in urls]
    page = client.get(urls[1]).text
    assert "补录5" in page and "村干部一" in page
    assert after == before


def test_unit_admin_sees_only_their_village_and_changes_nothing(
    client, login, unit_admin, exam, cadres
):
    login(unit_admin)
    resp = client.get(f"/admin/exams/{exam.id}/monitor")
    assert "村干部一" in resp.text and "红岩干部" not in resp.text
    assert client.get(f"/admin/exams/{exam.id}/items").status_code == 200
    assert client.post(f"/admin/exams/{exam.id}/cancel").status_code == 403
    assert client.get(f"/admin/exams/{exam.id}/enrolment").status_code == 403


def test_reviewer_reads_but_every_change_is_forbidden(client, login, reviewer, exam, bank):
    login(reviewer)
    assert client.get("/admin/exams/").status_code == 200
    assert client.get(f"/admin/exams/{exam.id}/monitor").status_code == 200
    for url in (
        f"/admin/exams/{exam.id}/publish",
        f"/admin/exams/{exam.id}/cancel",
        f"/admin/exams/{exam.id}/enrolment/add",
        f"/admin/exams/{exam.id}/items/{bank[0].id}/fix-answer",
        "/admin/exams/new",
    ):
        assert client.post(url, data={"answer": "B"}).status_code == 403, url
    assert db.session.get(Exam, exam.id).status is ExamStatus.PUBLISHED


def test_another_towns_admin_gets_404(client, login, make_user, tree, exam):
    other = make_user("外镇管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    login(other)
    assert exam.title not in client.get("/admin/exams/").text
    for url in ("", "/monitor", "/items", "/enrolment", "/makeup"):
        assert client.get(f"/admin/exams/{exam.id}{url}").status_code == 404, url
    assert client.post(f"/admin/exams/{exam.id}/cancel").status_code == 404


def test_learner_gets_403_on_admin_pages(client, login, learner, exam):
    login(learner)
    assert client.get("/admin/exams/").status_code == 403
    assert client.get(f"/admin/exams/{exam.id}/monitor").status_code == 403


def test_item_page_fixes_an_answer_key_and_regrades(client, login, admin, exam, bank):
    login(admin)
    resp = client.get(f"/admin/exams/{exam.id}/items")
    assert "33.3%" in resp.text and "更正答案" in resp.text
    resp = client.post(
        f"/admin/exams/{exam.id}/items/{bank[0].id}/fix-answer",
        data={"answer": "B"},
        follow_redirects=True,
    )
    assert "已更正答案并重新评分，2份答卷成绩有变化" in resp.text


def test_makeup_page_refuses_before_close_then_creates(client, login, admin, exam):
    login(admin)
    data = {"opens_at": "2030-01-01T09:00", "closes_at": "2030-01-03T18:00"}
    exam.closes_at = NOW + timedelta(days=3650 * 2)
    db.session.commit()
    resp = client.post(f"/admin/exams/{exam.id}/makeup", data=data, follow_redirects=True)
    assert "正式考试结束后才能创建补考" in resp.text

    exam.closes_at = NOW
    db.session.commit()
    resp = client.post(f"/admin/exams/{exam.id}/makeup", data=data, follow_redirects=True)
    assert "已创建补考" in resp.text
    makeup = db.session.scalar(sa.select(Exam).where(Exam.parent_exam_id == exam.id))
    names = {
        e.user.name
        for e in db.session.scalars(sa.select(Enrolment).where(Enrolment.exam_id == makeup.id))
    }
    assert names == {"村干部二", "红岩干部"}


def test_makeup_page_counts_saved_answers_left_open_past_the_deadline_as_sat(
    client, login, admin, tree, cadres, bank
):
    exam = make_exam(tree["town"], admin, audience={"units": [tree["village"].id]}, questions=bank)
    papers.publish(exam, actor=Actor(user=admin), now=NOW)
    db.session.commit()
    passing = add_attempt(
        exam, cadres[0], [(q, "A") for q in bank], status=AttemptStatus.IN_PROGRESS
    )
    passing.deadline = NOW + timedelta(hours=1)  # long past: never handed in
    db.session.commit()
    login(admin)

    page = client.get(f"/admin/exams/{exam.id}/makeup").text

    candidates = page.split("<tbody>")[1]
    assert "村干部二" in candidates and "村干部一" not in candidates
    assert "未交卷" not in page and "未参考" in page
    status = db.session.scalar(sa.select(Attempt.status).where(Attempt.exam_id == exam.id))
    assert status is AttemptStatus.IN_PROGRESS  # counted as finalized, not written


def test_monitor_finalizes_nothing_when_no_attempt_is_overdue(client, login, admin, exam, cadres):
    add_attempt(exam, cadres[0], [], status=AttemptStatus.IN_PROGRESS, number=2)
    login(admin)
    assert client.get(f"/admin/exams/{exam.id}/monitor").status_code == 200


def test_admin_builds_a_fixed_paper_for_named_people(client, login, admin, tree, cadres, bank):
    login(admin)
    data = exam_form(
        tree,
        paper_mode="fixed",
        fixed=f"{bank[0].id} 3\n{bank[1].id}\n",
        audience_units=[],
        audience_phones=f"{cadres[2].phone}，{cadres[0].phone}",
    )
    resp = client.post("/admin/exams/new", data=data, follow_redirects=True)

    assert "已保存" in resp.text
    exam = db.session.scalar(sa.select(Exam))
    assert [(q.question_id, q.score) for q in exam.fixed_questions] == [
        (bank[0].id, Decimal(3)),
        (bank[1].id, Decimal(2)),
    ]
    assert exam.rules == []
    assert sorted(exam.audience["people"]) == sorted([cadres[0].id, cadres[2].id])
    assert "发布后将有 <strong>2</strong> 人进入应考名单" in resp.text


def test_unknown_phone_in_the_audience_is_reported(client, login, admin, tree, bank):
    login(admin)
    resp = client.post(
        "/admin/exams/new",
        data=exam_form(tree, audience_phones="13999999999"),
        follow_redirects=True,
    )
    assert "手机号13999999999不存在或不在本单位范围内" in resp.text
    assert db.session.scalar(sa.select(Exam)) is None


def test_personal_practice_papers_stay_out_of_the_admin_exam_list(
    client, login, admin, exam, cadres, bank
):
    from yongxi_learn.exams.taking import practice

    # After the exam closed: while it is open its questions are not practised.
    attempt = practice.start_practice(cadres[0], NOW + timedelta(days=8), law_ref=bank[0].law_ref)
    db.session.commit()
    assert attempt.exam.personal
    login(admin)
    page = client.get("/admin/exams/").get_data(as_text=True)
    assert exam.title in page
    assert attempt.exam.title not in page
