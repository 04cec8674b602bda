"""Every route of the app from ``app.url_map``, as URLs filled with town B's ids (see
world.py), for the sweeps that call them all; the fixture ``world`` is in conftest.py."""

from werkzeug.routing import Rule

from tests.conftest import PASSWORD
from yongxi_learn.org.models import Role

# Reachable without logging in, and harmless:
PUBLIC = {
    "auth.login",  # the login page itself
    "static",  # CSS, JS, fonts
    "healthz",  # load balancer probe: "ok", no data
    "ping",  # the bench's trivial in-app route: "ok", no data
    "home.favicon",  # the site's icon, a static file
    "feedback.promise",  # 本平台的承诺: fixed text, readable before logging in
    "verify.form",  # 证明核验: the form to type a certificate's code
    "verify.show",  # a certificate's code checked: a masked name and what the paper
    # says, no more (record/certificates.py); rate-limited per address
    "auth.elder_mode",  # 长辈模式: sets this browser's display cookie (and the account
    # of whoever is logged in, their own choice); a value other than on/off is a 400
    "training.scan",  # QR link /t/<id>/<token>: only exchanges a signed code for a
    # ticket and shows a message; recording needs a login and a POST
}


# Gated by a signed, short-lived ticket (the URL is the capability); a forged one fails.
TICKET = {"training.confirm", "training.sign_in"}


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
            value = value.get(IMPORT_KINDS.get(rule.endpoint), "x")
        elif arg == "fmt":
            value = _FORMATS.get(rule.endpoint, value)
        values[arg] = value
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


_FORMATS = {"reports.download": "txt", "record.export_person": "xlsx"}


IMPORT_KINDS = {
    "people_import.confirm": "people",
    "tenancy.confirm_town": "town",
    "bank.confirm": "questions",
    "laws.confirm": "law",
    "external.confirm": "external_results",
}


def _form(ids: dict) -> dict:
    """Every field name a form might take, pointed at town B's objects."""
    b = {k: str(v) for k, v in ids.items() if k.endswith("_id")}
    return {**JUNK_FORM, **b, "unit": b["unit_id"], "owner_unit_id": b["unit_id"]}


def calls(app, ids, *, skip=()):
    for rule in _rules(app):
        if rule.endpoint in PUBLIC | set(skip):
            continue
        url = _url(app, rule, ids)
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method, url


def call(client, method, url, ids):
    if method == "GET":
        return client.get(url, query_string={"unit": ids["unit_id"], "year": 2024})
    return client.post(url, data=_form(ids))
