"""YONGXI_PRODUCTION=1: Secure cookies and HSTS, plain HTTP refused unless
YONGXI_ALLOW_HTTP says the site runs on an internal network (issue #22)."""

import logging

import pytest

from yongxi_learn import create_app

from ..conftest import PASSWORD

HTTPS = "https://localhost"
# Flask's test client takes its default scheme from PREFERRED_URL_SCHEME, which
# production sets to https: a plain-HTTP request names its scheme.
HTTP = "http://localhost"


def _login(client, user, **kwargs):
    return client.post("/login", data={"phone": user.phone, "password": PASSWORD}, **kwargs)


def _cookie_flags(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[0]


class TestProduction:
    @pytest.fixture
    def app_config(self):
        return {"PRODUCTION": True}

    def test_login_over_https_sets_secure_cookies_and_hsts(self, client, learner):
        response = _login(client, learner, base_url=HTTPS)
        assert response.status_code == 302
        assert "; Secure" in _cookie_flags(response, "yongxi_session")
        assert "; Secure" in _cookie_flags(response, "yongxi_device")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"

    def test_plain_http_is_refused_with_a_chinese_page(self, client, learner):
        page = client.get("/login", base_url=HTTP)
        assert page.status_code == 400
        assert "本平台只接受 HTTPS 访问" in page.text
        response = _login(client, learner, base_url=HTTP)
        assert response.status_code == 400
        assert "Set-Cookie" not in response.headers

    def test_health_checks_answer_over_plain_http(self, client):
        assert client.get("/ping", base_url=HTTP).status_code == 200
        assert client.get("/healthz", base_url=HTTP).status_code == 200

    def test_forwarded_proto_is_ignored_without_a_trusted_proxy(self, client):
        page = client.get("/login", base_url=HTTP, headers={"X-Forwarded-Proto": "https"})
        assert page.status_code == 400


class TestProductionBehindProxy:
    @pytest.fixture
    def app_config(self):
        return {"PRODUCTION": True, "PROXY_FIX_X_FOR": 1}

    def test_https_forwarded_by_the_trusted_proxy_is_accepted(self, client, learner):
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
        assert client.get("/login", base_url=HTTP, headers=forwarded).status_code == 200
        response = _login(client, learner, base_url=HTTP, headers=forwarded)
        assert response.status_code == 302
        assert "; Secure" in _cookie_flags(response, "yongxi_session")
        plain = {"X-Forwarded-Proto": "http", "X-Forwarded-For": "10.1.2.3"}
        assert client.get("/ping", base_url=HTTP, headers=plain).status_code == 200
        assert client.get("/profile", base_url=HTTP, headers=plain).status_code == 400


class TestProductionOnInternalHttp:
    @pytest.fixture
    def app_config(self):
        return {"PRODUCTION": True, "ALLOW_HTTP": True}

    def test_plain_http_is_served_and_login_works(self, client, learner):
        response = _login(client, learner, base_url=HTTP)
        assert response.status_code == 302
        assert "; Secure" not in _cookie_flags(response, "yongxi_session")
        assert client.get("/profile", base_url=HTTP).status_code == 200


def test_allowing_http_in_production_is_logged_at_startup(caplog):
    settings = {
        "TESTING": True,
        "PRODUCTION": True,
        "ALLOW_HTTP": True,
        "SECRET_KEY": "k" * 48,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
    with caplog.at_level(logging.WARNING):
        create_app(settings)
    assert "YONGXI_ALLOW_HTTP" in caplog.text


def test_the_demo_server_is_not_production(client):
    """``make run`` serves http://127.0.0.1:8000: not refused, cookies without Secure."""
    assert client.get("/login").status_code == 200
