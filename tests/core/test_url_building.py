"""Links are built once per process and reused (``App.url_for``); a reused link must be
the one Flask would build for this request: its script root, its values, external or
not."""

import re

from flask import url_for


def _css_link(html: str) -> str:
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)


def test_links_follow_the_script_root_of_each_request(client):
    """Under nginx the app may live below a prefix (SCRIPT_NAME): the same page's
    links differ per root, whichever request built them first."""
    plain = client.get("/login").text
    below = client.get("/login", base_url="http://localhost/xuefa").text
    again = client.get("/login").text
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{10}\.css", _css_link(plain))
    assert _css_link(below) == "/xuefa" + _css_link(plain)
    assert 'href="/xuefa/"' in below and 'href="/xuefa/"' not in plain
    assert _css_link(again) == _css_link(plain)


def test_each_set_of_values_has_its_own_link(app):
    with app.test_request_context("/"):
        first = url_for("take.attempt", attempt_id=1)
        second = url_for("take.attempt", attempt_id=2)
        assert (first, second) == ("/exams/attempts/1", "/exams/attempts/2")
        assert url_for("take.attempt", attempt_id=1) == first
        assert url_for("study.my_lists", year=2025) == "/study/?year=2025"
        assert url_for("study.my_lists", year=2026) == "/study/?year=2026"
        assert url_for("study.my_lists") == "/study/"
        # A list of query values cannot be a key: built as Flask builds it.
        assert url_for("study.my_lists", tag=["a", "b"]) == "/study/?tag=a&tag=b"


def test_external_links_and_anchors_are_not_taken_for_paths(app):
    with app.test_request_context("/", base_url="https://xuefa.example"):
        assert url_for("home.index") == "/"
        assert url_for("home.index", _external=True) == "https://xuefa.example/"
        assert url_for("study.my_lists", _anchor="list-3") == "/study/#list-3"
        assert url_for("study.my_lists") == "/study/"
