"""A scan signs in one person: the forwarded-link attack, the town rule, and the admin's
view of sign-ins that came from one phone's scans (issue #22)."""

import io
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.training import signin
from yongxi_learn.training.models import Attendance, AttendanceMethod

from ..conftest import count_rows

TAKEN = "此签到链接已被他人使用，请自己扫描现场二维码"


@pytest.fixture
def now_session(make_session):
    return make_session(starts_at=utcnow() - timedelta(minutes=10))


@pytest.fixture
def people(make_user, tree, cadre):
    """The scanner, a colleague in another village of the town, someone in another town."""
    return {
        "scanner": cadre,
        "colleague": make_user("红岩村干部", tree["village2"], category=Category.VILLAGE_CADRE),
        "outsider": make_user("宝林村干部", tree["other_village"], category=Category.VILLAGE_CADRE),
    }


def _scan(phone, session) -> str:
    """The phone's camera opens the projector's QR link; returns the link it is sent on."""
    token = signin.make_token(session, utcnow())
    response = phone.get(f"/t/{session.id}/{token}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _signed_in_names() -> set[str]:
    rows = db.session.scalars(sa.select(Attendance).where(Attendance.revoked_at.is_(None)))
    return {row.user.name for row in rows}


def test_a_forwarded_scan_link_signs_in_only_the_first_person(app, login, now_session, people):
    scanner_phone = app.test_client()
    link = _scan(scanner_phone, now_session)
    login(people["scanner"], client=scanner_phone)
    assert "签到成功" in scanner_phone.post(link).get_data(as_text=True)

    # The link is forwarded in a chat group; two others open it on their own phones.
    # The one in another town is told that first: no link of this session is for them.
    for who, message in (("colleague", TAKEN), ("outsider", "不在雍溪镇范围内")):
        phone = app.test_client()
        login(people[who], client=phone)
        assert message in phone.get(link).get_data(as_text=True)
        response = phone.post(link)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _signed_in_names() == {"村干部甲"}


def test_a_link_scanned_while_logged_in_is_its_scanners_alone(app, login, now_session, people):
    scanner_phone, other_phone = app.test_client(), app.test_client()
    login(people["scanner"], client=scanner_phone)
    link = _scan(scanner_phone, now_session)
    # The colleague is quicker than the scanner, but the link was never theirs.
    login(people["colleague"], client=other_phone)
    response = other_phone.post(link)
    assert response.status_code == 400 and TAKEN in response.get_data(as_text=True)
    assert "签到成功" in scanner_phone.post(link).get_data(as_text=True)
    assert _signed_in_names() == {"村干部甲"}


def test_someone_from_another_town_is_refused_even_with_their_own_scan(
    app, login, now_session, people
):
    phone = app.test_client()
    login(people["outsider"], client=phone)
    link = _scan(phone, now_session)
    page = phone.get(link).get_data(as_text=True)
    assert "不在雍溪镇范围内" in page and "确认签到" not in page
    response = phone.post(link)
    assert response.status_code == 400 and "不在雍溪镇范围内" in response.get_data(as_text=True)
    code = signin.current_code(now_session, utcnow())
    link = phone.post("/training/code", data={"code": code}).headers["Location"]
    assert phone.post(link).status_code == 400
    assert count_rows(Attendance) == 0


def test_a_colleague_of_the_town_outside_the_audience_still_signs_in_as_a_walk_in(
    app, login, make_session, people, tree
):
    session = make_session(starts_at=utcnow() - timedelta(minutes=10))
    session.audience = {"units": [tree["office"].id]}
    db.session.commit()
    phone = app.test_client()
    login(people["colleague"], client=phone)
    assert "签到成功" in phone.post(_scan(phone, session)).get_data(as_text=True)
    row = db.session.scalar(sa.select(Attendance))
    assert row.walk_in and row.method is AttendanceMethod.QR


def test_a_scan_link_lasts_minutes_not_a_quarter_of_an_hour(client, login, now_session, cadre):
    login(cadre)
    ticket = signin.make_ticket(now_session, utcnow() - timedelta(minutes=6), AttendanceMethod.QR)
    response = client.post(f"/training/signin/{ticket}")
    assert response.status_code == 400 and "已过期" in response.get_data(as_text=True)
    assert count_rows(Attendance) == 0


def test_sign_ins_from_one_phones_scans_are_shown_together_to_the_admin(
    app, client, login, admin, now_session, people, make_user, tree
):
    # The scanner forwards one scan's link to a colleague, then scans again for himself.
    scanner_phone, colleague_phone = app.test_client(), app.test_client()
    forwarded = _scan(scanner_phone, now_session)
    login(people["colleague"], client=colleague_phone)
    assert "签到成功" in colleague_phone.post(forwarded).get_data(as_text=True)
    login(people["scanner"], client=scanner_phone)
    assert "签到成功" in scanner_phone.post(_scan(scanner_phone, now_session)).get_data(
        as_text=True
    )
    # Someone else scanned on their own phone: not marked.
    alone = make_user("独自扫码者", tree["office"])
    own_phone = app.test_client()
    login(alone, client=own_phone)
    assert "签到成功" in own_phone.post(_scan(own_phone, now_session)).get_data(as_text=True)

    login(admin)
    page = client.get(f"/admin/training/{now_session.id}").get_data(as_text=True)
    rows = {tr.split("</tr>")[0] for tr in page.split('<tr data-person="')[1:]}
    [scanner_row] = [r for r in rows if "<td data-key>村干部甲</td>" in r]
    [colleague_row] = [r for r in rows if "<td data-key>红岩村干部</td>" in r]
    [alone_row] = [r for r in rows if "<td data-key>独自扫码者</td>" in r]
    assert "同一手机扫码" in scanner_row and "红岩村干部" in scanner_row
    assert "同一手机扫码" in colleague_row and "村干部甲" in colleague_row
    assert "同一手机扫码" not in alone_row
    assert "2人的签到来自同一手机扫码" in page
    # The sign-in sheet downloads carry the same mark, for whoever checks on paper.
    sheet = client.get(f"/admin/training/{now_session.id}/attendance.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(sheet.data), read_only=True)
    head, *body = list(book.active.iter_rows(values_only=True))
    marks = {row[head.index("姓名")]: row[head.index("请核实")] for row in body}
    assert marks["村干部甲"] == "同一手机扫码，与红岩村干部"
    assert marks["红岩村干部"] == "同一手机扫码，与村干部甲"
    assert not marks["独自扫码者"]
    csv_text = client.get(f"/admin/training/{now_session.id}/attendance.csv").data.decode(
        "utf-8-sig"
    )
    assert csv_text.count("同一手机扫码，与") == 2


def test_the_code_signs_in_only_the_person_who_typed_it(app, login, now_session, people):
    typer, other = app.test_client(), app.test_client()
    login(people["scanner"], client=typer)
    code = signin.current_code(now_session, utcnow())
    link = typer.post("/training/code", data={"code": code}).headers["Location"]
    login(people["colleague"], client=other)
    response = other.post(link)
    assert response.status_code == 400 and TAKEN in response.get_data(as_text=True)
    assert "签到成功" in typer.post(link).get_data(as_text=True)
    assert _signed_in_names() == {"村干部甲"}
