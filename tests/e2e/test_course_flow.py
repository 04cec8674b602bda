"""On a 360 px phone: a learner opens a course, plays its audio, reloads and the player
resumes where they stopped; the audio's end marks the part; 已学习 on the articles
finishes the course with its declared 学时."""

import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.courses.media import mp3
from tests.e2e.helpers import MEDIA_SERVER_RESET
from yongxi_learn.core.time import utcnow
from yongxi_learn.courses import services
from yongxi_learn.courses.models import CourseCompletion, MediaKind, PartKind, PartProgress
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawArticle, LawKind
from yongxi_learn.org.models import OrgUnit
from yongxi_learn.org.services import SYSTEM

pytestmark = pytest.mark.e2e


def create_course(app) -> tuple[int, list[int]]:
    with app.app_context():
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        law = Law(owner_unit=town, title="中华人民共和国行政处罚法", kind=LawKind.LAW)
        for n in (1, 2):
            law.articles.append(
                LawArticle(position=n - 1, number=n, label=f"第{n}条", text=f"示例条文{n}。")
            )
        db.session.add(law)
        db.session.flush()
        course = services.create_course(
            town,
            services.CourseSettings(
                title="行政处罚法入门", year=utcnow().year, credit_hours=Decimal("1.5"),
                audience={"units": [town.id], "categories": [], "people": []},
            ),
            actor=SYSTEM,
        )  # fmt: skip
        audio = services.upload_media(
            town, io.BytesIO(mp3(8)), MediaKind.AUDIO, actor=SYSTEM, max_bytes=10**7
        )
        services.add_part(
            course, services.PartInput(kind=PartKind.MEDIA, media_id=audio.id), actor=SYSTEM
        )
        services.add_part(
            course, services.PartInput(kind=PartKind.ARTICLES, law_id=law.id), actor=SYSTEM
        )
        services.publish(course, actor=SYSTEM, now=utcnow())
        db.session.commit()
        return course.id, [p.id for p in course.parts]


def _saved_position(app, part_id) -> int | None:
    with app.app_context():
        return db.session.scalar(
            sa.select(PartProgress.position_seconds).where(PartProgress.part_id == part_id)
        )


@MEDIA_SERVER_RESET
def test_a_learner_plays_reloads_resumes_and_finishes(
    live_server, make_person, page, log_in, assert_fits_phone
):
    phone, password = make_person(must_change_password=False)
    course_id, (audio_part, _articles) = create_course(live_server.app)
    page.goto(live_server.url("/courses/"))
    log_in(page, phone, password)
    page.goto(live_server.url("/courses/"))
    expect(page.locator(".course-list")).to_contain_text("未完成")
    page.get_by_role("link", name="行政处罚法入门").click()
    assert_fits_phone(page)
    page.get_by_role("link", name="第1部分 · 音视频：音频").click()

    audio = page.locator("audio")
    audio.evaluate("a => { a.muted = true; return a.play(); }")
    page.wait_for_function("a => a.currentTime > 3", arg=audio.element_handle())
    with page.expect_response(lambda r: r.url.endswith("/position")) as saved:
        audio.evaluate("a => a.pause()")
    assert saved.value.ok
    stopped = _saved_position(live_server.app, audio_part)
    assert stopped is not None and stopped >= 3

    page.reload()
    expect(page.locator("[data-resume]")).to_contain_text(f"0:{stopped:02d}")
    # The player resumed by itself.
    page.wait_for_function(
        "a => a.currentTime >= Number(a.parentNode.dataset.position) - 0.5",
        arg=audio.element_handle(),
    )
    assert_fits_phone(page)

    with page.expect_response(lambda r: r.url.endswith("/done")) as done:
        audio.evaluate("a => { a.muted = true; a.currentTime = a.duration - 1; return a.play(); }")
    assert done.value.ok
    expect(page.locator("#part-done")).to_be_visible()

    page.get_by_role("link", name="下一部分").click()
    expect(page.locator(".reading-body")).to_contain_text("示例条文2。")
    page.get_by_role("button", name="已学习").click()
    expect(page.get_by_role("alert")).to_contain_text("课程已完成，计1.5学时")
    assert_fits_phone(page)
    with live_server.app.app_context():
        completion = db.session.scalar(sa.select(CourseCompletion))
        assert completion.course_id == course_id and completion.credit_hours == Decimal("1.5")
    page.goto(live_server.url("/courses/"))
    expect(page.locator(".course-list")).to_contain_text("已完成")
