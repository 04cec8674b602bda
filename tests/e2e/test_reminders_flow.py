"""On a phone: a village cadre's 待办, and the village admin's 催办 page with its message,
copy button and 已发送催办 (screenshots under the test's tmp dir)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from yongxi_learn.core.time import local_today
from yongxi_learn.extensions import db
from yongxi_learn.org import services
from yongxi_learn.org.models import OrgUnit, Role, User
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.reminders.models import Reminder
from yongxi_learn.study import readings
from yongxi_learn.study.reading_models import ReadingKind

pytestmark = pytest.mark.e2e


def _reading(app) -> int:
    with app.app_context():
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        settings = readings.ReadingSettings(
            title="以案释法：宅基地纠纷调解",
            kind=ReadingKind.TEXT,
            due_on=local_today() + timedelta(days=12),
            min_seconds=60,
            body="<p>案例正文</p>",
            audience={"units": [town.id], "categories": [], "people": []},
        )
        reading = readings.create_reading(town, settings, actor=SYSTEM)
        db.session.commit()
        return reading.id


def test_todo_and_chase_on_a_phone(
    live_server, make_person, browser, page, log_in, assert_fits_phone, screenshot
):
    phone, password = make_person("冉晓丽", must_change_password=False)
    make_person("刘德华", must_change_password=False)
    reading_id = _reading(live_server.app)
    due = local_today() + timedelta(days=12)

    page.goto(live_server.url("/todo"))
    log_in(page, phone, password)
    page.goto(live_server.url("/todo"))
    expect(page.locator(".todo-item")).to_have_count(1)
    expect(page.locator(".todo-item")).to_contain_text("以案释法：宅基地纠纷调解")
    expect(page.locator(".todo-item")).to_contain_text(f"{due.month}月{due.day}日前")
    expect(page.locator(".todo-item")).to_contain_text("未阅读")
    assert "刘德华" not in page.content()
    assert_fits_phone(page)
    screenshot(page, "todo")

    with live_server.app.app_context():
        village = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "石佛村"))
    admin_phone, admin_password = make_person(
        "村管理员", unit_id=village.id, must_change_password=False
    )
    with live_server.app.app_context():
        person = db.session.scalar(sa.select(User).where(User.phone == admin_phone))
        services.grant_role(
            person, Role.UNIT_ADMIN, db.session.get(OrgUnit, village.id), actor=SYSTEM
        )
        db.session.commit()
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    admin = context.new_page()
    admin.goto(live_server.url(f"/admin/reminders/readings/{reading_id}"))
    log_in(admin, admin_phone, admin_password)
    admin.goto(live_server.url(f"/admin/reminders/readings/{reading_id}"))
    message = admin.locator("#reminder-message")
    expect(message).to_have_value(
        f"请以下同志于{due.month}月{due.day}日前完成《以案释法：宅基地纠纷调解》：村管理员、刘德华、冉晓丽。"
    )
    assert_fits_phone(admin)
    screenshot(admin, "chase")
    admin.get_by_role("button", name="已发送催办（记录一次）").click()
    expect(admin.get_by_role("alert")).to_contain_text("已记录")
    expect(admin.locator("section", has_text="已发送的催办")).to_contain_text("村管理员")
    screenshot(admin, "chase_sent")
    context.close()
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(Reminder.people_count)) == 3
