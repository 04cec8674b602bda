"""A learner's course: parts in order, the resume point (theirs alone), done marks, the
quiz (a personal practice exam, in no exam figure), the completion and its 学时."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.courses.helpers import answer_and_submit
from yongxi_learn.core.time import utcnow
from yongxi_learn.courses import ledger, progress, services
from yongxi_learn.courses.models import (
    CourseCompletion,
    CourseQuiz,
    PartKind,
    PartProgress,
)
from yongxi_learn.exams.models import Exam, ExamTally
from yongxi_learn.exams.taking.my_exams import available_exams
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.record.services import year_record
from yongxi_learn.stats import credits
from yongxi_learn.stats.exams import year_exams
from yongxi_learn.study import readings
from yongxi_learn.study.reading_models import ReadingKind


def _parts(course):
    return [p.id for p in course.parts]


def _mark_all_parts(client, course):
    for part_id in _parts(course):
        assert client.post(f"/courses/parts/{part_id}/done").status_code == 302


def _take_quiz(client, course, user, *, right: bool) -> None:
    response = client.post(f"/courses/{course.id}/quiz")
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    answer_and_submit(attempt_id, db.session.get(User, user.id), right=right)


def test_my_courses_lists_the_course_with_its_parts_and_hours(client, login, cadre, course):
    login(cadre)
    page = client.get("/courses/?year=2026").get_data(as_text=True)
    assert "行政处罚法专题课程" in page and "2.5学时" in page and "未完成" in page
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "第1部分 · 法规条文" in page and "第2部分 · 音视频" in page
    articles = client.get(f"/courses/parts/{_parts(course)[0]}").get_data(as_text=True)
    assert "示例条文内容1" in articles and "示例条文内容3" not in articles
    player = client.get(f"/courses/parts/{_parts(course)[1]}").get_data(as_text=True)
    assert '<audio controls preload="metadata" src="/courses/media/' in player
    assert "我已学完" in player  # marks the part without JavaScript


def test_the_learner_sees_where_they_stopped_and_no_one_else_does(
    client, login, cadre, make_user, tree, admin, course
):
    media_part = _parts(course)[1]
    login(cadre)
    saved = client.post(f"/courses/parts/{media_part}/position", json={"position": 2.4})
    assert saved.get_json() == {"ok": True, "position": 2}
    page = client.get("/courses/?year=2026").get_data(as_text=True)
    assert "上次学到：第2部分" in page and "0:02" in page
    assert 'data-position="2"' in client.get(f"/courses/parts/{media_part}").get_data(as_text=True)
    client.post("/logout")

    other = make_user("王学员", tree["village"])
    login(other)
    assert 'data-position="0"' in client.get(f"/courses/parts/{media_part}").get_data(as_text=True)
    assert "上次学到" not in client.get("/courses/?year=2026").get_data(as_text=True)
    client.post("/logout")

    login(admin)
    for url in (f"/admin/courses/{course.id}/people", f"/admin/courses/{course.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "李学员" in page or url.endswith(str(course.id))
        assert not re.search(r"上次|0:02|分钟|秒|时长|播放位置", page.split("<main")[-1]), url


def test_a_position_beyond_the_media_is_clamped_and_nonsense_refused(client, login, cadre, course):
    media_part, articles_part = _parts(course)[1], _parts(course)[0]
    login(cadre)
    assert (
        client.post(f"/courses/parts/{media_part}/position", json={"position": 9e9}).get_json()[
            "position"
        ]
        == 3
    )
    assert (
        client.post(f"/courses/parts/{media_part}/position", json={"position": "x"}).status_code
        == 400
    )
    assert (
        client.post(f"/courses/parts/{articles_part}/position", json={"position": 1}).status_code
        == 400
    )


def test_completion_needs_every_part_and_a_passed_quiz_and_keeps_the_declared_hours(
    client, login, cadre, course
):
    login(cadre)
    assert "学完全部内容后可以参加测验" in client.get(f"/courses/{course.id}").get_data(
        as_text=True
    )
    refused = client.post(f"/courses/{course.id}/quiz", follow_redirects=True)
    assert "请先学完课程的全部内容" in refused.get_data(as_text=True)
    _mark_all_parts(client, course)
    assert count_rows(CourseCompletion) == 0  # the quiz is still missing

    _take_quiz(client, course, cadre, right=False)
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "未通过" in page and "完成课程" not in page
    assert count_rows(CourseCompletion) == 0

    _take_quiz(client, course, cadre, right=True)
    done = client.post(f"/courses/{course.id}/complete", follow_redirects=True)
    assert "课程已完成，计2.5学时" in done.get_data(as_text=True)
    row = db.session.scalar(sa.select(CourseCompletion))
    assert row.user_id == cadre.id and row.credit_hours == Decimal("2.5")

    # Declared later as 3 学时: the completion keeps what it was completed under.
    settings = services.CourseSettings(
        title=course.title, year=2026, credit_hours="3", audience=course.audience, quiz_size=3
    )
    services.update_course(db.session.get(type(course), course.id), settings, actor=SYSTEM)
    db.session.commit()
    rows = ledger.completions(2026, sa.select(User.id))
    assert [(r.user_id, r.course_id, r.title, r.credit_hours) for r in rows] == [
        (cadre.id, course.id, "行政处罚法专题课程", Decimal("2.5"))
    ]
    assert ledger.completions(2025, [cadre.id]) == []
    assert "已完成" in client.get("/courses/?year=2026").get_data(as_text=True)
    # The 学时 ledger counts it as a course's line, and the 学法档案 shows it.
    lines = db.session.execute(sa.select(credits.ledger(2026, sa.select(User.id)))).all()
    assert [(x.source, x.title, x.hours) for x in lines] == [
        ("course", "行政处罚法专题课程", Decimal("2.5"))
    ]
    page = client.get("/record?year=2026").get_data(as_text=True)
    assert "网络课程" in page and "行政处罚法专题课程" in page


def test_a_course_without_a_quiz_completes_with_its_last_part(
    client, login, cadre, tree, law, bank
):
    from tests.courses.helpers import make_course

    course = make_course(tree["town"], law, credit=Decimal(1), quiz_size=0)
    login(cadre)
    _mark_all_parts(client, course)
    completion = db.session.scalar(sa.select(CourseCompletion))
    assert completion is not None and completion.credit_hours == Decimal(1)
    assert client.post(f"/courses/parts/{_parts(course)[0]}/done").status_code == 302
    assert count_rows(CourseCompletion) == 1  # marking again changes nothing


def test_the_quiz_is_in_no_exam_list_or_figure(client, login, cadre, admin, tree, course):
    login(cadre)
    _mark_all_parts(client, course)
    _take_quiz(client, course, cadre, right=True)
    quiz = db.session.get(Exam, db.session.scalar(sa.select(CourseQuiz.exam_id)))
    assert quiz.personal and quiz.title.startswith("课程测验")
    now = utcnow()
    assert quiz.id not in [e.id for e in year_exams(quiz.year, tree["town"])]
    assert quiz.id not in [e.id for e in year_exams(quiz.year, tree["district"])]
    assert db.session.scalar(sa.select(sa.func.count()).where(ExamTally.exam_id == quiz.id)) == 0
    cadre_now = db.session.get(User, cadre.id)
    assert quiz.id not in [entry.exam.id for entry in available_exams(cadre_now, now)]
    assert all(
        "课程测验" not in line.exam.title
        for line in year_record(cadre_now, quiz.year, now=now).exams
    )
    client.post("/logout")
    login(admin)
    for url in (f"/stats/?year={quiz.year}", "/admin/exams/", f"/record/people/{cadre.id}"):
        response = client.get(url, follow_redirects=True)
        assert "课程测验" not in response.get_data(as_text=True), url


def test_another_town_sees_nothing_of_the_course(client, login, b_person, b_admin, course):
    part = _parts(course)[1]
    login(b_person)
    assert client.get(f"/courses/{course.id}").status_code == 404
    assert client.get(f"/courses/parts/{part}").status_code == 404
    assert client.post(f"/courses/parts/{part}/position", json={"position": 1}).status_code == 404
    assert client.post(f"/courses/parts/{part}/done").status_code == 404
    assert client.post(f"/courses/{course.id}/quiz").status_code == 404
    assert "行政处罚法专题课程" not in client.get("/courses/?year=2026").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PartProgress)) == 0
    client.post("/logout")
    login(b_admin)
    for url in (
        f"/admin/courses/{course.id}",
        f"/admin/courses/{course.id}/people",
        f"/admin/courses/{course.id}/edit",
    ):
        assert client.get(url).status_code == 404, url
    assert "行政处罚法专题课程" not in client.get("/admin/courses/?year=2026").get_data(
        as_text=True
    )


def test_the_admin_list_shows_done_or_not_and_downloads_it(
    client, login, admin, cadre, make_user, tree, course
):
    make_user("赵未学", tree["village"])
    login(cadre)
    _mark_all_parts(client, course)
    _take_quiz(client, course, cadre, right=True)
    client.post(f"/courses/{course.id}/complete")
    client.post("/logout")
    login(admin)
    page = client.get(f"/admin/courses/{course.id}/people").get_data(as_text=True)
    assert "已完成1人" in page and "李学员" in page and "赵未学" in page
    response = client.get(f"/admin/courses/{course.id}/people?download=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("sheet")


def test_a_reading_part_is_done_when_study_has_the_reading_confirmed(app, cadre, tree, course):
    reading = readings.create_reading(
        tree["town"],
        readings.ReadingSettings(
            title="以案释法：一起行政处罚案", kind=ReadingKind.TEXT, due_on=None,
            min_seconds=5, body="<p>案例正文</p>",
            audience={"units": [tree["town"].id], "categories": [], "people": []},
        ),
        actor=SYSTEM,
    )  # fmt: skip
    part = services.add_part(
        course, services.PartInput(kind=PartKind.READING, reading_id=reading.id), actor=SYSTEM
    )
    db.session.commit()
    user = db.session.get(User, cadre.id)
    assert not _done(progress.state(course, user), part.id)
    row = readings.open_reading(reading, user, now=utcnow())
    row.confirmed_at = utcnow()
    db.session.commit()
    assert _done(progress.state(course, user), part.id)


def _done(state, part_id) -> bool:
    return next(p.done for p in state.parts if p.part.id == part_id)


def test_a_village_admin_follows_the_town_course_for_the_village_only(
    client, login, unit_admin, make_user, tree, cadre, course
):
    make_user("石佛村民", tree["village"])
    login(unit_admin)
    assert "行政处罚法专题课程" in client.get("/admin/courses/?year=2026").get_data(as_text=True)
    page = client.get(f"/admin/courses/{course.id}/people").get_data(as_text=True)
    assert "石佛村民" in page and "李学员" not in page
    assert client.get(f"/admin/courses/{course.id}/edit").status_code in (403, 404)
    assert client.post(f"/admin/courses/{course.id}/publish").status_code in (403, 404)


def test_an_assigned_reading_is_confirmed_on_its_own_page_only(client, login, cadre, tree, course):
    reading = readings.create_reading(
        tree["town"],
        readings.ReadingSettings(
            title="以案释法", kind=ReadingKind.TEXT, due_on=None, min_seconds=60,
            body="<p>案例</p>",
            audience={"units": [tree["town"].id], "categories": [], "people": []},
        ),
        actor=SYSTEM,
    )  # fmt: skip
    part = services.add_part(
        course, services.PartInput(kind=PartKind.READING, reading_id=reading.id), actor=SYSTEM
    )
    db.session.commit()
    login(cadre)
    page = client.get(f"/courses/parts/{part.id}").get_data(as_text=True)
    assert f"/study/readings/{reading.id}" in page and "已学习</button>" not in page
    refused = client.post(f"/courses/parts/{part.id}/done", follow_redirects=True)
    assert "请在阅读任务页面学习并确认" in refused.get_data(as_text=True)
    assert count_rows(PartProgress) == 0


def test_a_quiz_with_an_empty_bank_says_so(client, login, cadre, tree, law):
    from tests.courses.helpers import make_course

    course = make_course(tree["town"], law, quiz_size=3)  # no questions in any bank
    login(cadre)
    _mark_all_parts(client, course)
    page = client.post(f"/courses/{course.id}/quiz", follow_redirects=True).get_data(as_text=True)
    assert "题库中暂无可用于本课程测验的题目" in page
    assert count_rows(CourseQuiz) == 0 and count_rows(CourseCompletion) == 0


def test_an_open_exam_holds_its_questions_back_from_the_quiz(
    client, login, cadre, admin, tree, bank, course
):
    from datetime import timedelta

    from tests.exams.paper_fixtures import make_exam
    from yongxi_learn.exams.papers import services as papers
    from yongxi_learn.org.services import Actor

    now = utcnow()
    exam = make_exam(
        tree["town"], admin, audience={"units": [tree["town"].id]}, questions=bank,
        year=now.year, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
    )  # fmt: skip
    papers.publish(exam, actor=Actor(user=db.session.get(User, admin.id)), now=now)
    db.session.commit()
    login(cadre)
    _mark_all_parts(client, course)
    page = client.post(f"/courses/{course.id}/quiz", follow_redirects=True).get_data(as_text=True)
    assert "您有尚未结束的考试，题库中的题目暂不用于课程测验" in page
    assert count_rows(CourseQuiz) == 0


def test_the_retention_purge_forgets_where_a_person_stopped(client, login, cadre, course):
    from yongxi_learn.org import signals

    login(cadre)
    media_part = _parts(course)[1]
    client.post(f"/courses/parts/{media_part}/position", json={"position": 2})
    client.post(f"/courses/parts/{media_part}/done")
    signals.person_anonymised.send(db.session.get(User, cadre.id))
    db.session.commit()
    row = db.session.scalar(sa.select(PartProgress))
    assert row.position_seconds is None and row.done_at is not None


def test_a_closed_year_freezes_the_course_and_its_completions(client, login, cadre, tree, course):
    from yongxi_learn.org.year_close import YearClose

    db.session.add(YearClose(unit_id=tree["town"].id, year=2026, figures=[]))
    db.session.commit()
    login(cadre)
    refused = client.post(f"/courses/parts/{_parts(course)[0]}/done", follow_redirects=True)
    assert "2026年度已关账，记录不再更改" in refused.get_data(as_text=True)
    assert count_rows(PartProgress) == 0
    settings = services.CourseSettings(
        title="改名", year=2026, credit_hours="9", audience=course.audience
    )
    with pytest.raises(services.CourseError, match="已关账"):
        services.update_course(db.session.get(type(course), course.id), settings, actor=SYSTEM)
