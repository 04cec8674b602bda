"""A login session ends for good: logout, a password reset, deactivation."""

from tests.conftest import PASSWORD
from yongxi_learn.extensions import db
from yongxi_learn.org import services
from yongxi_learn.org.models import User


def session_cookie(client) -> str:
    cookie = client.get_cookie("yongxi_session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app, cookie: str):
    """A brand-new browser presenting an old session cookie."""
    thief = app.test_client()
    thief.set_cookie("yongxi_session", cookie)
    return thief.get("/")


def shows_login_page(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_replayed_cookie_is_accepted_while_the_session_lives(app, client, login, person):
    login(person)
    assert replay(app, session_cookie(client)).status_code == 200


def test_logout_ends_the_session_for_good(app, client, login, person):
    login(person)
    cookie = session_cookie(client)
    page = client.post("/logout", follow_redirects=True)
    assert "您已安全退出" in page.get_data(as_text=True)
    assert shows_login_page(client.get("/"))
    assert shows_login_page(replay(app, cookie))


def test_logout_needs_a_post(client, login, person):
    login(person)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_password_reset_by_an_admin_ends_the_persons_sessions(client, login, person):
    login(person)
    services.reset_password(person, actor=services.SYSTEM)
    db.session.commit()
    assert shows_login_page(client.get("/"))


def test_password_reset_through_the_admin_page_ends_the_persons_sessions(
    app, client, login, make_user, tree, admin
):
    person = make_user("李四", tree["office"])
    login(person)
    admin_client = app.test_client()
    login(admin, client=admin_client)
    admin_client.post(f"/admin/people/{person.id}/reset-password")
    assert shows_login_page(client.get("/"))


def test_deactivation_ends_the_persons_sessions(app, client, login, make_user, tree, admin):
    person = make_user("李四", tree["office"])
    login(person)
    admin_client = app.test_client()
    login(admin, client=admin_client)
    admin_client.post(f"/admin/people/{person.id}/active", data={"active": "0"})
    assert shows_login_page(client.get("/"))


def test_deactivated_person_is_logged_out_even_if_a_session_row_survives(
    app, client, login, person
):
    login(person)
    db.session.get(User, person.id).active = False  # bypassing the service
    db.session.commit()
    assert shows_login_page(client.get("/"))


def test_changing_ones_password_ends_other_sessions_but_not_this_one(app, client, login, person):
    login(person)
    phone = app.test_client()
    login(person, client=phone)
    client.post(
        "/password",
        data={"current": PASSWORD, "new": "Newpass2025", "confirm": "Newpass2025"},
    )
    assert client.get("/").status_code == 200
    assert shows_login_page(phone.get("/"))
