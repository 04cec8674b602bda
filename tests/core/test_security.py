"""HTTP safety: headers, no inline script, caching, body size, the WeChat hint."""

import re

import pytest
from flask import render_template_string

from yongxi_learn.core.security import safe_next

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2219A; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560 "
    "NetType/4G Language/zh_CN"
)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin_pages(client, login, admin, tree, make_user):
    """Every page an admin can open, as (path, response) pairs."""
    person = make_user("李四", tree["office"])
    login(admin)
    paths = [
        "/",
        "/profile",
        "/password",
        "/admin/people",
        "/admin/people?q=李",
        f"/admin/people/{person.id}",
        f"/admin/people/{admin.id}",
        "/admin/people/new",
        "/admin/people/import/",
        "/admin/units",
        f"/admin/units/{tree['town'].id}",
        f"/admin/units/{tree['village'].id}",
        "/admin/audit",
        "/no-such-page",
    ]
    pages = [(path, client.get(path)) for path in paths]
    pages.append(("reset", client.post(f"/admin/people/{person.id}/reset-password")))
    return pages


def test_admin_pages_render(admin_pages):
    assert [(path, r.status_code) for path, r in admin_pages if r.status_code != 200] == [
        ("/no-such-page", 404)
    ]


def test_no_page_carries_inline_script_or_style(client, admin_pages):
    pages = [*admin_pages, ("/login", client.get("/login"))]
    for path, response in pages:
        html = text(response)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert not re.search(r"\sstyle\s*=", html), path
        assert "javascript:" not in html, path


def test_content_security_policy_forbids_inline_script_and_framing(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/app.css", "/nope"])
def test_every_response_forbids_framing_and_sniffing(client, path):
    with client.get(path) as response:
        headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_logged_in_pages_are_never_cached(admin_pages):
    for path, response in admin_pages:
        assert response.headers["Cache-Control"] == "no-store", path


def test_oversized_post_gets_a_chinese_413_page(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/login", data={"phone": "1" * (limit + 1), "password": "x"})
    assert response.status_code == 413
    assert "文件过大" in text(response)


def test_smaller_limit_applies_to_every_form(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"phone": "1" * 2000, "password": "x"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/admin/people?q=%E6%9D%8E", True),
        ("/", True),
        ("//evil.com", False),
        ("/\\evil.com", False),
        ("https:evil.com", False),
        ("//%09/evil.com", False),
        ("/\t/evil.com", False),
        ("http://host@evil.com", False),
        ("https://evil.com", False),
        ("admin/people", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_next_keeps_only_paths_on_this_site(target, safe):
    assert safe_next(target) == (target if safe else None)


def render_download(app, user_agent: str) -> str:
    template = '{% from "macros/forms.html" import download %}{{ download("/f.xlsx", "下载") }}'
    with app.test_request_context("/", headers={"User-Agent": user_agent}):
        return render_template_string(template)


def test_download_link_in_wechat_says_to_open_in_the_browser(app):
    assert "在浏览器打开" in render_download(app, WECHAT_UA)


def test_download_link_elsewhere_has_no_wechat_hint(app):
    html = render_download(app, "Mozilla/5.0 (Linux; Android 13) Chrome/116.0 Mobile")
    assert "下载" in html and "在浏览器打开" not in html


def test_people_import_page_in_wechat_shows_the_browser_hint(client, login, admin):
    login(admin)
    page = client.get("/admin/people/import/", headers={"User-Agent": WECHAT_UA})
    assert page.status_code == 200
    assert "在浏览器打开" in text(page)
