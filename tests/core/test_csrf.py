"""With CSRF protection on (as in production), forms without the page's token are refused."""

import pytest

from tests.conftest import PASSWORD, count_rows, csrf_token
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import User

EXPIRED = "页面已过期"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def text(response) -> str:
    return response.get_data(as_text=True)


def log_in(client, user):
    token = csrf_token(text(client.get("/login")))
    return client.post(
        "/login", data={"phone": user.phone, "password": PASSWORD, "csrf_token": token}
    )


def test_login_without_the_token_is_refused_and_nothing_happens(client, admin):
    before = count_rows(AuditLog)
    response = client.post("/login", data={"phone": admin.phone, "password": PASSWORD})
    assert response.status_code == 400
    assert EXPIRED in text(response)
    assert count_rows(AuditLog) == before
    assert client.get("/").status_code == 302


def test_login_with_the_token_from_the_page_works(client, admin):
    response = log_in(client, admin)
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_token_from_another_browser_is_refused(app, client, admin):
    stolen = csrf_token(text(app.test_client().get("/login")))
    response = client.post(
        "/login", data={"phone": admin.phone, "password": PASSWORD, "csrf_token": stolen}
    )
    assert response.status_code == 400


def test_logout_without_the_token_is_refused(client, admin):
    log_in(client, admin)
    response = client.post("/logout")
    assert response.status_code == 400
    assert EXPIRED in text(response)
    assert client.get("/").status_code == 200


def test_logout_with_the_token_works(client, admin):
    log_in(client, admin)
    token = csrf_token(text(client.get("/profile")))
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 302


def new_person(unit, **extra):
    return {
        "name": "李四",
        "phone": "13800138000",
        "unit_id": unit.id,
        "category": "official",
        **extra,
    }


def test_new_person_without_the_token_is_refused(client, admin, tree):
    log_in(client, admin)
    response = client.post("/admin/people/new", data=new_person(tree["office"]))
    assert response.status_code == 400
    assert EXPIRED in text(response)
    assert count_rows(User) == 1


def test_new_person_with_the_token_is_created(client, admin, tree):
    log_in(client, admin)
    token = csrf_token(text(client.get("/admin/people/new")))
    response = client.post("/admin/people/new", data=new_person(tree["office"], csrf_token=token))
    assert "已新增人员" in text(response)
    assert count_rows(User) == 2


def test_every_admin_form_carries_a_token(client, admin, tree):
    log_in(client, admin)
    for path in [f"/admin/people/{admin.id}", f"/admin/units/{tree['village'].id}", "/password"]:
        page = text(client.get(path))
        forms = page.count("<form")
        assert forms and page.count('name="csrf_token"') + page.count('-csrf_token"') >= forms, path
