"""Security headers on every answer: CSP without inline script, nosniff, no
framing, the referrer policy Flask-WTF's HTTPS check needs, HSTS over HTTPS."""

import pytest


@pytest.fixture(params=["/login", "/healthz", "/static/css/app.css", "/no-such-page"])
def path(request):
    return request.param


def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()  # a static file is streamed from an open file
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_is_sent_over_https(client):
    response = client.get("/login", base_url="https://xuefa.example.gov.cn")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_hsts_behind_a_proxy_that_ends_tls_by_configuration(app, client):
    app.config["HSTS"] = True
    assert "Strict-Transport-Security" in client.get("/login").headers


def test_logged_in_pages_are_never_cached(client, login, admin):
    login(admin)
    assert client.get("/").headers["Cache-Control"] == "no-store"
