"""The projector's QR token, the 6-digit code and the ticket, on service level."""

from datetime import timedelta

import pytest

from yongxi_learn.extensions import db
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.training import attendance, services, signin
from yongxi_learn.training.models import Attendance, AttendanceMethod
from yongxi_learn.training.signin import SigninRefused

from ..conftest import count_rows
from .conftest import NOON


def test_a_fresh_token_is_accepted(make_session):
    session = make_session()
    signin.check_token(session, signin.make_token(session, NOON), NOON)


def test_a_token_from_the_previous_minute_is_still_accepted(make_session):
    session = make_session()
    token = signin.make_token(session, NOON)
    later = NOON + timedelta(seconds=signin.SLOT_SECONDS)
    assert signin.make_token(session, later) != token  # it has rotated
    signin.check_token(session, token, later)


def test_a_token_two_minutes_old_is_expired(make_session):
    session = make_session()
    token = signin.make_token(session, NOON)
    with pytest.raises(SigninRefused, match="已过期"):
        signin.check_token(session, token, NOON + timedelta(seconds=2 * signin.SLOT_SECONDS))


def test_a_forged_token_is_refused(make_session):
    session = make_session()
    token = signin.make_token(session, NOON)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with pytest.raises(SigninRefused, match="无效"):
        signin.check_token(session, forged, NOON)
    with pytest.raises(SigninRefused, match="无效"):
        signin.check_token(session, "not-a-token", NOON)


def test_a_token_signed_with_another_key_is_refused(app, make_session):
    from itsdangerous import URLSafeSerializer

    session = make_session()
    other = URLSafeSerializer("another-secret-key", salt="training-qr")
    with pytest.raises(SigninRefused, match="无效"):
        signin.check_token(session, other.dumps([session.id, signin.slot_of(NOON)]), NOON)


def test_a_token_of_another_session_is_refused(make_session):
    first, second = make_session(), make_session(topic="另一场")
    with pytest.raises(SigninRefused, match="无效"):
        signin.check_token(second, signin.make_token(first, NOON), NOON)


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (-signin.OPEN_BEFORE - timedelta(minutes=1), "尚未开始"),
        (timedelta(minutes=120) + signin.OPEN_AFTER + timedelta(minutes=1), "已结束"),
    ],
)
def test_outside_the_time_window_nobody_signs_in(make_session, cadre, offset, message):
    session = make_session()  # 10:00 to 12:00 Beijing time
    moment = NOON + offset
    with pytest.raises(SigninRefused, match=message):
        signin.check_token(session, signin.make_token(session, moment), moment)
    with pytest.raises(SigninRefused, match=message):
        attendance.sign_in(session, cadre, method=AttendanceMethod.QR, now=moment)
    assert count_rows(Attendance) == 0


def test_just_inside_the_window_signing_in_works(make_session, cadre):
    session = make_session()
    early = NOON - signin.OPEN_BEFORE
    row, created = attendance.sign_in(session, cadre, method=AttendanceMethod.QR, now=early)
    assert created and row.signed_at == early


def test_a_cancelled_session_takes_no_sign_in(make_session, cadre):
    session = make_session()
    services.cancel_session(session, "停电", actor=SYSTEM, now=NOON)
    with pytest.raises(SigninRefused, match="已取消"):
        attendance.sign_in(session, cadre, method=AttendanceMethod.QR, now=NOON)


def test_the_code_finds_its_session_this_minute_and_the_last(make_session):
    session = make_session()
    make_session(topic="同时进行的另一场")
    code = signin.current_code(session, NOON)
    assert len(code) == 6 and code.isdigit()
    assert signin.find_by_code(code, NOON) is session
    assert signin.find_by_code(code, NOON + timedelta(seconds=signin.SLOT_SECONDS)) is session
    with pytest.raises(SigninRefused, match="不正确或已过期"):
        signin.find_by_code(code, NOON + timedelta(seconds=2 * signin.SLOT_SECONDS))


@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "1234567"])
def test_a_malformed_code_is_refused(make_session, typed):
    make_session()
    with pytest.raises(SigninRefused):
        signin.find_by_code(typed, NOON)


def test_a_code_outside_the_window_finds_nothing(make_session):
    session = make_session()
    late = NOON + timedelta(hours=5)
    with pytest.raises(SigninRefused):
        signin.find_by_code(signin.current_code(session, late), late)


def test_a_ticket_lasts_long_enough_to_log_in_and_no_longer(make_session):
    session = make_session()
    ticket = signin.make_ticket(session, NOON, AttendanceMethod.CODE, device="d", user_id=7)
    later = NOON + timedelta(seconds=signin.TICKET_SECONDS)
    checked = signin.check_ticket(ticket, later)
    assert (checked.session_id, checked.method) == (session.id, AttendanceMethod.CODE)
    assert (checked.device, checked.user_id) == ("d", 7)
    # Each ticket is its own link: one person signs in with it.
    assert signin.check_ticket(signin.make_ticket(session, NOON, AttendanceMethod.QR), NOON).id != (
        checked.id
    )
    with pytest.raises(SigninRefused, match="已过期"):
        signin.check_ticket(ticket, later + timedelta(seconds=1))
    with pytest.raises(SigninRefused, match="无效"):
        signin.check_ticket(ticket.replace(".", "x", 1), NOON)


def test_signing_in_twice_keeps_the_first_time(make_session, cadre):
    session = make_session()
    first, created = attendance.sign_in(session, cadre, method=AttendanceMethod.QR, now=NOON)
    db.session.commit()
    again, created_again = attendance.sign_in(
        session, cadre, method=AttendanceMethod.CODE, now=NOON + timedelta(minutes=5)
    )
    assert created and not created_again
    assert again.id == first.id and again.signed_at == NOON
    assert again.method is AttendanceMethod.QR
    assert count_rows(Attendance) == 1


def test_someone_outside_the_audience_is_a_walk_in(make_session, cadre, make_user, tree):
    session = make_session(audience={"units": [tree["office"].id]})
    row, _ = attendance.sign_in(session, cadre, method=AttendanceMethod.QR, now=NOON)
    assert row.walk_in
    official = make_user("机关干部乙", tree["office"])
    row, _ = attendance.sign_in(session, official, method=AttendanceMethod.QR, now=NOON)
    assert not row.walk_in
