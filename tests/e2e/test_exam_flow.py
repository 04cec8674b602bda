"""A village cadre takes the annual exam on a phone over a network that drops."""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.helpers import create_exam, start_exam
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import attempts
from yongxi_learn.exams.grading import is_correct, shown_to_canonical
from yongxi_learn.exams.models import (
    Attempt,
    AttemptStatus,
)
from yongxi_learn.extensions import db

pytestmark = pytest.mark.e2e

# The shown letters the person taps, per position: 单选 x3, 多选 x2, 判断 x1.
CHOICES = {1: "A", 2: "B", 3: "C", 4: "AB", 5: "BC", 6: "A"}


def attempt_state(app) -> Attempt:
    with app.app_context():
        attempt = db.session.scalar(sa.select(Attempt))
        db.session.expunge_all()
        return attempt


def expected_score(app, tapped) -> Decimal:
    """What the taps on ``tapped`` positions are worth, graded apart from the app."""
    with app.app_context():
        attempt = db.session.scalar(sa.select(Attempt))
        total = Decimal(0)
        for aq in attempt.questions:
            if aq.position not in tapped:
                continue
            canonical = shown_to_canonical(CHOICES[aq.position], aq.option_order)
            if is_correct(aq.question.type, aq.question.answer, canonical):
                total += aq.score
        return total


def saved_responses(app) -> dict[int, str]:
    with app.app_context():
        attempt = db.session.scalar(sa.select(Attempt))
        return {aq.position: aq.response for aq in attempt.questions if aq.response}


def tap(page, position: int) -> None:
    question = page.locator(f"#q{position}")
    for letter in CHOICES[position]:
        question.locator(f"input[value='{letter}']").check()


def expect_saved(page, position: int) -> None:
    expect(page.locator(f"[data-state-for='{position}']")).to_have_text("已保存")


def seconds_shown(page) -> int:
    minutes, seconds = page.locator("#exam-remaining").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_the_notice_shows_the_rules_before_the_clock_starts(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone, time_limit=30, closes_in=timedelta(minutes=20))

    def notice_fits_a_phone(page):
        expect(page.locator("#notice-time")).to_contain_text("限时30分钟")
        expect(page.locator("#notice-deadline")).to_contain_text("距截止已不足30分钟")
        expect(page.locator("#notice-attempts")).to_contain_text("还有1次（共1次）")
        expect(page.locator("#notice-autosave")).to_contain_text("自动保存")
        expect(page.locator("#notice-offline")).to_contain_text("未保存（网络断开）")
        assert attempt_state(live_server.app) is None  # reading the notice starts nothing
        button = page.get_by_role("button", name="开始答题")
        expect(button).to_be_in_viewport()  # on the first screen of a 360 px phone
        assert_fits_phone(page)

    start_exam(
        page, live_server, log_in, phone, password, check=notice_fits_a_phone, screenshot=screenshot
    )
    attempt = attempt_state(live_server.app)
    assert attempt.status is AttemptStatus.IN_PROGRESS
    assert abs((attempt.deadline - (utcnow() + timedelta(minutes=20))).total_seconds()) < 30


def test_answers_survive_going_offline_and_a_reload_then_the_score_is_shown(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone)
    start_exam(page, live_server, log_in, phone, password)
    expect(page.locator("#exam-answered")).to_have_text("0")
    assert_fits_phone(page)

    tap(page, 1)
    tap(page, 2)
    expect_saved(page, 1)
    expect_saved(page, 2)
    expect(page.locator("#exam-save-state")).to_have_text("已保存")

    page.context.set_offline(True)
    tap(page, 3)
    tap(page, 4)
    expect(page.locator("[data-state-for='3']")).to_contain_text("未保存")
    expect(page.locator("#exam-save-state")).to_have_text("未保存（网络断开）")
    expect(page.locator("#exam-answered")).to_have_text("4")
    screenshot(page, "1-offline")
    assert set(saved_responses(live_server.app)) == {1, 2}

    page.context.set_offline(False)
    for position in (1, 2, 3, 4):
        expect_saved(page, position)
    expect(page.locator("#exam-save-state")).to_have_text("已保存")
    assert set(saved_responses(live_server.app)) == {1, 2, 3, 4}

    before_reload = seconds_shown(page)
    page.reload()
    for position in (1, 2, 3, 4):
        for letter in CHOICES[position]:
            expect(page.locator(f"#q{position} input[value='{letter}']")).to_be_checked()
    expect(page.locator("#exam-answered")).to_have_text("4")
    attempt = attempt_state(live_server.app)
    server_left = (attempt.deadline - utcnow()).total_seconds()
    after_reload = seconds_shown(page)
    assert after_reload <= before_reload
    assert abs(after_reload - server_left) <= 3
    assert 25 * 60 < after_reload < 30 * 60
    time.sleep(1.2)
    assert seconds_shown(page) < after_reload  # still running down
    assert_fits_phone(page)
    screenshot(page, "2-after-reload")

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.locator(".exam-bar").get_by_role("button", name="交卷").click()
    expect(page).to_have_url(re.compile(r"/result$"))
    assert "还有 2 题未作答" in messages[0]
    score = expected_score(live_server.app, (1, 2, 3, 4))
    expect(page.locator("#result-score")).to_have_text(f"{score.normalize():f}")
    expect(page.get_by_text("第1题的解析")).to_be_visible()
    assert attempt_state(live_server.app).status is AttemptStatus.SUBMITTED
    assert_fits_phone(page)
    screenshot(page, "3-result")


def test_an_attempt_left_open_past_its_deadline_is_finalized_with_its_saved_answers(
    live_server, make_person, page, log_in, assert_fits_phone, monkeypatch
):
    monkeypatch.setattr(attempts, "GRACE", timedelta(0))
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone, closes_in=timedelta(seconds=12))
    start_exam(page, live_server, log_in, phone, password)
    for position in (1, 4, 6):
        tap(page, position)
        expect_saved(page, position)
    # The phone is put away before the end; nobody presses 交卷.
    page.goto(live_server.url("/"))
    deadline = attempt_state(live_server.app).deadline
    time.sleep(max(0, (deadline - utcnow()).total_seconds()) + 1)

    page.goto(live_server.url("/exams/"))
    assert_fits_phone(page)
    page.get_by_role("link", name="查看成绩").click()
    expect(page).to_have_url(re.compile(r"/result$"))
    expect(page.get_by_text("按保存的答案自动交卷")).to_be_visible()
    expected = expected_score(live_server.app, (1, 4, 6))
    expect(page.locator("#result-score")).to_have_text(f"{expected.normalize():f}")
    assert_fits_phone(page)
    # The pages count it as handed in; the sweeper (a POST of its owner) writes it.
    assert attempt_state(live_server.app).status is AttemptStatus.IN_PROGRESS
    with live_server.app.app_context():
        assert attempts.finalize_overdue(utcnow()) == 1
        db.session.commit()
    attempt = attempt_state(live_server.app)
    assert (attempt.status, attempt.finished_at) == (AttemptStatus.EXPIRED, attempt.deadline)
    page.reload()
    expect(page.locator("#result-score")).to_have_text(f"{expected.normalize():f}")


def test_without_javascript_the_page_is_one_form_that_hands_in_every_answer(
    live_server, make_person, browser, log_in
):
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone)
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, java_script_enabled=False
    )
    try:
        page = context.new_page()
        start_exam(page, live_server, log_in, phone, password)
        for position in CHOICES:
            tap(page, position)
        page.locator(".exam-end").get_by_role("button", name="交卷").click()
        expect(page).to_have_url(re.compile(r"/result$"))
        expected = expected_score(live_server.app, tuple(CHOICES))
        expect(page.locator("#result-score")).to_have_text(f"{expected.normalize():f}")
        assert len(saved_responses(live_server.app)) == len(CHOICES)
    finally:
        context.close()
