"""Script in any text a person or an admin can enter comes out inert on every page.

The two-town world is built with an attack string in every text it holds (unit and
person names, 职务, question stems, options and 解析, exam titles, session topics,
places, lecturers and laws, attendance reasons, law titles and article text, study-list
names and 学习心得, the reading's HTML, the report's title and text). Its admin and its
learner then open every page; each page is parsed and must hold no element or attribute
that the text put there.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.security.routes import TICKET, calls

from .world import build

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    '"onmouseover=alert(1) x="',
]
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data"}


class Injected(HTMLParser):
    """Collects what only an injection would put in one of our pages."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.found.append("inline <script>")
        if tag == "img" and values.get("src") == "x":
            self.found.append("<img src=x>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in URL_ATTRS and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def injected(html: str) -> list[str]:
    parser = Injected()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_checker_sees_an_injection():
    assert injected('<p><img src=x onerror=alert(1)><a href="javascript:x">a</a></p>') == [
        "<img src=x>",
        "img onerror=",
        "a href=javascript:",
    ]
    assert injected('<span title=""onmouseover=alert(1) x="">') == ["span onmouseover="]
    assert injected('<script src="/static/js/app.js" defer></script><p>&lt;script&gt;</p>') == []


def _pages(app, client, ids, endpoints=None):
    for rule, method, url in calls(app, ids, skip=TICKET | {"auth.logout"}):
        if method != "GET" or (endpoints and rule.endpoint not in endpoints):
            continue
        response = client.get(url)
        body = response.get_data()  # also ends a streamed download
        response.close()
        if response.mimetype == "text/html" and response.status_code == 200:
            yield url, body.decode()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_text_is_inert_on_every_page(app, client, tree, make_user, login, payload):
    with app.test_request_context():
        world = build(tree, make_user, mark=payload)
    seen, bad = 0, []
    for person in (world.b_admin, world.b_person):
        login(person)
        for url, html in _pages(app, client, world.ids):
            seen += payload in html or payload.replace('"', "&#34;") in html or "alert(1)" in html
            bad += [(url, what) for what in injected(html)]
        client.post("/logout")
    assert bad == []
    assert seen > 20  # the attack text really was on the pages, escaped


# Reviewed uses of |safe in templates (none today): add a line only with the reason.
SAFE_ALLOWED: set[str] = set()
# Reviewed Python files that build Markup, and why their output is safe.
MARKUP_ALLOWED = {
    "reports/trace.py": "Markup.format and escape() escape every piece of the report text",
    "study/reading_models.py": "body_html is cleaned by nh3's allow-list when it is saved",
    "__init__.py": "main_menu: _menu.html rendered by Jinja with autoescaping, kept per set "
    "of permissions (nothing a person typed is in it)",
    "exams/taking/page.py": "the attempt page's questions: every stored text goes through "
    "escape() once (_texts); the rest are integers, letters and the type labels",
}


def _safe_uses() -> list[str]:
    root = Path(__file__).parents[2] / "yongxi_learn" / "templates"
    hits = []
    for path in sorted(root.rglob("*.html")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"\|\s*safe\b|autoescape\s+false", line):
                hits.append(f"{path.relative_to(root)}: {line.strip()}")
    return hits


def test_no_unreviewed_safe_filter_in_templates():
    assert [h for h in _safe_uses() if h not in SAFE_ALLOWED] == []


def test_markup_is_built_only_in_reviewed_files():
    root = Path(__file__).parents[2] / "yongxi_learn"
    users = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if re.search(r"\bMarkup\(", path.read_text(encoding="utf-8"))
    }
    assert users <= set(MARKUP_ALLOWED)
