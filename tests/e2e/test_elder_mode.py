"""长辈模式 on a 360 px phone: the header's switch turns it on for the page it is used on
and follows the person; the learner's pages have 20 px text and 48 px tap targets; the
exam shows one question per screen with 上一题 / 下一题, saves an answer given offline
once the network is back, and without JavaScript is still one form."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.helpers import create_exam, elder_cookie, set_elder_mode, start_exam
from yongxi_learn.auth.elder import ELDER_COOKIE
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import Attempt, AttemptStatus, Exam
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawArticle, LawKind
from yongxi_learn.org.models import OrgUnit, User
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.study import readings
from yongxi_learn.study.reading_models import ReadingKind

pytestmark = pytest.mark.e2e

# Everything a finger taps, as laid out: links, buttons, menus, fields, and the labels
# that carry the radio buttons and checkboxes.
_SIZES_JS = """() => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && getComputedStyle(el).visibility !== "hidden";
  };
  const targets = [...document.querySelectorAll(
    "a[href], button, summary, select, textarea, " +
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), " +
    "label:has(input[type=checkbox]), label:has(input[type=radio])")].filter(shown);
  const texts = [...document.querySelectorAll("body *")].filter((el) =>
    shown(el) && !el.closest("svg") &&
    [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  const describe = (el) => el.outerHTML.slice(0, 100);
  return {
    body: parseFloat(getComputedStyle(document.body).fontSize),
    small: texts.filter((el) => parseFloat(getComputedStyle(el).fontSize) < 20).map(describe),
    low: targets.filter((el) => el.getBoundingClientRect().height < 48).map(describe),
    targets: targets.length,
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""


def assert_elder_page(page) -> None:
    """20 px text, 48 px tap targets, no sideways scrolling at 360 px."""
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    sizes = page.evaluate(_SIZES_JS)
    assert sizes["body"] >= 20, sizes
    assert sizes["targets"] > 0
    assert not sizes["small"], sizes["small"]
    assert not sizes["low"], sizes["low"]
    assert sizes["scrollWidth"] <= 360, sizes


def _town():
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))


def create_law_and_reading(app) -> tuple[int, int]:
    with app.app_context():
        town = _town()
        law = Law(owner_unit=town, title="中华人民共和国宪法", kind=LawKind.LAW, sample=True)
        for n in range(1, 4):
            text = f"示例条文{n}：以官方文本为准。"
            law.articles.append(LawArticle(position=n - 1, number=n, label=f"第{n}条", text=text))
        db.session.add(law)
        db.session.flush()
        settings = readings.ReadingSettings(
            title="学习宪法总纲",
            kind=ReadingKind.ARTICLES,
            due_on=None,
            min_seconds=5,
            law_id=law.id,
            audience={"units": [town.id], "categories": [], "people": []},
        )
        reading = readings.create_reading(town, settings, actor=SYSTEM)
        db.session.commit()
        return law.id, reading.id


def elder_on_account(app, phone) -> bool:
    with app.app_context():
        return db.session.scalar(sa.select(User.elder_mode).where(User.phone == phone))


def test_the_switch_turns_it_on_for_this_page_and_it_follows_the_person(
    live_server, make_person, page, browser, log_in, screenshot
):
    phone, password = make_person(must_change_password=False)
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    page.goto(live_server.url("/laws/?q=宪法"))
    page.get_by_role("button", name="长辈模式").click()
    expect(page).to_have_url(re.compile(r"/laws/\?q="))
    expect(page.get_by_role("button", name="长辈模式")).to_have_attribute("aria-pressed", "true")
    assert_elder_page(page)
    assert elder_on_account(live_server.app, phone)
    screenshot(page, "1-laws")
    assert page.locator("header.topbar").bounding_box()["height"] <= 72  # one line

    page.get_by_text("菜单", exact=True).click()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="考试")).to_be_visible()
    heights = [link.bounding_box()["height"] for link in nav.get_by_role("link").all()]
    assert min(heights) >= 48, heights
    assert_elder_page(page)
    screenshot(page, "2-menu")

    # Another device: 长辈模式 from the first login on.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        pc = context.new_page()
        pc.goto(live_server.url("/login"))
        log_in(pc, phone, password)
        expect(pc.locator("html")).to_have_class("elder")
        expect(pc.get_by_text("菜单", exact=True)).to_be_visible()  # one large panel
        assert pc.locator("header.topbar").bounding_box()["height"] <= 72
        screenshot(pc, "3-pc")
    finally:
        context.close()

    page.keyboard.press("Escape")
    page.get_by_role("button", name="长辈模式").click()
    expect(page.locator("html")).not_to_have_class("elder")
    assert not elder_on_account(live_server.app, phone)
    assert not [c for c in page.context.cookies() if c["name"] == ELDER_COOKIE]


def test_the_learners_pages_have_large_text_and_targets(
    live_server, make_person, page, log_in, screenshot
):
    phone, password = make_person(must_change_password=False)
    set_elder_mode(live_server.app, phone)
    law_id, reading_id = create_law_and_reading(live_server.app)
    create_exam(live_server.app, phone)
    page.goto(live_server.url("/login"))
    log_in(page, phone, password)
    for name, path in [
        ("home", "/"),
        ("my-exams", "/exams/"),
        ("readings", "/study/readings"),
        ("reading", f"/study/readings/{reading_id}"),
        ("law", f"/laws/{law_id}"),
        ("law-article", f"/laws/{law_id}#a2"),
        ("profile", "/profile"),
    ]:
        page.goto(live_server.url(path))
        assert_elder_page(page)
        screenshot(page, name)
    page.goto(live_server.url("/"))
    page.get_by_role("link", name="开始考试").click()
    assert_elder_page(page)
    screenshot(page, "notice")
    page.get_by_role("button", name="开始答题").click()
    expect(page.locator("#q-counter")).to_be_visible()
    assert page.locator("header.topbar").bounding_box()["height"] <= 72  # one line
    assert_elder_page(page)
    screenshot(page, "attempt")


def test_one_question_per_screen_saves_offline_and_hands_in(
    live_server, make_person, page, log_in, screenshot
):
    phone, password = make_person(must_change_password=False)
    set_elder_mode(live_server.app, phone)
    create_exam(live_server.app, phone)
    start_exam(page, live_server, log_in, phone, password)
    counter = page.locator("#q-counter")
    expect(counter).to_have_text("第 1 题 / 共 6 题")
    expect(page.locator("#q1")).to_be_visible()
    expect(page.locator("#q2")).to_be_hidden()
    expect(page.get_by_role("button", name="上一题")).to_be_disabled()

    page.locator("#q1 input[value='A']").check()
    expect(page.locator("[data-state-for='1']")).to_have_text("已保存")
    page.get_by_role("button", name="下一题").click()
    expect(counter).to_have_text("第 2 题 / 共 6 题")
    expect(page.locator("#q1")).to_be_hidden()
    expect(page.locator("#q2")).to_be_visible()
    bar, stem = page.locator(".exam-bar").bounding_box(), page.locator("#q2 .stem").bounding_box()
    assert bar["y"] + bar["height"] <= stem["y"] < 640, (bar, stem)  # in view, not under the bar
    assert_elder_page(page)
    shots = screenshot(page, "0-first").parent
    page.get_by_role("button", name="下一题").click()
    page.get_by_role("button", name="上一题").click()
    page.screenshot(path=str(shots / "1-screen.png"))  # what the phone shows
    pager = page.locator("#q-pager").bounding_box()
    assert pager["y"] + pager["height"] <= 640  # 上一题 / 下一题 on the screen
    screenshot(page, "1-question-2")

    page.context.set_offline(True)
    page.locator("#q2 input[value='B']").check()
    expect(page.locator("[data-state-for='2']")).to_contain_text("未保存")
    expect(page.locator("#exam-save-state")).to_have_text("未保存（网络断开）")
    expect(page.locator("[data-nav='2']")).to_have_class(re.compile("unsaved"))
    screenshot(page, "2-offline")
    page.get_by_role("button", name="下一题").click()  # moving on offline is fine
    expect(counter).to_have_text("第 3 题 / 共 6 题")
    page.context.set_offline(False)
    expect(page.locator("#exam-save-state")).to_have_text("已保存")
    page.get_by_role("button", name="上一题").click()
    expect(page.locator("[data-state-for='2']")).to_have_text("已保存")
    with live_server.app.app_context():
        attempt = db.session.scalar(sa.select(Attempt))
        saved = {aq.position: aq.response for aq in attempt.questions if aq.response}
    assert set(saved) == {1, 2}

    # The numbers jump; a reload comes back to the question shown.
    page.locator(".exam-nav").get_by_role("link", name="第6题").click()
    expect(counter).to_have_text("第 6 题 / 共 6 题")
    expect(page.get_by_role("button", name="下一题")).to_be_disabled()
    page.reload()
    expect(counter).to_have_text("第 6 题 / 共 6 题")
    expect(page.locator("#q6")).to_be_visible()
    screenshot(page, "3-last")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".exam-bar").get_by_role("button", name="交卷").click()
    expect(page).to_have_url(re.compile(r"/result$"))
    assert_elder_page(page)
    screenshot(page, "4-result")

    # 练习 is the same page: one question per screen (the exam closed, its questions
    # may be practised).
    with live_server.app.app_context():
        exam = db.session.scalar(sa.select(Exam))
        exam.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page.goto(live_server.url("/exams/wrong"))
    assert_elder_page(page)
    page.get_by_role("button", name="开始专项练习").click()
    expect(page).to_have_url(re.compile(r"/exams/attempts/\d+$"))
    expect(counter).to_have_text(re.compile(r"^第 1 题 / 共 \d+ 题$"))
    expect(page.locator(".question.is-current")).to_have_count(1)
    expect(page.get_by_role("button", name="下一题")).to_be_visible()
    assert_elder_page(page)
    screenshot(page, "5-practice")


def test_without_javascript_elder_mode_is_one_form(live_server, make_person, browser, log_in):
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone)
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, java_script_enabled=False
    )
    context.add_cookies([elder_cookie(live_server)])
    try:
        page = context.new_page()
        page.goto(live_server.url("/login"))
        expect(page.locator("html")).to_have_class("elder")  # before logging in too
        set_elder_mode(live_server.app, phone)
        start_exam(page, live_server, log_in, phone, password)
        expect(page.locator("html")).to_have_class("elder")
        expect(page.locator("#q-pager")).to_be_hidden()
        for position in range(1, 7):
            expect(page.locator(f"#q{position}")).to_be_visible()
            page.locator(f"#q{position} input[value='A']").check()
        page.locator(".exam-end").get_by_role("button", name="交卷").click()
        expect(page).to_have_url(re.compile(r"/result$"))
        with live_server.app.app_context():
            attempt = db.session.scalar(sa.select(Attempt))
            assert attempt.status is AttemptStatus.SUBMITTED
            assert all(aq.response for aq in attempt.questions)  # every answer handed in
    finally:
        context.close()
