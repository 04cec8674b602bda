"""The audit page searches by action, actor name or phone, date range and object,
pages its results and shows only the searching admin's subtree. It is a POST form:
a phone number typed into it never reaches a URL."""

import re
from datetime import datetime

import pytest

from yongxi_learn.extensions import db
from yongxi_learn.org import audit


@pytest.fixture
def records(admin, make_user, tree):
    clerk = make_user("赵书记", tree["office"], phone="13955550001")
    outsider = make_user("宝顶人", tree["other_village"], phone="13955550002")
    rows = [
        ("login", clerk, clerk, datetime(2026, 3, 1, 2)),
        ("person.update", admin, clerk, datetime(2026, 3, 5, 2)),
        ("exam.extend", admin, None, datetime(2026, 4, 10, 2)),
        ("login", outsider, outsider, datetime(2026, 3, 6, 2)),
    ]
    for action, actor, obj, at in rows:
        audit.record(action, actor=actor, obj=obj).at = at
    db.session.commit()
    return {"clerk": clerk, "outsider": outsider}


def search(client, **fields) -> str:
    response = client.post("/admin/audit", data=fields)
    assert response.status_code == 200
    return response.text


def rows(page: str) -> int:
    return page.count("<tr>") - 1  # minus the header row


def test_by_action(client, login, admin, records):
    login(admin)
    page = search(client, action="exam.extend")
    assert rows(page) == 1 and "延长考试截止时间" in page


def test_by_actor_name_and_by_phone(client, login, admin, records):
    login(admin)
    assert rows(search(client, actor="赵书记", action="login")) == 1
    assert rows(search(client, actor="13955550001", action="login")) == 1
    assert rows(search(client, actor="查无此人")) == 1  # the "没有符合条件的记录" row
    assert "没有符合条件的记录" in search(client, actor="查无此人")


def test_by_date_range_in_beijing_time(client, login, admin, records):
    login(admin)
    page = search(client, since="2026-03-01", until="2026-03-31", action="person.update")
    assert rows(page) == 1
    assert rows(search(client, since="2026-04-01", until="2026-04-30", action="exam.extend")) == 1
    assert "没有符合条件的记录" in search(client, since="2026-05-01", action="exam.extend")


def test_by_object(client, login, admin, records):
    login(admin)
    clerk = records["clerk"]
    page = search(client, object_type="User", object_id=clerk.id, action="person.update")
    assert rows(page) == 1


def test_scoped_to_the_admins_subtree(client, login, admin, records):
    login(admin)
    assert "宝顶人" not in search(client, action="login")
    assert "赵书记" in search(client, action="login")


def test_a_bad_date_says_so_and_shows_everything_visible(client, login, admin, records):
    login(admin)
    page = search(client, since="2026-13-45")
    assert "起始日期" in page and "alert-danger" in page


def test_results_are_paged_and_keep_the_filters(client, login, admin, records):
    for _ in range(60):
        audit.record("exam.update", actor=admin)
    db.session.commit()
    login(admin)
    page = search(client, action="exam.update")
    assert rows(page) == 50 and "第 1 / 2 页" in page
    # The next-page button submits the same form, whose fields keep the filter.
    assert re.search(r'<button[^>]*form="audit-search"[^>]*name="page"[^>]*value="2"', page)
    assert re.search(r'<option selected value="exam.update">', page)
    assert rows(search(client, action="exam.update", page=2)) == 10


def test_a_phone_typed_in_the_search_never_reaches_a_url(client, login, admin, records):
    login(admin)
    page = search(client, actor="13955550001", action="login")
    assert rows(page) == 1
    assert re.search(r'<form[^>]*method="post"[^>]*action="/admin/audit"', page)
    assert "13955550001" not in " ".join(re.findall(r'(?:href|action)="([^"]*)"', page))
    # A phone in the query string is not a search: the page ignores it.
    by_url = client.get("/admin/audit", query_string={"actor": "13955550001"}).text
    assert rows(by_url) == len(db.session.scalars(audit.visible_entries(admin)).all())


def test_the_search_needs_its_csrf_token(app, client, login, admin, records):
    login(admin)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/admin/audit", data={"actor": "13955550001"})
    assert response.status_code == 400
    assert "13955550001" not in response.text


def test_unit_admins_and_learners_get_403(client, login, unit_admin, learner, records):
    login(unit_admin)
    assert client.get("/admin/audit").status_code == 403
    client.post("/logout")
    login(learner)
    assert client.get("/admin/audit").status_code == 403
