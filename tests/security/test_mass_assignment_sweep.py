"""Mass assignment on every POST route, not only the main forms.

Town B's own admin (allowed everything there) submits every form the app shows them, as
a browser would: the fields the page offers, with their values, plus fields no form
offers that point at town A (a unit, a person, a creator, a score, a role). Afterwards
no row anywhere refers to town A or to A's person unless it did before (a role grant
included) and no score of 100 appeared: the extras were ignored everywhere.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.security.routes import PUBLIC, TICKET, calls
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Role

from .world import build


class _Forms(HTMLParser):
    """The POST forms of a page: action path → the fields a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._fields = []
            self.forms.append((urlsplit(a.get("action") or "").path, self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            self._input(a)
        elif tag == "select" and a.get("name"):
            self._select, self._first_option, self._chosen = a["name"], None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._fields.append((self._select, value))
                self._chosen = True
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._fields.append((self._textarea, "测试文字" if "required" in a else ""))

    def _input(self, a):
        kind = (a.get("type") or "text").lower()
        value = a.get("value")
        if kind in {"checkbox", "radio"}:
            if "checked" in a:
                self._fields.append((a["name"], value or "y"))
        elif kind in {"submit", "button", "file", "image", "reset"}:
            return
        elif value:
            self._fields.append((a["name"], value))
        else:  # typed in by the person, in order (a later time after an earlier one)
            self._fields.append((a["name"], _filler(a["name"], kind, len(self._fields))))

    def handle_data(self, data):
        if self._textarea and self._fields and data.strip():
            self._fields[-1] = (self._textarea, data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._chosen and self._first_option is not None:
                self._fields.append((self._select, self._first_option))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._fields = None


_ENDINGS = re.compile(r"/(cancel|delete|repeal|retire|revoke|active|restore)$")


def _filler(name: str, kind: str, position: int) -> str:
    if "phone" in name:
        return "13800007777"
    if "year" in name:
        return "2024"
    return {
        "number": "1",
        "date": f"2024-06-{1 + position:02d}",
        "datetime-local": f"2024-06-01T{position % 24:02d}:00",
        "tel": "13800007777",
        "password": "Passw0rd2025",
    }.get(kind, "测试")


def _extras(tree, decoy) -> dict[str, str]:
    a_town, a_village = str(tree["town"].id), str(tree["village"].id)
    return {
        "unit_id": a_village,
        "owner_unit_id": a_town,
        "unit": a_village,
        "user_id": str(decoy.id),
        "person_id": str(decoy.id),
        "created_by_id": str(decoy.id),
        "marked_by_id": str(decoy.id),
        "role": Role.ADMIN.value,
        "roles": Role.ADMIN.value,
        "score": "100",
        "is_admin": "y",
        "password_hash": "x",
    }


def _references(a_units: set[int], a_people: set[int]) -> set[tuple]:
    """Every (table, primary key, column) whose foreign key points at A's units or people."""
    found = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            targets = {fk.column.table.name for fk in column.foreign_keys}
            ids = a_units if "org_unit" in targets else a_people if "user" in targets else None
            if not ids:
                continue
            rows = db.session.execute(
                sa.select(*table.primary_key.columns).where(column.in_(ids))
            ).all()
            found |= {(table.name, tuple(r), column.name) for r in rows}
    return found


def _scores_of_100() -> int:
    from yongxi_learn.exams.models import Attempt

    return db.session.scalar(sa.select(sa.func.count()).where(Attempt.score == 100))


def _forms_by_action(app, client, ids) -> dict[str, list[tuple[str, str]]]:
    forms: dict[str, list[tuple[str, str]]] = {}
    for _rule, method, url in calls(app, ids, skip=TICKET | {"auth.logout"}):
        if method != "GET":
            continue
        response = client.get(url)
        body = response.get_data()  # reading it also ends a streamed download
        response.close()
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(body.decode())
        for action, fields in parser.forms:
            forms.setdefault(action or urlsplit(url).path, fields)
    return forms


def test_no_post_route_takes_a_field_its_form_does_not_offer(app, client, tree, make_user, login):
    with app.test_request_context():
        world = build(tree, make_user)
    decoy = make_user("甲镇旁人", tree["village"])
    a_units = {tree[k].id for k in ("town", "office", "justice", "village", "village2")}
    a_people = {decoy.id}
    login(world.b_admin)
    forms = _forms_by_action(app, client, world.ids)
    before = (_references(a_units, a_people), _scores_of_100())
    extras = _extras(tree, decoy)
    skip = PUBLIC | {"auth.logout"}
    accepted = 0
    posts = [url for _r, method, url in calls(app, world.ids, skip=skip) if method == "POST"]
    # Edits before the cancels, deletes and retirements that would close them.
    for url in sorted(posts, key=lambda u: bool(_ENDINGS.search(u))):
        offered = forms.get(urlsplit(url).path, [])
        names = {name for name, _ in offered}
        data = [*offered, *((k, v) for k, v in extras.items() if k not in names)]
        response = client.post(url, data=MultiDict(data))
        assert response.status_code < 500, url
        accepted += bool(offered) and response.status_code == 302
    assert (_references(a_units, a_people), _scores_of_100()) == before
    assert accepted >= 25  # the sweep really filled in and saved the app's forms
