"""Every route of the app, called by people who must not get through.

The rules come from ``app.url_map``, so a new route is swept without editing this file.
Each URL argument is filled with an object of town B (see ``world.py``); the callers
live in town A. CSRF is off here so that authorization is what is tested (a separate
test checks that CSRF refuses every POST without a token). After all the calls, every
table holds exactly the rows it held before.
"""

import pytest

from tests.security.routes import TICKET, call, calls
from yongxi_learn.org.models import Role

from .world import MARK, build, fingerprint

# Any signed-in person, about themselves only: no object of someone else in the URL.
SELF_SERVICE = {
    "home.index",
    "home.todo_page",  # 待办: the learner's own open items
    "auth.profile",
    "auth.change_password",
    "auth.logout",
    "record.mine",
    "take.my_exams",
    "take.wrong_book",
    "take.start_practice",  # a practice attempt of one's own (POST with no valid form)
    "study.my_lists",
    "study.my_readings",
    "courses.mine",  # one's own courses
    "training.code",  # the 6-digit code form; a wrong code records nothing
    "laws.index",  # the law library is read by everyone signed in
    "feedback.mine",  # 意见建议: one's own items
    "feedback.send",  # sending one (the sweep's form lacks its kind: nothing is sent)
}
# Readable by every signed-in person by design: the law library is shared reading. An
# article's 语音讲解 page shows only the notes of the caller's own town, and a note
# recorded there goes to the recorder's own town (laws/audio.py; tests/laws/test_audio.py).
SHARED_READ = {"laws.detail", "laws.article_audio", "laws.add_audio"}

# POST forms that only search (a phone typed in them stays out of URLs): reads, so an
# auditor may use them; the table fingerprint still proves they change nothing.
SEARCHES = {"org.people", "org.audit_log", "exam_admin.enrolment_page"}

REFUSED = {403, 404}


def test_anonymous_gets_the_login_page_everywhere(app, client, world):
    before = fingerprint()
    wrong = []
    for _rule, method, url in calls(app, world.ids):
        response = call(client, method, url, world.ids)
        to_login = response.status_code == 302 and "/login" in response.location
        if not (to_login or response.status_code in {401} | REFUSED):
            wrong.append((method, url, response.status_code))
    assert wrong == []
    assert fingerprint() == before


def _sweep_signed_in(app, client, world, *, allowed_ids=()):
    """Calls every non-public route; returns the ones that let the caller through."""
    before = fingerprint()
    wrong = []
    for rule, method, url in calls(app, world.ids, skip={"auth.logout"}):
        response = call(client, method, url, world.ids)
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        assert response.status_code < 500, (method, url)
        if rule.endpoint in SHARED_READ | TICKET:
            continue
        if rule.endpoint in SELF_SERVICE or not (rule.arguments - set(allowed_ids)):
            # Lists and forms of one's own scope: fine, but nothing of B on them.
            if MARK in body and not rule.endpoint.startswith("laws."):
                wrong.append(("leak", method, url))
            continue
        if response.status_code not in REFUSED:
            wrong.append((method, url, response.status_code))
    assert wrong == []
    assert fingerprint() == before


def test_learner_of_town_a_is_refused_every_object_of_town_b(app, client, world, login, learner):
    login(learner)
    # A learner holds no role: even argument-free admin pages must refuse.
    before = fingerprint()
    wrong = []
    for rule, method, url in calls(app, world.ids, skip={"auth.logout"}):
        response = call(client, method, url, world.ids)
        if rule.endpoint in SELF_SERVICE | SHARED_READ | TICKET:
            assert response.status_code < 500, (method, url)
            body = response.get_data(as_text=True)
            if MARK in body and not rule.endpoint.startswith("laws."):
                wrong.append(("leak", method, url))
            continue
        if response.status_code not in REFUSED:
            wrong.append((method, url, response.status_code))
    assert wrong == []
    assert fingerprint() == before


def test_unit_admin_of_another_unit_is_refused_every_object_of_town_b(
    app, client, world, login, unit_admin
):
    login(unit_admin)
    _sweep_signed_in(app, client, world, allowed_ids={"fmt", "kind", "filename"})


def test_unit_admin_is_refused_every_object_of_a_sibling_village(
    app, client, tree, make_user, login, unit_admin
):
    """Same town, next village: 石佛村's admin reaches nothing of 红岩村's."""
    with app.test_request_context():
        sibling = build(tree, make_user, sibling=True)
    login(unit_admin)
    _sweep_signed_in(app, client, sibling, allowed_ids={"fmt", "kind", "filename"})


def test_auditor_is_refused_every_post(app, client, world, login, make_user, tree):
    """A 审阅人 over the whole district (town B included) reads, and changes nothing."""
    auditor = make_user("区审阅人", tree["district"], roles=[(Role.REVIEWER, tree["district"])])
    login(auditor)
    before = fingerprint()
    wrong = []
    self_posts = SELF_SERVICE | TICKET | SEARCHES
    for rule, method, url in calls(app, world.ids, skip={"auth.logout"}):
        if method != "POST":
            continue
        response = call(client, method, url, world.ids)
        assert response.status_code < 500, (method, url)
        if rule.endpoint not in self_posts and response.status_code not in REFUSED:
            wrong.append((url, response.status_code))
    assert wrong == []
    assert fingerprint() == before


@pytest.mark.parametrize("sibling", [False, True], ids=["other-town", "sibling-village"])
def test_the_ids_are_real_b_admin_opens_every_page_with_them(
    app, client, tree, make_user, login, sibling
):
    """Guards the sweeps: their 403/404s are refusals, not missing objects."""
    with app.test_request_context():
        world = build(tree, make_user, sibling=sibling)
    login(world.b_admin)
    broken = []
    # An attempt, and an exam's 考试须知, are its examinee's alone: even B's admin gets 404
    # (tested in tests/exams).
    personal = {"take.attempt", "take.answers", "take.result", "take.notice"}
    # A town is handed over or retired by its district's admin, not by its own.
    district = {"tenancy.hand_over", "tenancy.retire"}
    skip = TICKET | personal | district | {"auth.logout"}
    for rule, method, url in calls(app, world.ids, skip=skip):
        if method == "GET" and rule.arguments - {"filename"}:
            status = client.get(url).status_code
            if status >= 400:
                broken.append((url, status))
    assert broken == [], broken
    if not sibling:
        client.post("/logout")
        login(make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])]))
        for rule, method, url in calls(app, world.ids):
            if rule.endpoint in district and method == "GET":
                assert client.get(url).status_code == 200, url
