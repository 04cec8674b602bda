"""Exam admin pages after the first save: a draft edited and saved again and again, 发布考试
publishing what the form holds, 年度 defaulted, the closing time moved either way, and
who sits a 补考 chosen on its pages."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from yongxi_learn.core.time import LOCAL_TZ, format_local, utcnow
from yongxi_learn.exams.models import (
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
    QuestionCategory,
    QuestionType,
    ReviewPolicy,
)
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor

from .paper_fixtures import add_attempt, make_exam, make_questions


@pytest.fixture
def cadres(make_user, tree):
    return [
        make_user("村干部一", tree["village"], category=Category.VILLAGE_CADRE),
        make_user("村干部二", tree["village"], category=Category.VILLAGE_CADRE),
        make_user("明白人", tree["village"], category=Category.LEGAL_LIAISON),
        make_user("红岩干部", tree["village2"], category=Category.VILLAGE_CADRE),
        make_user("借调干部", tree["office"], category=Category.VILLAGE_CADRE),
    ]


@pytest.fixture
def bank(tree):
    return make_questions(tree["town"], QuestionType.SINGLE, 6)


def _form(tree, **overrides):
    data = {
        "title": "2024年度法治理论知识考试",
        "kind": "formal",
        "year": "2024",
        "opens_at": "2030-06-01T09:00",
        "closes_at": "2030-06-07T18:00",
        "time_limit_minutes": "60",
        "pass_score": "4",
        "max_attempts": "1",
        "shuffle_questions": "y",
        "shuffle_options": "y",
        "review_policy": "after_close",
        "audience_units": [str(tree["village"].id)],
        "paper_mode": "rules",
        "rules-0-type": "single",
        "rules-0-count": "3",
        "rules-0-score": "2",
        "rules-0-category_id": "0",
    }
    data.update(overrides)
    return data


def _alerts(html: str) -> list[str]:
    return [part.split("<", 1)[0] for part in html.split('role="alert">')[1:]]


def _draft(client, tree) -> Exam:
    data = _form(tree, owner_unit_id=str(tree["town"].id))
    assert "已保存" in _alerts(
        client.post("/admin/exams/new", data=data, follow_redirects=True).text
    )
    return db.session.scalar(sa.select(Exam))


def _edited(tree, cadres, category, **overrides):
    """Every field of the draft changed from _form's values."""
    values = dict(
        title="2024年度村（社区）两委干部法治考试",
        kind="practice",
        year="2025",
        opens_at="2030-07-01T08:30",
        closes_at="2030-07-03T20:00",
        time_limit_minutes="45",
        pass_score="5",
        max_attempts="3",
        shuffle_questions="",
        shuffle_options="",
        review_policy="immediate",
        audience_units=[str(tree["village"].id), str(tree["village2"].id)],
        audience_categories=[Category.VILLAGE_CADRE.value],
        audience_phones=cadres[4].phone,
        **{
            "rules-0-count": "2",
            "rules-0-score": "3",
            "rules-0-category_id": str(category.id),
            "rules-0-law_ref": "中华人民共和国宪法",
            "rules-0-difficulty": "2",
            "rules-1-type": "single",
            "rules-1-count": "1",
            "rules-1-score": "1",
            "rules-1-category_id": "0",
        },
    )
    return _form(tree, **{**values, **overrides})


@pytest.fixture
def category(tree, bank):
    category = QuestionCategory(name="宪法", owner_unit=tree["town"])
    db.session.add(category)
    for question in bank[:3]:
        question.category, question.law_ref = category, "中华人民共和国宪法"
    db.session.commit()
    return category


# ---------------------------------------------------------------- a draft, edited


def test_a_saved_draft_is_edited_and_saved_again_and_again(
    client, login, admin, tree, cadres, bank, category
):
    login(admin)
    exam = _draft(client, tree)
    page = client.get(f"/admin/exams/{exam.id}").text
    assert 'name="owner_unit_id"' not in page and "雍溪镇" in page

    for title in ("第一次修改", "第二次修改"):
        data = _edited(tree, cadres, category, title=title)
        resp = client.post(f"/admin/exams/{exam.id}", data=data, follow_redirects=True)
        assert _alerts(resp.text) == ["已保存"]

    exam = db.session.get(Exam, exam.id)
    assert (exam.title, exam.kind, exam.year, exam.status) == (
        "第二次修改",
        ExamKind.PRACTICE,
        2025,
        ExamStatus.DRAFT,
    )
    # 08:30 and 20:00 Beijing time are 00:30 and 12:00 UTC.
    assert (exam.opens_at, exam.closes_at) == (
        datetime(2030, 7, 1, 0, 30),
        datetime(2030, 7, 3, 12),
    )
    assert (exam.time_limit_minutes, exam.pass_score, exam.max_attempts) == (45, Decimal(5), 3)
    assert (exam.shuffle_questions, exam.shuffle_options) == (False, False)
    assert exam.review_policy is ReviewPolicy.IMMEDIATE
    assert exam.audience == {
        "units": [tree["village"].id, tree["village2"].id],
        "categories": ["village_cadre"],
        "people": [cadres[4].id],
    }
    assert [(r.count, r.score, r.category_id, r.law_ref, r.difficulty) for r in exam.rules] == [
        (2, Decimal(3), category.id, "中华人民共和国宪法", 2),
        (1, Decimal(1), None, "", None),
    ]


def test_the_audience_units_are_checkboxes_that_say_several_may_be_ticked(
    client, login, admin, tree, cadres, bank, category
):
    login(admin)
    exam = _draft(client, tree)
    data = _edited(tree, cadres, category)
    client.post(f"/admin/exams/{exam.id}", data=data)
    page = client.get(f"/admin/exams/{exam.id}").text
    box = re.search(
        r'<fieldset class="field choice-list" id="audience_units">.*?</fieldset>', page, re.S
    )
    assert "<legend>考试对象：单位（含下级）</legend>" in box.group(0)
    assert "可勾选多个单位" in box.group(0)
    ticked = re.findall(r'name="audience_units" value="(\d+)" checked', box.group(0))
    assert ticked == [str(tree["village"].id), str(tree["village2"].id)]
    assert "<select" not in box.group(0)


def test_an_owner_posted_with_a_draft_edit_is_ignored(client, login, admin, tree, cadres, bank):
    login(admin)
    exam = _draft(client, tree)

    data = _form(tree, title="改了", owner_unit_id=str(tree["other_town"].id))
    resp = client.post(f"/admin/exams/{exam.id}", data=data, follow_redirects=True)

    assert _alerts(resp.text) == ["已保存"]
    assert db.session.get(Exam, exam.id).owner_unit_id == tree["town"].id


def test_publish_on_the_form_publishes_what_the_form_holds(
    client, login, admin, tree, cadres, bank, category
):
    login(admin)
    exam = _draft(client, tree)  # 石佛村: 村干部一, 村干部二, 明白人

    data = _edited(tree, cadres, category, action="publish")
    resp = client.post(f"/admin/exams/{exam.id}", data=data, follow_redirects=True)

    # 两委 cadres of both villages (not 明白人), and the one named by phone.
    assert _alerts(resp.text) == ["已发布，应考名单共4人"]
    exam = db.session.get(Exam, exam.id)
    assert (exam.status, exam.title, exam.max_attempts) == (
        ExamStatus.PUBLISHED,
        "2024年度村（社区）两委干部法治考试",
        3,
    )
    assert [r.count for r in exam.rules] == [2, 1]
    enrolled = db.session.scalars(sa.select(Enrolment.user_id).where(Enrolment.exam_id == exam.id))
    assert sorted(enrolled) == sorted(c.id for c in cadres if c.name != "明白人")
    for shown in ("2025", "红岩村（含下级）", "指定人员：借调干部", "宪法", "4人", "45分钟"):
        assert shown in resp.text, shown


def test_a_refused_publish_keeps_the_saved_edits_and_says_why(
    client, login, admin, tree, cadres, bank
):
    login(admin)
    exam = _draft(client, tree)

    data = _form(tree, title="改了名称", action="publish", **{"rules-0-count": "25"})
    resp = client.post(f"/admin/exams/{exam.id}", data=data, follow_redirects=True)

    (alert,) = _alerts(resp.text)
    assert alert.startswith("已保存草稿，但未能发布：单选题库中符合条件的题目只有6道")
    exam = db.session.get(Exam, exam.id)
    assert (exam.title, exam.status, exam.rules[0].count) == ("改了名称", ExamStatus.DRAFT, 25)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_the_new_exam_form_starts_at_this_year_in_beijing(client, login, admin):
    login(admin)
    page = client.get("/admin/exams/new").text
    year = datetime.now(LOCAL_TZ).year
    (field,) = re.findall(r'<input[^>]*name="year"[^>]*>', page)
    assert f'value="{year}"' in field


# ---------------------------------------------------------------- the closing time


@pytest.fixture
def open_exam(tree, admin, cadres, bank):
    """Published, opened an hour ago, closing in a week, for 石佛村."""
    now = utcnow()
    exam = make_exam(
        tree["town"],
        admin,
        audience={"units": [tree["village"].id]},
        questions=bank,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
    )
    papers.publish(exam, actor=Actor(user=admin), now=now)
    db.session.commit()
    return exam


def _close(client, exam, **data):
    return client.post(f"/admin/exams/{exam.id}/close-time", data=data, follow_redirects=True)


def _local(value: datetime) -> str:
    return format_local(value, "%Y-%m-%dT%H:%M")


def test_the_close_is_shortened_on_the_page_but_not_into_the_past(client, login, admin, open_exam):
    login(admin)
    earlier = open_exam.closes_at - timedelta(days=6)
    resp = _close(client, open_exam, closes_at=_local(earlier))
    assert _alerts(resp.text) == ["已提前截止时间"]
    assert db.session.get(Exam, open_exam.id).closes_at == earlier.replace(second=0, microsecond=0)

    resp = _close(client, open_exam, closes_at=_local(utcnow() - timedelta(minutes=5)))
    assert _alerts(resp.text) == ["提前后的截止时间不能早于现在；要现在结束，请点“立即截止”"]


def test_close_now_is_refused_while_someone_is_answering_then_opens_the_makeup(
    client, login, admin, open_exam, cadres
):
    running = add_attempt(open_exam, cadres[0], [], status=AttemptStatus.IN_PROGRESS)
    running.deadline = utcnow() + timedelta(minutes=30)
    db.session.commit()
    login(admin)

    (alert,) = _alerts(_close(client, open_exam, now="y").text)
    assert alert.startswith("有1人正在作答，最晚的交卷时间为")

    running.status = AttemptStatus.SUBMITTED
    db.session.commit()
    page = _close(client, open_exam, now="y").text
    assert _alerts(page) == ["考试已截止"] and "立即截止</button>" not in page
    assert db.session.get(Exam, open_exam.id).closes_at <= utcnow()
    page = client.get(f"/admin/exams/{open_exam.id}/makeup").text
    assert "结束后才能创建补考" not in page


# ---------------------------------------------------------------- who sits a 补考


@pytest.fixture
def closed_exam(open_exam, admin, cadres, bank):
    """村干部一 passed; 村干部二 and 明白人 are the 补考's candidates."""
    add_attempt(open_exam, cadres[0], [(q, "A") for q in bank])
    open_exam.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return open_exam


def _makeup_form(**extra):
    now = datetime.now(LOCAL_TZ)
    return {
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }


def test_a_candidate_unticked_at_creation_needs_a_reason_and_is_listed_so(
    client, login, admin, closed_exam, cadres
):
    login(admin)
    url = f"/admin/exams/{closed_exam.id}/makeup"
    shown = [str(cadres[1].id), str(cadres[2].id)]
    data = _makeup_form(shown=shown, include=[str(cadres[1].id)])

    refused = client.post(url, data=data, follow_redirects=True).text
    assert _alerts(refused) == ["请填写不参加补考的原因"]
    assert f'value="{cadres[2].id}" id="include-{cadres[2].id}">' in refused  # still unticked

    data.update(kind="其他", detail="已调往区司法局")
    page = client.post(url, data=data, follow_redirects=True).text

    assert _alerts(page) == ["已创建补考并生成补考名单"]
    assert "<h1>补考名单</h1>" in page and "不参加补考" in page and "已调往区司法局" in page
    made = db.session.scalar(sa.select(Exam).where(Exam.parent_exam_id == closed_exam.id))
    rows = {
        e.user_id: e.exempt
        for e in db.session.scalars(sa.select(Enrolment).where(Enrolment.exam_id == made.id))
    }
    assert rows == {cadres[1].id: False, cadres[2].id: True}


def test_after_publishing_a_makeup_takes_candidates_in_and_out(
    client, login, admin, closed_exam, cadres
):
    entry = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.exam_id == closed_exam.id, Enrolment.user_id == cadres[2].id
        )
    )
    entry.exempt, entry.exempt_reason = True, "病假"  # 免考 when the 补考 was made
    db.session.commit()
    login(admin)
    client.post(f"/admin/exams/{closed_exam.id}/makeup", data=_makeup_form())
    made = db.session.scalar(sa.select(Exam).where(Exam.parent_exam_id == closed_exam.id))
    entry = db.session.get(Enrolment, entry.id)
    entry.exempt, entry.exempt_reason = False, ""  # the 免考 is undone
    db.session.commit()

    page = client.get(f"/admin/exams/{made.id}/enrolment").text
    assert "需要补考但不在补考名单中的人员" in page and "明白人" in page
    resp = client.post(
        f"/admin/exams/{made.id}/enrolment/add-candidate",
        data={"user_id": cadres[2].id},
        follow_redirects=True,
    )
    assert _alerts(resp.text) == ["已将明白人补录进补考名单"]
    assert "需要补考但不在补考名单中的人员" not in resp.text

    passed = client.post(
        f"/admin/exams/{made.id}/enrolment/add-candidate",
        data={"user_id": cadres[0].id},
        follow_redirects=True,
    )
    assert _alerts(passed.text)[0].startswith("村干部一不需要补考")
    stranger = client.post(
        f"/admin/exams/{made.id}/enrolment/add-candidate", data={"user_id": cadres[3].id}
    )
    assert stranger.status_code == 404  # not in the formal exam: not even named

    row = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.exam_id == made.id, Enrolment.user_id == cadres[1].id)
    )
    out = client.post(
        f"/admin/exams/{made.id}/enrolment/{row.id}/exempt",
        data={"kind": "病假", "detail": ""},
        follow_redirects=True,
    )
    assert _alerts(out.text) == ["已将村干部二移出补考名单"] and "恢复补考" in out.text
    back = client.post(f"/admin/exams/{made.id}/enrolment/{row.id}/unexempt", follow_redirects=True)
    assert _alerts(back.text) == ["已将村干部二恢复到补考名单"]
    assert not db.session.get(Enrolment, row.id).exempt
