"""Two pages on one attempt (two tabs, or a phone and a PC): 交卷 from the page that
is behind never wipes an answer given on the other; logins on the attempt are noted.
The order of saves themselves is in test_take_views (the autosave section)."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.exams.taking import begin, clock, key_shown, post_answer, saved_answer, text
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import Attempt, AttemptLogin, AttemptStatus
from yongxi_learn.extensions import db


@pytest.fixture
def as_cadre(client, login, cadre):
    login(cadre)
    return client


def page_form(client, attempt_id) -> dict:
    """What the attempt page's form would send as it was loaded."""
    html = text(client.get(f"/exams/attempts/{attempt_id}"))
    form = {"answers_in_form": "1"}
    for name, value in re.findall(r'<input type="hidden" name="(v\d+)" value="(\d+)">', html):
        form[name] = value
    for name, value in re.findall(r'name="(q\d+)" value="([A-F])" checked', html):
        form[name] = form.get(name, "") + value
    return form


def test_submitting_from_a_page_that_is_behind_keeps_the_newer_answer_and_says_so(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    stale = page_form(as_cadre, attempt.id)  # tab A, opened before tab B answered
    post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=0)  # tab B
    stale["q2"] = "A"  # tab A's own answer, given without JavaScript
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=stale)
    assert response.headers["Location"] == f"/exams/attempts/{attempt.id}"
    page = text(as_cadre.get(response.headers["Location"]))
    assert "尚未交卷：第 1 题的答案在本页打开后已在另一个页面或设备上修改" in page
    # Tab B's answer stands, tab A's own change is kept, and nothing is handed in.
    assert saved_answer(attempt.id, 1) == ("C", 1)
    assert saved_answer(attempt.id, 2) == ("A", 1)
    assert db.session.get(Attempt, attempt.id).status is AttemptStatus.IN_PROGRESS
    assert re.search(r'name="q1" value="C" checked', page)
    # The page now shown is current: 交卷 from it hands in.
    again = as_cadre.post(
        f"/exams/attempts/{attempt.id}/submit", data=page_form(as_cadre, attempt.id)
    )
    assert again.headers["Location"].endswith("/result")
    assert saved_answer(attempt.id, 1) == ("C", 1)


def test_at_the_deadline_a_page_that_is_behind_hands_in_with_the_newer_answer(
    as_cadre, exam, monkeypatch
):
    attempt = begin(as_cadre, exam)
    key = key_shown(attempt.questions[0])
    stale = page_form(as_cadre, attempt.id)
    post_answer(as_cadre, attempt.id, position=1, answer=key, base=0, age=0)
    clock(monkeypatch, attempt.deadline + timedelta(seconds=5))  # the page's auto 交卷
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=stale)
    assert response.headers["Location"].endswith("/result")
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.status is AttemptStatus.SUBMITTED
    assert saved_answer(attempt.id, 1) == (key, 1) and done.questions[0].correct is True


def test_a_page_that_saw_the_newest_answer_changes_it_on_submit(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=0)
    current = page_form(as_cadre, attempt.id)
    current["q1"] = "B"
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=current)
    assert response.headers["Location"].endswith("/result")
    assert saved_answer(attempt.id, 1) == ("B", 2)


def test_a_save_without_a_login_is_a_401_the_page_can_read(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    client.post("/logout")
    response = post_answer(client, attempt.id, position=1, answer="A", base=0, age=0)
    assert response.status_code == 401 and response.get_json()["reason"] == "login"
    fetch = client.get(f"/exams/attempts/{attempt.id}/answers")
    assert fetch.status_code == 401 and fetch.get_json()["reason"] == "login"


def test_a_finished_attempt_answers_409_saying_how_it_ended(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")  # in another tab
    response = post_answer(as_cadre, attempt.id, position=1, answer="A", base=0, age=0)
    assert response.status_code == 409 and response.get_json()["reason"] == "submitted"
    fetch = as_cadre.get(f"/exams/attempts/{attempt.id}/answers")
    assert fetch.status_code == 409 and fetch.get_json()["reason"] == "submitted"


def logins_on(attempt_id) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(AttemptLogin.attempt_id == attempt_id)
    )


def open_page(client, attempt_id) -> str:
    """Open the attempt page as a browser with JavaScript does: the page asks to be
    noted when its login is new to the attempt."""
    html = text(client.get(f"/exams/attempts/{attempt_id}"))
    if 'data-opened-url="' in html:
        client.post(f"/exams/attempts/{attempt_id}/opened")
    return html


def test_each_login_that_opens_an_attempt_is_noted_once_and_the_page_writes_nothing(
    app, login, cadre, exam
):
    phone, pc = app.test_client(), app.test_client()
    login(cadre, client=phone)
    attempt = begin(phone, exam)  # 开始答题 notes the phone's login
    assert 'data-opened-url="' not in open_page(phone, attempt.id)
    assert logins_on(attempt.id) == 1
    login(cadre, client=pc)
    html = text(pc.get(f"/exams/attempts/{attempt.id}"))
    assert 'data-opened-url="' in html and logins_on(attempt.id) == 1  # the GET wrote nothing
    assert pc.post(f"/exams/attempts/{attempt.id}/opened").get_json() == {"ok": True}
    open_page(pc, attempt.id)
    assert logins_on(attempt.id) == 2


def test_a_login_that_submits_without_javascript_is_noted(app, login, cadre, exam):
    phone, pc = app.test_client(), app.test_client()
    login(cadre, client=phone)
    attempt = begin(phone, exam)
    login(cadre, client=pc)
    form = page_form(pc, attempt.id)
    assert pc.post(f"/exams/attempts/{attempt.id}/submit", data=form).status_code == 302
    assert logins_on(attempt.id) == 2


def test_a_login_already_noted_is_not_noted_again_by_its_submit(app, login, cadre, exam):
    phone = app.test_client()
    login(cadre, client=phone)
    attempt = begin(phone, exam)
    form = page_form(phone, attempt.id)
    assert phone.post(f"/exams/attempts/{attempt.id}/submit", data=form).status_code == 302
    assert logins_on(attempt.id) == 1
    assert db.session.get(Attempt, attempt.id).status is AttemptStatus.SUBMITTED


def test_a_submit_to_a_missing_or_someone_elses_attempt_is_a_404_noting_nothing(
    app, login, cadre, other, exam
):
    phone, stranger = app.test_client(), app.test_client()
    login(cadre, client=phone)
    attempt = begin(phone, exam)
    form = page_form(phone, attempt.id)
    login(other, client=stranger)
    assert stranger.post(f"/exams/attempts/{attempt.id}/submit", data=form).status_code == 404
    assert stranger.post(f"/exams/attempts/{attempt.id + 999}/submit").status_code == 404
    assert logins_on(attempt.id) == 1
    assert db.session.get(Attempt, attempt.id).status is AttemptStatus.IN_PROGRESS


def test_someone_elses_attempt_cannot_be_noted_as_opened(app, login, cadre, other, exam):
    phone, stranger = app.test_client(), app.test_client()
    login(cadre, client=phone)
    attempt = begin(phone, exam)
    login(other, client=stranger)
    assert stranger.post(f"/exams/attempts/{attempt.id}/opened").status_code == 404
    assert logins_on(attempt.id) == 1


def test_a_login_that_only_saves_is_noted_too(app, login, cadre, exam):
    phone, pc = app.test_client(), app.test_client()
    login(cadre, client=phone)
    attempt = begin(phone, exam)
    login(cadre, client=pc)
    saved = post_answer(pc, attempt.id, position=1, answer="A", base=0, age=0)
    assert saved.get_json()["applied"] is True
    assert logins_on(attempt.id) == 2
    assert utcnow() - db.session.scalar(sa.select(sa.func.max(AttemptLogin.first_seen_at))) < (
        timedelta(minutes=1)
    )


def test_the_monitor_marks_an_attempt_opened_by_a_second_login(app, login, cadre, admin, exam):
    phone, pc, office = app.test_client(), app.test_client(), app.test_client()
    login(cadre, client=phone)
    attempt = begin(phone, exam)
    login(admin, client=office)
    monitor = f"/admin/exams/{exam.id}/monitor"
    assert "多设备</span>" not in text(office.get(monitor))
    login(cadre, client=pc)
    open_page(pc, attempt.id)
    row = re.search(rf"<tr>\s*<td>{cadre.name}</td>.*?</tr>", text(office.get(monitor)), re.S)
    assert "进行中" in row.group(0) and "多设备</span>" in row.group(0)


def test_answers_handed_in_after_the_deadline_are_counted_and_said(as_cadre, exam, monkeypatch):
    """The phone was offline at 0:00 and hands in when the network is back: the saved
    answers count, and the page is told how many of its own arrived too late."""
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=1, answer="A", base=0, age=0)
    form = page_form(as_cadre, attempt.id)
    form.update({"q2": "B", "q3": "C"})
    clock(monkeypatch, attempt.deadline + timedelta(minutes=5))
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=form)
    page = text(as_cadre.get(response.headers["Location"]))
    assert "本页有 2 个答案在截止后送达，未计入" in page
    assert saved_answer(attempt.id, 1) == ("A", 1) and saved_answer(attempt.id, 2)[0] == ""


def test_a_page_handing_in_after_another_page_did_is_told_what_did_not_count(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    form = page_form(as_cadre, attempt.id)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")  # the other tab
    form["q4"] = "D"
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=form)
    assert response.headers["Location"].endswith("/result")
    assert "本页有 1 个答案未计入" in text(as_cadre.get(response.headers["Location"]))
    # A double click of the same form says nothing.
    again = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=page_form_at_submit(form))
    assert "未计入" not in text(as_cadre.get(again.headers["Location"]))


def page_form_at_submit(form: dict) -> dict:
    return {key: value for key, value in form.items() if key != "q4"}
