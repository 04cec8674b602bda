"""催办: exactly who has not done it, scoped by role; the message, the calling sheet,
the log of reminders sent."""

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.live.minutes import time_spent
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.services import Actor
from yongxi_learn.org.year_close import YearClose
from yongxi_learn.reminders.models import Reminder
from yongxi_learn.study import readings
from yongxi_learn.training import attendance

RANKING = re.compile("排名|名次|排行")
KINDS = {
    "exam": "exams",
    "list": "lists",
    "reading": "readings",
    "session": "sessions",
    "course": "courses",
}


def _url(kind, things, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/admin/reminders/{KINDS[kind]}/{things[kind].id}" + (f"?{query}" if query else "")


def _names(html: str) -> list[str]:
    body = html.split("未完成名单", 1)[1].split("已发送的催办", 1)[0]
    return re.findall(r"<tr><td data-key>[^<]*</td><td data-key[^>]*>([^<]*)</td>", body)


@pytest.mark.parametrize("kind", list(KINDS))
def test_town_admin_sees_everyone_behind(client, login, people, things, kind):
    login(people["town_admin"])
    html = client.get(_url(kind, things)).get_data(as_text=True)
    assert sorted(_names(html)) == sorted(["张三", "李四", "=HYPERLINK(1)", "村管理员"])
    assert not RANKING.search(html)
    assert not time_spent(html)


@pytest.mark.parametrize("kind", list(KINDS))
def test_unit_admin_sees_only_their_unit(client, login, people, things, kind):
    login(people["village_admin"])
    html = client.get(_url(kind, things)).get_data(as_text=True)
    assert sorted(_names(html)) == sorted(["张三", "=HYPERLINK(1)", "村管理员"])
    assert "李四" not in html


@pytest.mark.parametrize("kind", list(KINDS))
def test_another_town_and_another_unit_are_not_found(client, login, people, things, tree, kind):
    login(people["b_admin"])
    assert client.get(_url(kind, things)).status_code == 404
    client.post("/logout")
    login(people["village_admin"])
    assert client.get(_url(kind, things, unit=tree["office"].id)).status_code == 404


def test_a_reviewer_may_not_chase(client, login, reviewer, things):
    login(reviewer)
    assert client.get(_url("list", things)).status_code == 403


def test_who_has_done_it_leaves_the_list(client, login, people, things):
    zhang, li = people["zhang"], people["li"]
    progress = readings.open_reading(things["reading"], zhang, now=utcnow())
    progress.counted_ms = 10**6
    progress.reached_end_at = utcnow()
    readings.confirm(progress, now=utcnow())
    attendance.mark(things["session"], li, "补录", actor=Actor(None), now=utcnow())
    db.session.commit()
    login(people["town_admin"])
    assert "张三" not in _names(client.get(_url("reading", things)).get_data(as_text=True))
    assert "李四" not in _names(client.get(_url("session", things)).get_data(as_text=True))


def test_message_is_grouped_by_unit_with_the_date(client, login, people, things):
    login(people["town_admin"])
    html = client.get(_url("reading", things, due="2026-12-20")).get_data(as_text=True)
    text = re.search(r'id="reminder-message"[^>]*>([^<]*)</textarea>', html).group(1)
    assert text.startswith("请以下同志于12月20日前完成《以案释法：土地纠纷》：")
    assert "党政办公室：李四。" in text
    assert "石佛村：" in text and "张三" in text


def test_phones_full_for_who_manages_them(client, login, people, things):
    login(people["village_admin"])
    assert "13800001111" in client.get(_url("list", things)).get_data(as_text=True)


def test_xlsx_reads_back_and_a_formula_name_stays_text(client, login, people, things):
    login(people["town_admin"])
    response = client.get(_url("list", things, format="xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows.index(["单位", "姓名", "手机号", "还需完成"])
    data = rows[header + 1 :]
    names = {r[1] for r in data}
    assert {"张三", "李四", "村管理员", "=HYPERLINK(1)"} <= names
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    zhang = next(r for r in data if r[1] == "张三")
    assert zhang[2] == "13800001111"
    assert "未按规则选学" in zhang[3]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "reminder.export"))


def test_sent_is_logged_with_audit_and_shown(client, login, people, things, tree):
    login(people["village_admin"])
    page = client.get(_url("exam", things)).get_data(as_text=True)
    assert "尚未记录发送过催办" in page
    response = client.post(
        f"/admin/reminders/exams/{things['exam'].id}/sent",
        data={"csrf_token": csrf_token(page), "unit": tree["village"].id},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "已记录" in html
    reminder = db.session.scalar(sa.select(Reminder))
    assert reminder.unit_id == tree["village"].id
    assert reminder.people_count == 3
    assert set(reminder.people) == {people[k].id for k in ("zhang", "eq", "village_admin")}
    assert reminder.sent_by_id == people["village_admin"].id
    assert reminder.title == things["exam"].title
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "reminder.sent"))
    assert entry.actor_id == people["village_admin"].id and "3人" in entry.detail
    past = html.split("已发送的催办", 1)[1]
    assert "村管理员" in past and ">3<" in past
    # Another town's admin sees neither the page nor the log.
    client.post("/logout")
    login(people["b_admin"])
    assert client.get(_url("exam", things)).status_code == 404


def test_nothing_is_shown_to_learners(client, login, people, things):
    login(people["zhang"])
    assert client.get(_url("list", things)).status_code == 403
    assert "催办" not in client.get("/todo").get_data(as_text=True)


def test_a_closed_year_refuses_to_log_a_reminder(client, login, people, things, tree):
    db.session.add(YearClose(unit_id=tree["town"].id, year=things["list"].year))
    db.session.commit()
    login(people["town_admin"])
    response = client.post(
        f"/admin/reminders/lists/{things['list'].id}/sent",
        data={"unit": tree["town"].id},
        follow_redirects=True,
    )
    assert "年度已关账" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0
