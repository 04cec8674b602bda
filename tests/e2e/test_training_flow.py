"""QR sign-in: the admin puts the code on the projector, a village cadre scans it on a
phone, logs in, signs in, and appears in the admin's live list."""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, OrgUnit, Role
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.training import services
from yongxi_learn.training.models import Attendance

pytestmark = pytest.mark.e2e


def _session(app) -> int:
    with app.app_context():
        services.ensure_default_kinds()
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        kind = next(k for k in services.kinds() if k.name == "法治专题学习")
        start = utcnow() - timedelta(minutes=10)
        session = services.create_session(
            town,
            services.SessionData(
                kind_id=kind.id,
                topic="新修订《行政复议法》专题学习",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                place="镇政府三楼会议室",
                audience={"units": [town.id]},
            ),
            actor=SYSTEM,
        )
        db.session.commit()
        return session.id


def _read_qr(page) -> str:
    qr = page.locator("img.projector-qr")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    image = Image.open(io.BytesIO(qr.screenshot()))
    [found] = zxingcpp.read_barcodes(image)
    return found.text


@pytest.mark.parametrize("user_agent", ["wechat"], indirect=True)
def test_a_village_cadre_scans_the_projector_and_appears_in_the_live_list(
    live_server, make_person, browser, page, log_in, assert_fits_phone, screenshot
):
    admin_phone, admin_password = make_person(
        "管理员甲", Category.OFFICIAL, "司法所所长", role=Role.ADMIN, must_change_password=False
    )
    cadre_phone, cadre_password = make_person("冉晓丽", must_change_password=False)
    session_id = _session(live_server.app)

    admin_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    admin = admin_context.new_page()
    admin.goto(live_server.url("/login"))
    log_in(admin, admin_phone, admin_password)
    admin.goto(live_server.url(f"/admin/training/{session_id}/projector"))
    expect(admin.locator("#signin-code")).to_have_text(re.compile(r"^\d{6}$"))
    url = _read_qr(admin)
    assert url.startswith(live_server.url(f"/t/{session_id}/"))

    detail = admin_context.new_page()
    detail.goto(live_server.url(f"/admin/training/{session_id}"))
    row = detail.locator("#live tr", has_text="冉晓丽")
    expect(row).to_contain_text("未签到")

    page.goto(url)  # the phone's camera opens the link
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    log_in(page, cadre_phone, cadre_password)
    expect(page.get_by_role("button", name="确认签到")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("button", name="确认签到").click()
    expect(page.get_by_role("heading", name="签到成功")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "signed-in")

    # The live list refreshes itself within about ten seconds.
    expect(row).to_contain_text("已签到", timeout=20_000)
    admin_context.close()
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1
