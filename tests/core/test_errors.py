"""Error pages in Chinese, and the health check."""

import pytest
import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit, UnitKind


def text(response) -> str:
    return response.get_data(as_text=True)


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    data = response.get_json()
    assert (data["status"], data["database"]) == ("ok", "ok")
    assert data["dialect"] == db.engine.dialect.name


def test_health_check_reports_an_unreachable_database_as_503(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


def test_missing_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in text(response)
    assert 'lang="zh-CN"' in text(response)


def test_forbidden_page_is_a_chinese_403(client, login, learner):
    login(learner)
    response = client.get("/admin/people")
    assert response.status_code == 403
    assert "无权访问" in text(response)


def test_wrong_method_is_a_chinese_405(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "请求方式不正确" in text(response)


def test_json_clients_get_errors_as_json(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "页面不存在"


@pytest.fixture
def failing_app(app):
    """The app with a route that breaks the way real bugs do: a failed database write.
    Tests using it are marked ``fresh_app``: Flask refuses a route added after requests."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        db.session.add(OrgUnit(name=None, kind=UnitKind.TOWN, path=""))
        db.session.flush()  # NOT NULL violation: the transaction is now unusable
        return "unreachable"

    app.add_url_rule("/test-boom", "test_boom", boom)
    return app


@pytest.mark.fresh_app
def test_server_error_is_a_chinese_500_page(failing_app):
    response = failing_app.test_client().get("/test-boom")
    assert response.status_code == 500
    assert "服务器出错" in text(response)
    assert "请稍后再试" in text(response)


@pytest.mark.fresh_app
def test_server_error_page_shows_for_a_logged_in_person(failing_app, login, admin):
    client = failing_app.test_client()
    login(admin, client=client)
    response = client.get("/test-boom")
    assert response.status_code == 500
    assert "服务器出错" in text(response)
    assert client.get("/").status_code == 200
