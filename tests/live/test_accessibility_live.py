"""The accessibility audit (issue #26 §3): every page each demo login reaches, in Chromium
at 360 px and 1280 px, in each mode of ``accessibility.MODES``, has no critical or serious
axe-core violation and works by keyboard (tests/live/accessibility.py says what is
checked). The pages are the live tier's crawl (tests/live/crawl.py), so a page added to
the app is audited as soon as a link reaches it; the pages only a form opens (an exam's
answer sheet, a practice) are opened through their forms (``FORM_STEPS``).

A page is audited once per mode: the first role (in the order seed-demo lists its logins,
the admins first) to reach a page of its endpoint and query names audits it.

Marked ``e2e`` as well as ``live``: it runs in the browser tier (`make test-e2e`, once, on
SQLite), not in the SQLite and PostgreSQL tiers that run the rest of tests/live.
"""

from __future__ import annotations

import time

import pytest

from tests.gunicorn_server import GUNICORN, Browser
from tests.live import accessibility
from tests.live.crawl import crawl

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.live,
    pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed"),
]

TIMEOUT_MS = 15_000
SHOWN = 40  # problems listed in a failure
# Pages reached only by sending a form: (the page with the form, its button, a name for
# the page the form opens). The button is clicked on the first such page a role reaches.
FORM_STEPS = [
    ("take.notice", "开始答题", "考试答题页"),
    ("take.wrong_book", "开始专项练习", "练习答题页"),
]
ANONYMOUS = "未登录"
# Where someone not logged in starts: the login page, and the page a certificate's QR opens.
PUBLIC_STARTS = ["/login", "/verify"]


@pytest.fixture(scope="module")
def chromium(browser):
    """The run's one Chromium (tests/conftest.py), shared with the browser tests."""
    return browser


@pytest.fixture(scope="module")
def audited() -> set[str]:
    """The (mode, page shape) already audited by an earlier role."""
    return set()


def _roles(demo) -> list[str]:
    return [ANONYMOUS, *demo.logins]


@pytest.mark.parametrize("mode", list(accessibility.MODES))
def test_every_page_each_role_reaches_passes_the_audit(mode, chromium, server, demo, audited):
    problems: list[str] = []
    pages = 0
    for role in _roles(demo):
        done, found = _audit_role(chromium, server, demo, role, mode, audited)
        pages += done
        problems += found
    assert pages > 30, f"only {pages} pages audited"
    unreached = [name for _, _, name in FORM_STEPS if (mode, name) not in audited]
    assert not unreached, f"no role reached a form that opens: {unreached}"
    more = f"\n… and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:SHOWN]) + more


def test_the_audit_finds_what_it_looks_for(chromium):
    """The checks themselves: a page with each fault the audit fails on."""
    page = chromium.new_page(viewport={"width": 360, "height": accessibility.HEIGHT})
    page.set_content(
        '<html lang="zh-CN"><head><title>t</title></head><body><main><h1>t</h1>'
        '<input type="text" name="phone"><button></button>'
        '<p style="color:#bbb;background:#fff">浅色文字</p>'
        '<a href="/x" tabindex="3">跳过</a><a href="/y" tabindex="-1">藏起</a>'
        '<a href="/z" style="outline:none">无焦点</a></main></body></html>'
    )
    found = "\n".join(accessibility.audit(page, "t") + accessibility.focus_problems(page))
    page.close()
    for fault in ("label", "button-name", "color-contrast", "positive tabindex", "tab order"):
        assert fault in found
    assert 'no visible focus: <a href="/z"' in found


def _audit_role(chromium, server, demo, role, mode, audited) -> tuple[int, list[str]]:
    started = time.monotonic()
    if role == ANONYMOUS:
        urls = [
            url
            for start in PUBLIC_STARTS
            for url in crawl(Browser(server.url), role, start, downloads=False).html_pages
        ]
    else:
        browser = Browser(server.url)
        assert browser.log_in(*demo.logins[role]).status == 302, role
        urls = crawl(browser, role, downloads=False).html_pages
    crawled = time.monotonic()
    context = chromium.new_context(
        viewport={"width": accessibility.WIDTHS[-1], "height": accessibility.HEIGHT},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    done = 0
    try:
        if role != ANONYMOUS:
            _log_in(page, server.url, *demo.logins[role])
        accessibility.set_mode(context, server.url, mode)
        by_shape = {url: accessibility.shape(demo.app, url) for url in urls}
        for url, key in by_shape.items():
            if (mode, key) in audited:
                continue
            audited.add((mode, key))
            page.goto(server.url + url)
            found = _audit_widths(page, accessibility.endpoint_of(key))
            problems += [f"{role} {mode} {url} {p}" for p in found]
            done += 1
        for endpoint, button, name in FORM_STEPS:
            if (mode, name) in audited:
                continue
            for url in [u for u, k in by_shape.items() if k.startswith(endpoint + "?")]:
                page.goto(server.url + url)
                target = page.get_by_role("button", name=button)
                if target.count() != 1:
                    continue
                target.click()
                page.wait_for_load_state()
                audited.add((mode, name))
                where = f"{role} {mode} {name} {page.url}"
                problems += [f"{where} {p}" for p in _audit_widths(page, name)]
                done += 1
                break
    finally:
        context.close()
    spent = f"crawl {crawled - started:.0f} s, browser {time.monotonic() - crawled:.0f} s"
    print(f"{role} {mode}: {len(urls)} pages crawled, {done} audited ({spent})")
    return done, problems


def _log_in(page, base_url: str, phone: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("手机号", exact=True).fill(phone)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _audit_widths(page, endpoint: str) -> list[str]:
    found = []
    for width in accessibility.WIDTHS:
        page.set_viewport_size({"width": width, "height": accessibility.HEIGHT})
        here = [*accessibility.audit(page, endpoint), *accessibility.focus_problems(page)]
        found += [f"@{width}px {p}" for p in here]
    return found
