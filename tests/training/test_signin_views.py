"""Signing in from a phone, through the real pages."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest

from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.training import signin
from yongxi_learn.training.models import Attendance, AttendanceMethod

from ..conftest import PASSWORD, count_rows, csrf_token

WECHAT = (
    "Mozilla/5.0 (Linux; Android 12; V2055A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/107.0 Mobile Safari/537.36 MicroMessenger/8.0.47"
)


@pytest.fixture
def now_session(make_session):
    return make_session(starts_at=utcnow() - timedelta(minutes=10))


def _scan_path(session, moment=None):
    return f"/t/{session.id}/{signin.make_token(session, moment or utcnow())}"


def test_scanning_logged_out_leads_through_login_back_to_sign_in(client, now_session, cadre):
    response = client.get(_scan_path(now_session), headers={"User-Agent": WECHAT})
    assert response.status_code == 302
    confirm = urlparse(response.headers["Location"]).path
    assert confirm.startswith("/training/signin/")
    response = client.get(confirm)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    next_path = re.search(r'name="next" type="hidden" value="([^"]+)"', login_page).group(1)
    assert next_path == confirm
    response = client.post(
        "/login",
        data={"phone": cadre.phone, "password": PASSWORD, "next": next_path},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "确认签到" in page and now_session.topic in page
    assert count_rows(Attendance) == 0  # scanning and logging in record nothing
    response = client.post(confirm, follow_redirects=True, headers={"User-Agent": WECHAT})
    assert "签到成功" in response.get_data(as_text=True)
    row = db.session.query(Attendance).one()
    assert (row.user_id, row.method, row.walk_in) == (cadre.id, AttendanceMethod.QR, False)


def test_scanning_again_says_already_signed_in(client, login, now_session, cadre):
    login(cadre)
    for _ in range(2):
        confirm = client.get(_scan_path(now_session)).headers["Location"]
        client.post(confirm)
    page = client.get(client.get(_scan_path(now_session)).headers["Location"]).get_data(
        as_text=True
    )
    assert "无需重复签到" in page
    assert count_rows(Attendance) == 1


@pytest.mark.parametrize(
    ("make_path", "message"),
    [
        (lambda s: _scan_path(s, utcnow() - timedelta(minutes=3)), "二维码已过期"),
        (lambda s: _scan_path(s)[:-4] + "AAAA", "二维码无效"),
        (lambda s: f"/t/{s.id + 1000}/{signin.make_token(s, utcnow())}", "二维码无效"),
    ],
    ids=["expired", "forged", "unknown-session"],
)
def test_a_bad_qr_link_says_why_and_records_nothing(
    client, login, now_session, cadre, make_path, message
):
    login(cadre)
    response = client.get(make_path(now_session))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "本次没有记录签到" in page
    assert count_rows(Attendance) == 0


def test_a_forged_ticket_records_nothing(client, login, now_session, cadre):
    login(cadre)
    response = client.post("/training/signin/forged.ticket")
    assert response.status_code == 400
    assert count_rows(Attendance) == 0


def test_a_session_in_the_future_refuses_with_a_message(client, login, make_session, cadre):
    session = make_session(starts_at=utcnow() + timedelta(hours=3))
    login(cadre)
    response = client.get(_scan_path(session))
    assert "签到尚未开始" in response.get_data(as_text=True)
    assert count_rows(Attendance) == 0


def test_typing_the_code_signs_in(client, login, now_session, cadre):
    login(cadre)
    response = client.post(
        "/training/code", data={"code": signin.current_code(now_session, utcnow())}
    )
    confirm = response.headers["Location"]
    client.post(confirm)
    row = db.session.query(Attendance).one()
    assert row.method is AttendanceMethod.CODE


def test_a_wrong_code_says_so(client, login, now_session, cadre):
    login(cadre)
    right = signin.current_code(now_session, utcnow())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page = client.post("/training/code", data={"code": wrong}).get_data(as_text=True)
    assert "签到码不正确或已过期" in page
    assert count_rows(Attendance) == 0


def test_the_code_page_needs_a_login(client):
    response = client.get("/training/code")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True, "SIGNIN_CODE_RATE_LIMIT": "3 per minute"}

    def test_signing_in_without_the_csrf_token_is_refused(self, client, now_session, cadre):
        page = client.get("/login").get_data(as_text=True)
        client.post(
            "/login",
            data={"phone": cadre.phone, "password": PASSWORD, "csrf_token": csrf_token(page)},
        )
        confirm = client.get(_scan_path(now_session)).headers["Location"]
        assert client.post(confirm).status_code == 400
        assert count_rows(Attendance) == 0
        page = client.get(confirm).get_data(as_text=True)
        client.post(confirm, data={"csrf_token": csrf_token(page)})
        assert count_rows(Attendance) == 1

    def test_guessing_codes_is_rate_limited_per_person(self, client, now_session, cadre):
        page = client.get("/login").get_data(as_text=True)
        client.post(
            "/login",
            data={"phone": cadre.phone, "password": PASSWORD, "csrf_token": csrf_token(page)},
        )
        token = csrf_token(client.get("/training/code").get_data(as_text=True))
        statuses = [
            client.post("/training/code", data={"code": "000000", "csrf_token": token}).status_code
            for _ in range(4)
        ]
        assert statuses[:3] == [200, 200, 200] and statuses[3] == 429


def test_the_projector_shows_the_code_and_a_qr_that_holds_a_working_link(
    client, login, admin, now_session, cadre
):
    login(admin)
    page = client.get(f"/admin/training/{now_session.id}/projector").get_data(as_text=True)
    code = re.search(r'id="signin-code">(\d{6})<', page).group(1)
    assert code == signin.current_code(now_session, utcnow())
    assert 'http-equiv="refresh"' in page
    svg = client.get(f"/admin/training/{now_session.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_the_projector_is_for_admins_only(client, login, now_session, cadre, unit_admin):
    login(cadre)
    assert client.get(f"/admin/training/{now_session.id}/projector").status_code == 403
    assert client.get(f"/admin/training/{now_session.id}/qr.svg").status_code == 403
