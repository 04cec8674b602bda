"""One attempt open on two pages (two tabs, or a phone and a PC), over a network that
drops: the answer given last is kept, a page that is behind shows it, and what the
server refuses is said in words."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.helpers import create_exam, start_exam
from yongxi_learn.exams import attempts
from yongxi_learn.exams.grading import canonical_to_shown
from yongxi_learn.exams.models import Attempt
from yongxi_learn.extensions import db

pytestmark = pytest.mark.e2e


def saved(app) -> dict[int, str]:
    """The answers stored now, in the letters the page shows."""
    with app.app_context():
        attempt = db.session.scalar(sa.select(Attempt))
        return {
            aq.position: canonical_to_shown(aq.response, aq.option_order)
            for aq in attempt.questions
            if aq.response
        }


def pick(page, position: int, letter: str) -> None:
    page.locator(f"#q{position} input[value='{letter}']").check()


def state(page, position: int):
    return page.locator(f"[data-state-for='{position}']")


def expect_checked(page, position: int, letter: str) -> None:
    expect(page.locator(f"#q{position} input[value='{letter}']")).to_be_checked()


@pytest.fixture
def person(live_server, make_person):
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone)
    return phone, password


def on_a_pc(browser, live_server, log_in, person, url):
    """The same person on another device: its own browser, logged in, on ``url``."""
    pc = browser.new_context(viewport={"width": 1280, "height": 800})
    desk = pc.new_page()
    desk.goto(live_server.url("/"))
    log_in(desk, *person)
    desk.goto(url)
    return pc, desk


def second_page(context, page):
    other = context.new_page()
    other.goto(page.url)
    expect(other.locator("#exam-form")).to_be_visible()
    return other


def test_the_later_answer_in_another_tab_wins_and_the_first_tab_is_brought_up_to_date(
    live_server, person, page, log_in
):
    start_exam(page, live_server, log_in, *person)
    behind = second_page(page.context, page)  # opened before anything is answered
    pick(page, 1, "A")
    expect(state(page, 1)).to_have_text("已保存")
    pick(behind, 1, "B")  # later, in the tab that never heard of A
    expect(state(behind, 1)).to_have_text("已保存")
    assert saved(live_server.app) == {1: "B"}
    # The first tab learns it is behind with its next save, and shows B.
    pick(page, 2, "C")
    expect(state(page, 2)).to_have_text("已保存")
    expect_checked(page, 1, "B")
    expect(state(page, 1)).to_have_text("已改为另一页面保存的答案")
    # 交卷 from the first tab now hands in B: nothing the other tab gave is wiped.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".exam-bar").get_by_role("button", name="交卷").click()
    expect(page).to_have_url(re.compile(r"/result$"))
    assert saved(live_server.app) == {1: "B", 2: "C"}


def test_a_phone_back_online_does_not_overwrite_a_newer_answer_from_the_pc(
    live_server, person, page, browser, log_in
):
    start_exam(page, live_server, log_in, *person)  # the phone
    page.context.set_offline(True)
    pick(page, 3, "A")
    expect(state(page, 3)).to_have_text("未保存（网络断开）")
    expect(page.locator("[data-nav='3']")).to_have_class(re.compile(r"\bunsaved\b"))
    pc, desk = on_a_pc(browser, live_server, log_in, person, page.url)
    try:
        pick(desk, 3, "C")
        expect(state(desk, 3)).to_have_text("已保存")
    finally:
        pc.close()
    page.context.set_offline(False)
    expect_checked(page, 3, "C")
    expect(state(page, 3)).to_have_text("已改为另一页面保存的答案")
    expect(page.locator("[data-nav='3']")).not_to_have_class(re.compile(r"\bunsaved\b"))
    assert saved(live_server.app) == {3: "C"}


REPLAY = """([url, body, token]) => fetch(url, {
  method: "POST",
  headers: {"Content-Type": "application/json", "X-CSRFToken": token},
  body: JSON.stringify(body)
}).then(function (r) { return r.json(); })"""


def test_a_pages_earlier_save_delivered_last_does_not_undo_its_later_one(
    live_server, person, page, log_in
):
    start_exam(page, live_server, log_in, *person)
    sent = []
    page.on("request", lambda r: sent.append(r) if r.url.endswith("/answer") else None)
    pick(page, 1, "A")
    expect(state(page, 1)).to_have_text("已保存")
    pick(page, 1, "B")
    expect(state(page, 1)).to_have_text("已保存")
    first, second = (request.post_data_json for request in sent[:2])
    assert first["page"] == second["page"] and re.fullmatch(r"[0-9a-z]{16}", first["page"])
    assert second["n"] > first["n"]
    # The first save, held up in the network, arrives only now: B stays.
    token = sent[0].headers["x-csrftoken"]
    late = page.evaluate(REPLAY, [sent[0].url, first, token])
    assert late["applied"] is False and late["answer"] == "B"
    assert saved(live_server.app) == {1: "B"}


def test_two_offline_tabs_keep_both_queues(live_server, person, page, log_in):
    start_exam(page, live_server, log_in, *person)
    other = second_page(page.context, page)
    page.context.set_offline(True)
    pick(page, 1, "A")
    pick(other, 2, "B")
    expect(state(page, 1)).to_have_text("未保存（网络断开）")
    expect(state(other, 2)).to_have_text("未保存（网络断开）")
    page.close()  # the first tab is closed while offline
    other.context.set_offline(False)
    expect(state(other, 2)).to_have_text("已保存")
    expect_checked(other, 1, "A")  # the closed tab's answer, sent by this one
    expect(other.locator("#exam-save-state")).to_have_text("已保存")
    assert saved(live_server.app) == {1: "A", 2: "B"}


def test_a_lost_login_is_said_and_the_answer_is_sent_after_logging_in_again(
    live_server, person, page, log_in
):
    start_exam(page, live_server, log_in, *person)
    attempt_url = page.url
    page.context.clear_cookies()
    pick(page, 4, "B")
    expect(page.locator("#exam-save-state")).to_have_text("未保存（登录已失效）")
    notice = page.locator("#exam-notice")
    expect(notice).to_contain_text("登录已失效")
    assert saved(live_server.app) == {}
    notice.get_by_role("link", name="重新登录").click()
    log_in(page, *person)
    expect(page).to_have_url(attempt_url)
    expect_checked(page, 4, "B")
    expect(state(page, 4)).to_have_text("已保存")
    assert saved(live_server.app) == {4: "B"}


def test_an_answer_reaching_an_attempt_handed_in_elsewhere_is_said_not_to_count(
    live_server, person, page, browser, log_in
):
    start_exam(page, live_server, log_in, *person)  # the phone
    page.context.set_offline(True)
    pick(page, 5, "A")
    pc, desk = on_a_pc(browser, live_server, log_in, person, page.url)
    try:
        desk.once("dialog", lambda dialog: dialog.accept())
        desk.locator(".exam-bar").get_by_role("button", name="交卷").click()
        expect(desk).to_have_url(re.compile(r"/result$"))
    finally:
        pc.close()
    page.context.set_offline(False)
    expect(page.locator("#exam-notice")).to_contain_text(
        "本次考试已在另一个页面交卷。1 个答案在交卷后送达，未计入。"
    )
    expect(page.locator("#exam-save-state")).to_have_text("考试已结束，答案未保存")
    assert saved(live_server.app) == {}


def test_at_zero_the_answers_stop_and_the_page_hands_in_with_a_disabled_button(
    live_server, make_person, page, log_in, monkeypatch
):
    monkeypatch.setattr(attempts, "GRACE", timedelta(seconds=30))
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone, closes_in=timedelta(seconds=8))
    start_exam(page, live_server, log_in, phone, password)
    page.context.set_offline(True)  # at 0:00 the phone has no network
    pick(page, 1, "A")
    expect(page.locator("#exam-notice")).to_contain_text(
        "时间已到，答案不能再修改。网络恢复后将自动交卷。", timeout=20_000
    )
    page.locator("#q2 label.option").first.click()  # a tap after the time is up
    expect(page.locator("#q2 input").first).not_to_be_checked()
    page.context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/result$"))
    assert saved(live_server.app) == {1: "A"}  # handed in within the grace period


def test_submitting_shows_that_it_is_under_way(live_server, person, page, log_in):
    start_exam(page, live_server, log_in, *person)
    # What the buttons say once 交卷 is confirmed, noted as the form leaves the page
    # (after exam.js's own handler) where the next page of the tab can read it.
    page.evaluate(
        """document.addEventListener("submit", function () {
          var buttons = document.querySelectorAll("#exam-form button[type=submit]");
          var seen = [];
          for (var i = 0; i < buttons.length; i++) {
            seen.push([buttons[i].disabled, buttons[i].textContent]);
          }
          sessionStorage.setItem("seen", JSON.stringify(seen));
        })"""
    )
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".exam-bar").get_by_role("button", name="交卷").click()
    expect(page).to_have_url(re.compile(r"/result$"))
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('seen'))")
    assert seen == [[True, "提交中…"], [True, "提交中…"]]


def test_without_javascript_the_page_says_the_timer_is_not_live(
    live_server, person, browser, log_in
):
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    try:
        page = context.new_page()
        start_exam(page, live_server, log_in, *person)
        expect(page.locator(".alert-info")).to_contain_text("剩余时间不会自动更新")
    finally:
        context.close()


def test_closing_a_page_with_unsaved_answers_warns(live_server, person, page, log_in):
    start_exam(page, live_server, log_in, *person)
    page.context.set_offline(True)
    pick(page, 6, "A")
    expect(state(page, 6)).to_have_text("未保存（网络断开）")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert dialogs == ["beforeunload"]
