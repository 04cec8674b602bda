"""The live download tier: through a real gunicorn, as each demo login, every download
link on every page the person reaches is followed and its file opened (CSV with its BOM,
XLSX with openpyxl, .docx with python-docx, text, JSON); each file holds the rows its page
shows (the link's ``data-holds``, see tests/live/pages.py). A download link added to any
page is followed by the crawl, and a link the crawl never reaches fails the last test.

Why a server: gunicorn sends a body after the request's context and database session are
closed; the per-person CSVs once died there after their BOM, which no in-process test saw.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from tests.gunicorn_server import GUNICORN
from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit, User
from yongxi_learn.org.permissions import Perm, scope_filter

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed"),
]

# Every demo login, the report makers first: what a learner's reading records (a GET
# that writes) changes no page an admin's crawl has compared a file with.
ROLES = {
    "区管理员": "district_admin",
    "管理员": "admin",
    "单位管理员": "unit_admin",
    "审阅人": "reviewer",
    "领导干部": "leader",
    "机关干部": "official",
    "村(社区)两委干部": "village_cadre",
    "法律明白人": "legal_liaison",
}
MANAGING = {"区管理员", "管理员", "单位管理员", "审阅人"}
SHOWN = 25  # problems listed in a failure
TEMPLATES = Path(__file__).resolve().parents[2] / "yongxi_learn" / "templates"


def test_the_demo_has_a_login_for_every_role_crawled(demo):
    assert set(demo.logins) == set(ROLES)


@pytest.mark.parametrize("role", list(ROLES), ids=list(ROLES.values()))
def test_every_download_a_role_reaches_opens_and_holds_its_pages_rows(role, crawl_as, server):
    result = crawl_as(role)
    assert not result.problems, _report(result.problems, server)
    assert len(result.pages) > 5, f"{role} reached only {result.pages}"
    if role in MANAGING:
        assert result.downloads, f"{role} found no download on {len(result.pages)} pages"
        assert result.rows_compared, f"{role}: no download named rows of its page to compare"


def test_every_download_link_in_the_templates_is_followed_by_some_role(crawl_as, demo):
    followed = {_endpoint(demo.app, url) for role in ROLES for url in crawl_as(role).followed}
    unreached = {ep: where for ep, where in template_download_links().items() if ep not in followed}
    truncated = [f"{r}: {c.truncated}" for r in ROLES if (c := crawl_as(r)).truncated]
    assert not unreached, (
        "download links no role's crawl followed (their pages were not reached, or showed "
        "no data: give tests/live/conftest.py's world what they need):\n"
        + "\n".join(f"  {ep} in {', '.join(sorted(where))}" for ep, where in unreached.items())
        + ("\ncrawls cut short: " + "; ".join(truncated) if truncated else "")
    )


# A link the templates mark as a download: <a ... href="{{ url_for('x.y', ...) }}" download>
# or the download() macro of macros/forms.html.
_TAG = re.compile(r"<a\s[^>]*>", re.S)
_DOWNLOAD_ATTR = re.compile(r"\sdownload(?=[\s>=])")
_URL_FOR = re.compile(r"url_for\(\s*['\"]([\w.]+)['\"]")
_MACRO = re.compile(r"\bdownload\(\s*url_for\(\s*['\"]([\w.]+)['\"]")


def template_download_links() -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found = set(_MACRO.findall(text))
        for tag in _TAG.findall(text):
            if _DOWNLOAD_ATTR.search(tag):
                found.update(_URL_FOR.findall(tag))
        for endpoint in found:
            links.setdefault(endpoint, set()).add(str(path.relative_to(TEMPLATES)))
    return links


def _endpoint(app, url: str) -> str:
    try:
        endpoint, _ = app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")
    except HTTPException:
        return url
    return endpoint


def _report(problems: list[str], server) -> str:
    """The problems (the first ``SHOWN``), then the end of what the server logged."""
    more = f"\n… and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    lines = server.output().splitlines()
    errors = [line for line in lines if not line.startswith("ACCESS ") and "[INFO]" not in line]
    log = "\n".join(errors[-40:])
    text = "\n".join(problems[:SHOWN]) + more
    return text + (f"\n--- the end of the server's log:\n{log}" if log else "")


@pytest.mark.parametrize("role", ["审阅人", "单位管理员"], ids=["reviewer", "unit_admin"])
def test_no_page_or_download_shows_a_full_phone_the_role_does_not_manage(role, crawl_as, demo):
    """Issue #22: a 审阅人's 参训名单 sheet held 113 full phones. The 审阅人 (who manages
    nobody) and the 单位管理员 of one village (who reads nothing beyond it, but whose
    town's files name others) meet in full only their own phone and their people's."""
    result = crawl_as(role)
    with demo.app.app_context():
        everyone = set(db.session.scalars(sa.select(User.phone)))
        viewer = db.session.scalar(sa.select(User).where(User.phone == demo.logins[role][0]))
        managed = sa.select(User.phone).join(OrgUnit, User.unit_id == OrgUnit.id)
        managed = managed.where(scope_filter(viewer, Perm.MANAGE_PEOPLE))
        allowed = {viewer.phone, *db.session.scalars(managed)}
        db.session.remove()
    leaks = {
        where: sorted(hidden)
        for where, f in result.phones.items()
        if (hidden := f & everyone - allowed)
    }
    assert leaks == {}
    assert result.phones, f"{role}: not even their own phone on a page (the profile shows it)"


@pytest.mark.parametrize("role", sorted(MANAGING), ids=lambda r: ROLES[r])
def test_no_admin_page_or_download_shows_anyones_time_spent(role, crawl_as):
    """本平台的承诺: supervisors see readings done / not done, never minutes. Every admin
    page (/admin/…) and every file the role reaches is read for time spent
    (tests/live/minutes.py: the demo's reading heartbeats planted as 4321 min 7 s, and the
    words a minutes column would carry); a person's own pages show them their own."""
    result = crawl_as(role)
    assert result.pages, role
    shown = {where: sorted(found)[:3] for where, found in result.time_spent.items()}
    assert shown == {}
