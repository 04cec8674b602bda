"""Personal data (PIPL): no 身份证号 anywhere; phones masked for whoever does not manage
the person and never in a URL; nothing personal cached; a person sees their own record
and an admin exports one person's data."""

import io
import itertools
import json
import re
import sqlite3
import zipfile
from html.parser import HTMLParser

import openpyxl
import pytest
import sqlalchemy as sa
from flask import url_for

from tests.security.routes import IMPORT_KINDS, TICKET, calls
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Role, User
from yongxi_learn.org.privacy import mask_phone

from .world import build

ID_CARD_WORDS = re.compile(r"id_?card|id_?number|identity|shenfen|sfz|身份证|citizen", re.I)


def test_no_model_or_migration_has_an_id_card_column(app):
    columns = [f"{t.name}.{c.name}" for t in db.metadata.sorted_tables for c in t.columns]
    assert [c for c in columns if ID_CARD_WORDS.search(c)] == []
    assert "user.phone" in columns  # the check looks at real columns


def test_mask_phone():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("12345") == "****"
    assert mask_phone("") == ""


def _world(app, tree, make_user):
    with app.test_request_context():
        return build(tree, make_user)


B_PHONE = "13933334444"  # world.b_person


def test_an_auditor_sees_masked_phones_and_the_admin_full_ones(app, client, tree, make_user, login):
    world = _world(app, tree, make_user)
    b_town = tree["other_town"]
    auditor = make_user("区审阅人", tree["district"], roles=[(Role.REVIEWER, tree["district"])])
    ids = world.ids
    pages = [
        f"/admin/people?unit={b_town.id}",
        f"/admin/people/{ids['person_id']}",
        f"/stats/exams/{ids['exam_id']}/names/enrolled?unit={b_town.id}&year=2024",
        f"/stats/training/people?unit={b_town.id}&year={_session_year(ids)}",
    ]
    downloads = [
        f"/admin/training/{ids['session_id']}/attendance.csv",
        f"/stats/exams/{ids['exam_id']}/names/enrolled/export.csv?unit={b_town.id}&year=2024",
    ]
    login(auditor)
    for url in pages + downloads:
        body = client.get(url).get_data(as_text=True)
        assert "139****4444" in body, url
        assert B_PHONE not in body, url
    client.post("/logout")
    login(world.b_admin)
    for url in pages + downloads:
        assert B_PHONE in client.get(url).get_data(as_text=True), url


def _session_year(ids):
    from yongxi_learn.training.models import TrainingSession

    return db.session.get(TrainingSession, ids["session_id"]).year


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v or "" for k, v in attrs if k in {"href", "src", "action", "data-url"}]


def test_every_response_is_no_store_and_no_url_holds_a_phone(app, client, tree, make_user, login):
    """As town B's admin (who sees everything there) and as its learner."""
    world = _world(app, tree, make_user)
    phones = set(db.session.scalars(sa.select(User.phone)))
    cached, leaked = [], []
    for person in (world.b_admin, world.b_person):
        login(person)
        for rule, method, url in calls(app, world.ids, skip=TICKET | {"auth.logout"}):
            if method != "GET":
                continue
            response = client.get(url)
            body = response.get_data()
            response.close()
            if rule.endpoint != "static" and "no-store" not in response.headers.get(
                "Cache-Control", ""
            ):
                cached.append(url)
            if response.mimetype == "text/html":
                parser = _Links()
                parser.feed(body.decode())
                urls = [*parser.urls, response.headers.get("Location", "")]
                leaked += [(url, u) for u in urls if any(p in u for p in phones)]
        client.post("/logout")
    assert cached == []
    assert leaked == []


def test_a_person_sees_their_own_record(client, login, learner):
    login(learner)
    page = client.get("/record")
    assert page.status_code == 200 and learner.name in page.get_data(as_text=True)


def test_admin_exports_one_persons_data_as_xlsx_and_json(app, client, tree, make_user, login):
    world = _world(app, tree, make_user)
    person = world.b_person
    login(world.b_admin)
    response = client.get(f"/admin/people/{person.id}/export.xlsx")
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "基本信息",
        "权限",
        "集中学习",
        "应考名单",
        "答卷",
        "学习清单",
        "阅读任务",
        "成绩证明",
    ]
    profile = {row[0]: row[1] for row in book["基本信息"].iter_rows(min_row=2, values_only=True)}
    assert (profile["姓名"], profile["手机号"]) == (person.name, B_PHONE)
    assert book["集中学习"].max_row == 2 and book["答卷"].max_row == 2
    assert book["成绩证明"]["A2"].value == "学法档案"  # the world issues one (world.py)
    notes = [row[5] for row in book["学习清单"].iter_rows(min_row=2, values_only=True)]
    assert any("心得" in (n or "") for n in notes)

    data = json.loads(client.get(f"/admin/people/{person.id}/export.json").data)
    assert data["基本信息"][0] == {"项目": "姓名", "内容": person.name}
    assert "password" not in json.dumps(data) and "hash" not in json.dumps(data)
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert actions.count("person.export") == 2


def test_only_those_who_manage_the_person_export_it(app, client, tree, make_user, login):
    world = _world(app, tree, make_user)
    auditor = make_user("区审阅人", tree["district"], roles=[(Role.REVIEWER, tree["district"])])
    login(auditor)
    assert client.get(f"/admin/people/{world.b_person.id}/export.json").status_code == 403
    client.post("/logout")
    login(world.b_person)  # themselves: 学法档案 yes, the admin's export no
    assert client.get(f"/admin/people/{world.b_person.id}/export.json").status_code == 403


def test_the_export_is_audited_while_others_write(app, client, tree, make_user, login):
    # Under SQLite a GET reads in a plain BEGIN; writing its audit row then fails at
    # once ("database is locked") if anyone committed since its first read, which on
    # an exam evening is every few milliseconds. The export must start as a writer.
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking only")
    world = _world(app, tree, make_user)
    login(world.b_admin)
    others = []

    def someone_commits(conn, cursor, statement, *_args):
        if statement.startswith("INSERT INTO audit_log") and not others:
            other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
            try:
                other.execute("UPDATE org_unit SET sort_order = sort_order + 1 WHERE id = 1")
                others.append("committed")
            except sqlite3.OperationalError:  # the export already holds the write lock
                others.append("waited")
            finally:
                other.close()

    sa.event.listen(db.engine, "before_cursor_execute", someone_commits)
    try:
        response = client.get(f"/admin/people/{world.b_person.id}/export.xlsx")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", someone_commits)
    assert others  # the other writer really came in between
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.data)).sheetnames[0] == "基本信息"


# An 11-digit number in any page or file; a leak is one that is someone's phone.
PHONE_LIKE = re.compile(rb"(?<!\d)1\d{10}(?!\d)")


def _texts(response) -> bytes:
    """What a person reads in the answer: the body, or every part of an XLSX/.docx."""
    body = response.get_data()
    if body.startswith(b"PK"):  # a zip: the cells and paragraphs are in its XML parts
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return body


def _get_urls(app, ids) -> list[str]:
    """Every GET route, pointed at town B's objects, in every format (``fmt``) and of
    every list (``kind``): an XLSX holds sheets its CSV leaves out."""
    from yongxi_learn.stats.queries import NameList

    urls = []
    for rule, method, _url in calls(app, ids, skip=TICKET):
        if method != "GET":
            continue
        fmts = FORMATS if "fmt" in rule.arguments else [None]
        kinds = [k.value for k in NameList] if "kind" in rule.arguments else [None]
        for fmt, kind in itertools.product(fmts, kinds):
            values = {**ids, "fmt": fmt, "kind": kind}
            values["token"] = ids["token"].get(IMPORT_KINDS.get(rule.endpoint), "x")
            with app.test_request_context():
                urls.append(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
    return list(dict.fromkeys(urls))


FORMATS = ["csv", "xlsx", "json", "txt", "docx"]  # a route refuses those it has not


def _phones_seen(app, client, ids, years) -> dict[str, set[str]]:
    """Every page and download, in the query pointed at B's village and each year: the
    11-digit numbers each shows."""
    seen = {}
    for url in _get_urls(app, ids):
        for year in years:
            response = client.get(url, query_string={"unit": ids["unit_id"], "year": year})
            assert response.status_code < 500, url
            found = {m.decode() for m in PHONE_LIKE.findall(_texts(response))}
            response.close()
            if found:
                seen.setdefault(f"{url}?year={year}", set()).update(found)
    return seen


def _managed_phones(viewer_id: int) -> set[str]:
    """The phones ``viewer`` may see in full: their own and of those they manage."""
    from yongxi_learn.org.models import OrgUnit
    from yongxi_learn.org.permissions import Perm, scope_filter

    viewer = db.session.get(User, viewer_id)
    managed = sa.select(User.phone).join(OrgUnit, User.unit_id == OrgUnit.id)
    return {
        viewer.phone,
        *db.session.scalars(managed.where(scope_filter(viewer, Perm.MANAGE_PEOPLE))),
    }


def test_no_page_or_download_shows_the_full_phone_of_anyone_the_viewer_does_not_manage(
    app, client, tree, make_user, login
):
    """A district 审阅人 (manages nobody) and town A's admin who also reviews the district
    (manages A, reads B) go through every page and download: the only full phones they
    meet are their own and those of people they manage. B's admin, who manages B's
    person, meets that phone in full in files of every kind: the sweep reads them."""
    world = _world(app, tree, make_user)
    district, town = tree["district"], tree["town"]
    auditor = make_user("区审阅人", district, roles=[(Role.REVIEWER, district)])
    a_admin = make_user("甲镇管理员", town, roles=[(Role.ADMIN, town), (Role.REVIEWER, district)])
    viewers = {"审阅人": auditor.id, "甲镇管理员": a_admin.id, "乙镇管理员": world.b_admin.id}
    ids = world.ids
    years = sorted({2024, _session_year(ids)})
    db.session.commit()
    everyone = set(db.session.scalars(sa.select(User.phone)))
    leaks, b_admin_seen = [], {}
    for label, viewer_id in viewers.items():
        login(db.session.get(User, viewer_id))
        allowed = _managed_phones(viewer_id)
        seen = _phones_seen(app, client, ids, years)
        leaks += [
            (label, url, sorted(hidden))
            for url, f in seen.items()
            if (hidden := f & everyone - allowed)
        ]
        b_admin_seen = seen
        client.post("/logout")
    assert leaks == []
    full_in = {
        url.split("?")[0].rpartition(".")[2] for url, f in b_admin_seen.items() if B_PHONE in f
    }
    assert {"csv", "xlsx", "json"} <= full_in


def _found(client, query: str) -> bool:
    """Whether the people search for ``query`` lists B's person (shown as 139****4444)."""
    page = client.post("/admin/people", data={"q": query}).get_data(as_text=True)
    return "139****4444" in page or B_PHONE in page


def test_the_people_search_tells_no_hidden_digit(app, client, tree, make_user, login):
    """139****4444 is all a 审阅人 (and town A's admin reviewing the district) sees of B's
    person: searching a digit with the visible last four, or any fragment that spans a
    hidden digit, finds nobody; the shown parts and the full number still find them.
    B's admin, who manages the person, finds them by any part."""
    world = _world(app, tree, make_user)
    district, town = tree["district"], tree["town"]
    auditor = make_user("区审阅人", district, roles=[(Role.REVIEWER, district)])
    a_admin = make_user("甲镇管理员", town, roles=[(Role.ADMIN, town), (Role.REVIEWER, district)])
    b_admin_id = world.b_admin.id
    db.session.commit()
    hidden = ["33", "34444", "334444", "93333", "3333", "1393", "39333344", "1393333444"]
    for viewer in (auditor, a_admin):
        login(viewer)
        # The attack: 10 searches a digit, "d4444" finds the person only for d = 3.
        assert [d for d in "0123456789" if _found(client, f"{d}4444")] == []
        assert [q for q in hidden if _found(client, q)] == []
        for shown in ("139", "3", "4444", "444", B_PHONE, "139 3333 4444"):
            assert _found(client, shown), shown
        client.post("/logout")
    login(db.session.get(User, b_admin_id))
    assert all(_found(client, q) for q in hidden)
