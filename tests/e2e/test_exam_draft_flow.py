"""An admin creates an exam in the browser, saves the draft, changes every field, saves
again, publishes from the form, and finds the changed values in the published exam: on
its page and in the database. The pages are looked at on a phone and on a desktop."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from yongxi_learn.core.time import LOCAL_TZ, utcnow
from yongxi_learn.exams import exam_tally
from yongxi_learn.exams.models import (
    Attempt,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamQuestion,
    ExamStatus,
    Question,
    QuestionCategory,
    QuestionType,
    ReviewPolicy,
)
from yongxi_learn.extensions import db
from yongxi_learn.org import services
from yongxi_learn.org.models import Category, OrgUnit, Role, UnitKind, User

pytestmark = pytest.mark.e2e

LAW = "中华人民共和国宪法"


def add_bank_and_village(app) -> dict:
    """10 单选 (4 of them 宪法, difficulty 中, in the category 宪法) and 4 判断 for 雍溪镇;
    a second village, 红岩村. Returns the ids the test needs."""
    with app.app_context():
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        village2 = services.create_unit("红岩村", UnitKind.VILLAGE, town, actor=services.SYSTEM)
        category = QuestionCategory(name="宪法", owner_unit=town)
        questions = [
            Question(
                owner_unit=town,
                type=qtype,
                stem=f"第{i}题：关于法律的表述，下列说法正确的是",
                options=["正确", "错误"] if qtype is QuestionType.JUDGE else list("甲乙丙丁"),
                answer="A",
                score=Decimal(2),
                difficulty=2,
                category=category if i < 4 else None,
                law_ref=LAW if i < 4 else "",
            )
            for i, qtype in enumerate([QuestionType.SINGLE] * 10 + [QuestionType.JUDGE] * 4)
        ]
        db.session.add_all(questions)
        db.session.commit()
        return {
            "town": town.id,
            "village2": village2.id,
            "category": category.id,
            "fixed": [q.id for q in questions[:3]],
        }


def value(page, label: str) -> str:
    return page.get_by_label(label, exact=True).input_value()


def test_a_draft_is_edited_field_by_field_then_published_as_edited(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    make_person("冉晓丽")  # 石佛村, 两委
    make_person("法律明白人甲", Category.LEGAL_LIAISON)
    ids = add_bank_and_village(live_server.app)
    make_person("王红岩", unit_id=ids["village2"])
    # A 两委 cadre working in the town's offices: in the audience only when named.
    named = make_person("借调干部", unit_id=ids["town"])[0]
    phone, password = make_person(
        "管理员甲",
        Category.OFFICIAL,
        unit_id=ids["town"],
        role=Role.ADMIN,
        must_change_password=False,
    )

    page.goto(live_server.url("/admin/exams/new"))
    log_in(page, phone, password)
    expect(page).to_have_url(re.compile(r"/admin/exams/new$"))

    # ---- create: a 练习 with a fixed paper, for 石佛村
    assert value(page, "年度") == str(datetime.now(LOCAL_TZ).year)
    page.get_by_label("考试名称", exact=True).fill("草稿考试")
    page.get_by_label("类型", exact=True).select_option(label="练习")
    page.get_by_label("开始时间（北京时间）", exact=True).fill("2030-06-01T09:00")
    page.get_by_label("截止时间（北京时间）", exact=True).fill("2030-06-07T18:00")
    page.get_by_label("考试时长（分钟）", exact=True).fill("60")
    page.get_by_label("及格分", exact=True).fill("4")
    units = page.get_by_role("group", name="考试对象：单位（含下级）")
    units.get_by_label("石佛村").check()
    page.get_by_label("组卷方式", exact=True).select_option(label="固定试题")
    page.get_by_label("固定试题", exact=True).fill("\n".join(str(i) for i in ids["fixed"]))
    assert_fits_phone(page)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert")).to_have_text("已保存")
    exam_id = int(re.search(r"/admin/exams/(\d+)$", page.url).group(1))
    expect(page.get_by_text("发布后将有 2 人进入应考名单")).to_be_visible()

    # ---- change every field, save
    page.get_by_label("考试名称", exact=True).fill("2025年度村（社区）两委干部法治考试")
    page.get_by_label("类型", exact=True).select_option(label="正式考试")
    page.get_by_label("年度", exact=True).fill("2025")
    page.get_by_label("开始时间（北京时间）", exact=True).fill("2030-07-01T08:30")
    page.get_by_label("截止时间（北京时间）", exact=True).fill("2030-07-03T20:00")
    page.get_by_label("考试时长（分钟）", exact=True).fill("45")
    page.get_by_label("及格分", exact=True).fill("5")
    page.get_by_label("允许作答次数", exact=True).fill("3")
    page.get_by_label("打乱题目顺序", exact=True).uncheck()
    page.get_by_label("打乱选项顺序", exact=True).uncheck()
    page.get_by_label("答案和解析显示", exact=True).select_option(label="交卷后立即")
    expect(units.get_by_label("石佛村")).to_be_checked()
    units.get_by_label("红岩村").check()
    categories = page.get_by_role("group", name="考试对象：人员类别")
    categories.get_by_label("村(社区)两委干部").check()
    page.get_by_label("考试对象：指定人员手机号", exact=True).fill(named)
    page.get_by_label("组卷方式", exact=True).select_option(label="按规则随机抽题")
    page.get_by_label("第1条题型").select_option(label="单选")
    page.get_by_label("第1条题数").fill("2")
    page.get_by_label("第1条每题分值").fill("3")
    page.get_by_label("第1条分类").select_option(label="宪法")
    page.get_by_label("第1条法规").fill(LAW)
    page.get_by_label("第1条难度").select_option(label="中")
    page.get_by_label("第2条题型").select_option(label="判断")
    page.get_by_label("第2条题数").fill("2")
    page.get_by_label("第2条每题分值").fill("2")
    page.get_by_label("固定试题", exact=True).fill("")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert")).to_have_text("已保存")

    assert value(page, "考试名称") == "2025年度村（社区）两委干部法治考试"
    assert value(page, "年度") == "2025"
    assert value(page, "开始时间（北京时间）") == "2030-07-01T08:30"
    assert not page.get_by_label("打乱题目顺序", exact=True).is_checked()
    assert value(page, "第1条法规") == LAW
    expect(page.get_by_text("当前试卷总分：10分")).to_be_visible()
    expect(page.get_by_text("发布后将有 3 人进入应考名单")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "1-draft-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "2-draft-desktop")
    page.set_viewport_size({"width": 360, "height": 640})

    # ---- one more change, then 发布考试 without saving first: the form is what counts
    page.get_by_label("及格分", exact=True).fill("6")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="发布考试").click()
    expect(page.get_by_role("alert")).to_have_text("已发布，应考名单共3人")
    assert "先保存本页的修改" in messages[0]

    settings = page.locator("#exam-settings")
    for shown in (
        "2025",
        "2030-07-01 08:30 至 2030-07-03 20:00（北京时间）",
        "45分钟",
        "10分，及格6分",
        "3次，取最高分",
        "题目按试卷顺序，选项按原顺序",
        "交卷后立即",
        "石佛村、红岩村（含下级）中的村(社区)两委干部；指定人员：借调干部",
        "3人",
    ):
        expect(settings).to_contain_text(shown)
    rules = page.locator("#exam-rules tbody tr")
    expect(rules.nth(0)).to_have_text(re.compile(r"单选\s*2\s*3\s*宪法\s*" + LAW + r"\s*中"))
    expect(rules.nth(1)).to_have_text(re.compile(r"判断\s*2\s*2\s*不限\s*不限\s*不限"))
    expect(page.get_by_role("heading", name=re.compile("2025年度村"))).to_contain_text("正式考试")
    assert_fits_phone(page)
    screenshot(page, "3-published-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "4-published-desktop")

    with live_server.app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert (exam.title, exam.kind, exam.year, exam.status) == (
            "2025年度村（社区）两委干部法治考试",
            ExamKind.FORMAL,
            2025,
            ExamStatus.PUBLISHED,
        )
        assert (exam.opens_at, exam.closes_at) == (
            datetime(2030, 7, 1, 0, 30),
            datetime(2030, 7, 3, 12, 0),
        )
        assert (exam.time_limit_minutes, exam.pass_score, exam.max_attempts) == (
            45,
            Decimal(6),
            3,
        )
        assert (exam.shuffle_questions, exam.shuffle_options) == (False, False)
        assert exam.review_policy is ReviewPolicy.IMMEDIATE
        assert exam.fixed_questions == []
        assert [
            (r.type, r.count, r.score, r.category_id, r.law_ref, r.difficulty) for r in exam.rules
        ] == [
            (QuestionType.SINGLE, 2, Decimal(3), ids["category"], LAW, 2),
            (QuestionType.JUDGE, 2, Decimal(2), None, "", None),
        ]
        enrolled = db.session.scalars(
            sa.select(User.name)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.exam_id == exam_id)
            .order_by(User.name)
        ).all()
        assert sorted(enrolled) == sorted(["冉晓丽", "王红岩", "借调干部"])


def running_exam_with_results(app) -> int:
    """A published formal exam of 雍溪镇's three 石佛村 people, open since an hour ago
    and for a day more: 冉晓丽 passed, 张未过 failed, 李缺考 has not sat."""
    with app.app_context():
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        people = {u.name: u for u in db.session.scalars(sa.select(User))}
        question = Question(
            owner_unit=town,
            type=QuestionType.JUDGE,
            stem="宪法是国家的根本法。",
            options=["正确", "错误"],
            answer="A",
            score=Decimal(10),
        )
        now = utcnow()
        exam = Exam(
            owner_unit=town,
            title="2025年度法治理论知识考试",
            year=2025,
            status=ExamStatus.PUBLISHED,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
            time_limit_minutes=30,
            pass_score=Decimal(6),
            published_at=now - timedelta(hours=1),
        )
        exam.fixed_questions.append(ExamQuestion(question=question, position=0, score=10))
        db.session.add(exam)
        db.session.flush()
        for name in ("冉晓丽", "张未过", "李缺考"):
            person = people[name]
            db.session.add(
                Enrolment(
                    exam_id=exam.id,
                    user_id=person.id,
                    unit_id=person.unit_id,
                    category=person.category,
                )
            )
        for name, score in (("冉晓丽", 10), ("张未过", 0)):
            db.session.add(
                Attempt(
                    exam_id=exam.id,
                    user_id=people[name].id,
                    status=AttemptStatus.SUBMITTED,
                    started_at=now - timedelta(minutes=50),
                    deadline=now - timedelta(minutes=20),
                    finished_at=now - timedelta(minutes=30),
                    score=Decimal(score),
                    max_score=Decimal(10),
                    passed=score >= 6,
                )
            )
        db.session.commit()
        exam_tally.refresh_exam(exam.id)
        db.session.commit()
        return exam.id


def test_an_exam_closed_now_gets_a_makeup_without_one_candidate_who_is_put_back(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    for name in ("冉晓丽", "张未过", "李缺考"):
        make_person(name)
    phone, password = make_person(
        "管理员甲", Category.OFFICIAL, role=Role.ADMIN, must_change_password=False
    )
    exam_id = running_exam_with_results(live_server.app)
    page.goto(live_server.url(f"/admin/exams/{exam_id}"))
    log_in(page, phone, password)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="立即截止").click()
    expect(page.get_by_role("alert")).to_have_text("考试已截止")
    expect(page.get_by_role("button", name="立即截止")).to_have_count(0)
    assert_fits_phone(page)
    screenshot(page, "1-closed-phone")

    page.get_by_role("link", name="创建补考").click()
    expect(page.locator("tbody tr")).to_have_count(2)  # 张未过 and 李缺考
    tomorrow = datetime.now(LOCAL_TZ) + timedelta(days=1)
    page.get_by_label("补考开始时间（北京时间）").fill(tomorrow.strftime("%Y-%m-%dT09:00"))
    page.get_by_label("补考截止时间（北京时间）").fill(tomorrow.strftime("%Y-%m-%dT18:00"))
    page.get_by_label("李缺考").uncheck()
    assert_fits_phone(page)
    screenshot(page, "2-makeup-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "3-makeup-desktop")
    page.set_viewport_size({"width": 360, "height": 640})
    page.get_by_role("button", name="创建并发布补考").click()
    expect(page.get_by_role("alert")).to_have_text("请填写不参加补考的原因")
    expect(page.get_by_label("李缺考")).not_to_be_checked()

    page.get_by_label("不参加补考的原因").select_option(label="调离")
    page.get_by_role("button", name="创建并发布补考").click()
    expect(page.get_by_role("alert")).to_have_text("已创建补考并生成补考名单")
    expect(page.get_by_role("heading", name="补考名单")).to_be_visible()
    row = page.locator("tbody tr", has_text="李缺考")
    expect(row).to_contain_text("不参加补考")
    expect(row).to_contain_text("调离")
    assert_fits_phone(page)
    screenshot(page, "4-roster-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "5-roster-desktop")

    row.get_by_role("button", name="恢复补考").click()
    expect(page.get_by_role("alert")).to_have_text("已将李缺考恢复到补考名单")
    with live_server.app.app_context():
        makeup = db.session.scalar(sa.select(Exam).where(Exam.parent_exam_id == exam_id))
        rows = db.session.execute(
            sa.select(User.name, Enrolment.exempt)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.exam_id == makeup.id)
        ).all()
        assert sorted(rows) == [("张未过", False), ("李缺考", False)]
        assert db.session.get(Exam, exam_id).closes_at <= utcnow()
