"""Browser-test fixtures: the real app served over HTTP, and Debian's Chromium driven by
Playwright at a 360x640 phone viewport.

- ``live_server``: a fresh app (file SQLite, CSRF on) served by werkzeug in a thread;
  ``live_server.url(path)`` and ``live_server.app``.
- ``make_person``: a person created through the real service, with the initial password.
- ``browser`` (one per session) and ``page`` (a fresh phone-sized context per test);
  ``@pytest.mark.parametrize("user_agent", ["wechat"], indirect=True)`` makes the page
  claim to be WeChat's in-app browser.
- ``log_in(page, phone, password)`` fills in the real login form.
- ``screenshot(page, name)`` saves a full-page PNG under the test's tmp dir.
- ``assert_fits_phone(page)``: no sideways scrolling, 16 px inputs, 44 px buttons.
"""

import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from yongxi_learn import create_app
from yongxi_learn.extensions import db
from yongxi_learn.org import services
from yongxi_learn.org.models import Category, OrgUnit, Role, UnitKind

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the networking switches Chromium phones home at start and waits on refusals.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_WIDTH, PHONE_HEIGHT = 360, 640
USER_AGENTS = {
    "android": (
        "Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/116.0.0.0 Mobile Safari/537.36"
    ),
    "wechat": (
        "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 "
        "MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 "
        "Weixin NetType/4G Language/zh_CN ABI/arm64"
    ),
}
TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file():
        return
    message = f"Chromium not found at {CHROMIUM}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}: browser tests must run in CI", pytrace=False)
    pytest.skip(f"{message}: browser tests skipped (apt-get install chromium)")


# ---------------------------------------------------------------- the app over HTTP


@dataclass
class LiveServer:
    app: Flask
    base_url: str

    def url(self, path: str = "/") -> str:
        return self.base_url + path


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # CSRF protection stays on: the browser must carry the real tokens.
        }
    )
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, base_url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def make_person(live_server):
    """Create a person through the real service, in 雍溪镇/石佛村 unless ``unit_id`` is
    given; ``role`` is granted over 雍溪镇. Returns (phone, initial password)."""
    phones = count(13900000001)
    tree: dict[str, int] = {}

    def make(
        name="冉晓丽",
        category=Category.VILLAGE_CADRE,
        post="综治专干",
        unit_id: int | None = None,
        role: Role | None = None,
        must_change_password: bool = True,
    ):
        actor = services.SYSTEM
        with live_server.app.app_context():
            if not tree:
                town = services.create_unit("雍溪镇", UnitKind.TOWN, None, actor=actor)
                village = services.create_unit("石佛村", UnitKind.VILLAGE, town, actor=actor)
                tree.update(town=town.id, village=village.id)
            person, password = services.create_person(
                name=name,
                phone=str(next(phones)),
                unit=db.session.get(OrgUnit, unit_id or tree["village"]),
                category=category,
                post=post,
                actor=actor,
            )
            if role is not None:
                town = db.session.get(OrgUnit, tree["town"])
                services.grant_role(person, role, town, actor=actor)
            person.must_change_password = must_change_password
            db.session.commit()
            return person.phone, password

    return make


# ---------------------------------------------------------------- the browser


# ``browser`` (one Chromium for the run) is in tests/conftest.py: the accessibility audit
# in tests/live shares it, as Playwright's sync API runs one at a time.


@pytest.fixture
def user_agent(request) -> str:
    """A key of USER_AGENTS, chosen by indirect parametrization; Android Chrome by default."""
    return USER_AGENTS[getattr(request, "param", "android")]


@pytest.fixture
def page(browser, user_agent):
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": PHONE_HEIGHT},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        user_agent=user_agent,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(tmp_path):
    directory = tmp_path / "screenshots"
    directory.mkdir()

    def take(page, name: str) -> Path:
        path = directory / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def log_in():
    def submit(page, phone: str, password: str) -> None:
        """Fill in and submit the real login form on the current page."""
        page.get_by_label("手机号", exact=True).fill(phone)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录").click()

    return submit


# ---------------------------------------------------------------- phone layout checks

_LAYOUT_JS = """() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const inputs = [...document.querySelectorAll("input, select, textarea")]
    .filter((el) => el.type !== "hidden" && visible(el));
  const buttons = [...document.querySelectorAll("button, input[type=submit], .button")]
    .filter(visible);
  const describe = (el) => el.outerHTML.slice(0, 80);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    smallInputs: inputs.filter((el) => parseFloat(getComputedStyle(el).fontSize) < 16)
      .map(describe),
    lowButtons: buttons.filter((el) => el.getBoundingClientRect().height < 44).map(describe),
    inputCount: inputs.length,
    buttonCount: buttons.length,
  };
}"""


@pytest.fixture
def assert_fits_phone():
    def check(page) -> None:
        """No sideways scrolling at 360 px; inputs >= 16 px (smaller ones make phones
        zoom on focus); buttons >= 44 px tall (a fingertip)."""
        layout = page.evaluate(_LAYOUT_JS)
        assert layout["scrollWidth"] <= PHONE_WIDTH, f"page scrolls sideways: {layout}"
        assert not layout["smallInputs"], f"inputs below 16px: {layout['smallInputs']}"
        assert not layout["lowButtons"], f"buttons below 44px: {layout['lowButtons']}"

    return check
