"""Every route of the app, called by people who must not get through.

The rules come from ``app.url_map``, so a new route is swept without editing this file.
Each URL argument is filled with an object of town B (see ``world.py``); the callers
live in town A. CSRF is off here so that authorization is what is tested (a separate
test checks that CSRF refuses every POST without a token). After all the calls, every
table holds exactly the rows it held before.
"""

import pytest
from werkzeug.routing import Rule

from tests.conftest import PASSWORD
from yongxi_learn.org.models import Role

from .world import MARK, build, fingerprint

# Reachable without logging in, and harmless:
PUBLIC = {
    "auth.login",  # the login page itself
    "static",  # CSS, JS, fonts
    "healthz",  # load balancer probe: "ok", no data
    "ping",  # the bench's trivial in-app route: "ok", no data
    "home.favicon",  # the site's icon, a static file
    "training.scan",  # QR link /t/<id>/<token>: only exchanges a signed code for a
    # ticket and shows a message; recording needs a login and a POST
}
# Any signed-in person, about themselves only: no object of someone else in the URL.
SELF_SERVICE = {
    "home.index",
    "auth.profile",
    "auth.change_password",
    "auth.logout",
    "record.mine",
    "take.my_exams",
    "take.wrong_book",
    "take.start_practice",  # a practice attempt of one's own (POST with no valid form)
    "study.my_lists",
    "study.my_readings",
    "training.code",  # the 6-digit code form; a wrong code records nothing
    "laws.index",  # the law library is read by everyone signed in
}
# Readable by every signed-in person by design: the law library is shared reading.
SHARED_READ = {"laws.detail"}
# Gated by a signed, short-lived ticket (the URL is the capability); a forged one fails.
TICKET = {"training.confirm", "training.sign_in"}

# POST forms that only search (a phone typed in them stays out of URLs): reads, so an
# auditor may use them; the table fingerprint still proves they change nothing.
SEARCHES = {"org.people", "org.audit_log", "exam_admin.enrolment_page"}

REFUSED = {403, 404}
JUNK_FORM = {
    "name": "新名称",
    "title": "新标题",
    "topic": "新主题",
    "reason": "测试",
    "text": "x",
    "year": "2024",
    "role": Role.ADMIN.value,
    "active": "y",
    "phone": "13800009999",
    "password": PASSWORD,
}


def _rules(app) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def _url(app, rule: Rule, ids: dict) -> str:
    values = {}
    for arg in rule.arguments:
        value = ids[arg]
        if arg == "token":
            value = value.get(_IMPORT_KINDS.get(rule.endpoint), "x")
        elif arg == "fmt":
            value = _FORMATS.get(rule.endpoint, value)
        values[arg] = value
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


_FORMATS = {"reports.download": "txt", "record.export_person": "xlsx"}
_IMPORT_KINDS = {
    "people_import.confirm": "people",
    "bank.confirm": "questions",
    "laws.confirm": "law",
}


def _form(ids: dict) -> dict:
    """Every field name a form might take, pointed at town B's objects."""
    b = {k: str(v) for k, v in ids.items() if k.endswith("_id")}
    return {**JUNK_FORM, **b, "unit": b["unit_id"], "owner_unit_id": b["unit_id"]}


def _calls(app, ids, *, skip=()):
    for rule in _rules(app):
        if rule.endpoint in PUBLIC | set(skip):
            continue
        url = _url(app, rule, ids)
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method, url


def _call(client, method, url, ids):
    if method == "GET":
        return client.get(url, query_string={"unit": ids["unit_id"], "year": 2024})
    return client.post(url, data=_form(ids))


@pytest.fixture
def world(app, tree, make_user):
    with app.test_request_context():  # the report draft links its figures
        return build(tree, make_user)


def test_anonymous_gets_the_login_page_everywhere(app, client, world):
    before = fingerprint()
    wrong = []
    for _rule, method, url in _calls(app, world.ids):
        response = _call(client, method, url, world.ids)
        to_login = response.status_code == 302 and "/login" in response.location
        if not (to_login or response.status_code in {401} | REFUSED):
            wrong.append((method, url, response.status_code))
    assert wrong == []
    assert fingerprint() == before


def _sweep_signed_in(app, client, world, *, allowed_ids=()):
    """Calls every non-public route; returns the ones that let the caller through."""
    before = fingerprint()
    wrong = []
    for rule, method, url in _calls(app, world.ids, skip={"auth.logout"}):
        response = _call(client, method, url, world.ids)
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
    for rule, method, url in _calls(app, world.ids, skip={"auth.logout"}):
        response = _call(client, method, url, world.ids)
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
    for rule, method, url in _calls(app, world.ids, skip={"auth.logout"}):
        if method != "POST":
            continue
        response = _call(client, method, url, world.ids)
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
    for rule, method, url in _calls(app, world.ids, skip=TICKET | personal | {"auth.logout"}):
        if method == "GET" and rule.arguments - {"filename"}:
            status = client.get(url).status_code
            if status >= 400:
                broken.append((url, status))
    assert broken == [], broken
