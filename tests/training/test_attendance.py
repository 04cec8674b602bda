"""Hand marks by an admin, their undoing, the live list and its downloads."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.training import attendance
from yongxi_learn.training.models import Attendance, AttendanceMethod
from yongxi_learn.training.services import TrainingError

from .conftest import NOON


def _audit(action):
    return db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)).all()


def test_an_admin_marks_a_person_with_a_reason_and_it_is_audited(make_session, admin, cadre):
    session = make_session()
    row = attendance.mark(session, cadre, "忘带手机", actor=Actor(admin), now=NOON)
    db.session.commit()
    assert (row.method, row.reason, row.marked_by_id) == (
        AttendanceMethod.MANUAL,
        "忘带手机",
        admin.id,
    )
    [entry] = _audit("training.mark")
    assert entry.actor_id == admin.id and cadre.name in entry.detail and "忘带手机" in entry.detail


def test_a_mark_needs_a_reason(make_session, admin, cadre):
    with pytest.raises(TrainingError, match="补录原因"):
        attendance.mark(make_session(), cadre, "  ", actor=Actor(admin), now=NOON)


def test_marking_someone_already_signed_in_is_refused(make_session, admin, cadre):
    session = make_session()
    attendance.sign_in(session, cadre, method=AttendanceMethod.QR, now=NOON)
    with pytest.raises(TrainingError, match="已签到"):
        attendance.mark(session, cadre, "补录", actor=Actor(admin), now=NOON)


def test_undoing_a_mark_keeps_the_row_out_of_the_count_and_audits(make_session, admin, cadre):
    session = make_session()
    row = attendance.mark(session, cadre, "补录", actor=Actor(admin), now=NOON)
    attendance.unmark(row, "点错了人", actor=Actor(admin), now=NOON + timedelta(minutes=1))
    db.session.commit()
    assert not row.counted and row.revoke_reason == "点错了人" and row.revoked_by_id == admin.id
    assert attendance.roster(session, viewer=admin).signed_in == 0
    [entry] = _audit("training.unmark")
    assert "点错了人" in entry.detail
    with pytest.raises(TrainingError, match="已撤销"):
        attendance.unmark(row, "again", actor=Actor(admin), now=NOON)
    # Marked again later: the same record comes back.
    again = attendance.mark(session, cadre, "补录", actor=Actor(admin), now=NOON)
    assert again.id == row.id and again.counted


def test_a_unit_admin_cannot_mark_at_the_towns_session(make_session, unit_admin, cadre):
    from yongxi_learn.org.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        attendance.mark(make_session(), cadre, "补录", actor=Actor(unit_admin), now=NOON)


def test_the_roster_splits_expected_signed_in_missing_and_walk_ins(
    make_session, admin, make_user, tree
):
    session = make_session(audience={"units": [tree["village"].id]})
    here = make_user("到场者", tree["village"], category=Category.VILLAGE_CADRE)
    make_user("缺席者", tree["village"], category=Category.VILLAGE_CADRE)
    walk_in = make_user("旁听者", tree["office"])
    for person in (here, walk_in):
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=NOON)
    roster = attendance.roster(session, viewer=admin)
    assert (roster.expected, roster.expected_signed_in, roster.walk_ins) == (2, 1, 1)
    assert [r.person.name for r in roster.missing] == ["缺席者"]


def test_a_unit_admin_sees_only_their_own_people_in_the_towns_session(
    make_session, admin, unit_admin, make_user, tree
):
    session = make_session()
    mine = make_user("本村干部", tree["village"], category=Category.VILLAGE_CADRE)
    other = make_user("他村干部", tree["village2"], category=Category.VILLAGE_CADRE)
    for person in (mine, other):
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=NOON)
    names = {r.person.name for r in attendance.roster(session, viewer=unit_admin).rows}
    assert "本村干部" in names and "他村干部" not in names


def test_the_roster_lists_a_person_who_moved_since_at_the_unit_signed_in_at(
    make_session, admin, unit_admin, other_village_admin, make_user, tree
):
    session = make_session()
    mover = make_user("调走村干部", tree["village"], category=Category.VILLAGE_CADRE)
    attendance.sign_in(session, mover, method=AttendanceMethod.QR, now=NOON)
    mover.unit_id = tree["village2"].id
    db.session.commit()

    def row_of(viewer):
        roster = attendance.roster(session, viewer=viewer)
        [row] = [r for r in roster.rows if r.person.name == "调走村干部"]
        return row.unit.name, row.status, row.is_expected, roster.walk_ins

    # The town, the village signed in at, and the village moved to all see one
    # signed-in row at 石佛村: not missing at 红岩村, not a walk-in at 石佛村.
    assert row_of(admin) == ("石佛村", "已签到", True, 0)
    assert row_of(unit_admin) == ("石佛村", "已签到", True, 0)
    assert row_of(other_village_admin) == ("石佛村", "已签到", True, 0)


# ---------------------------------------------------------------- through the pages


@pytest.fixture
def live_session(make_session):
    return make_session(starts_at=utcnow() - timedelta(minutes=5))


def test_the_mark_form_marks_by_phone(client, login, admin, live_session, cadre):
    login(admin)
    response = client.post(
        f"/admin/training/{live_session.id}/mark",
        data={"phone": cadre.phone, "kind": "补录", "detail": "会后补签"},
        follow_redirects=True,
    )
    assert f"已为{cadre.name}补录签到" in response.get_data(as_text=True)
    row = db.session.query(Attendance).one()
    assert row.reason == "补录：会后补签"


def test_marking_a_phone_out_of_scope_is_refused(
    client, login, admin, live_session, make_user, tree
):
    stranger = make_user("外镇人员", tree["other_village"])
    login(admin)
    response = client.post(
        f"/admin/training/{live_session.id}/mark",
        data={"phone": stranger.phone, "kind": "补录"},
        follow_redirects=True,
    )
    assert "不在您管理的范围内" in response.get_data(as_text=True)
    assert db.session.query(Attendance).count() == 0


def test_the_undo_button_revokes(client, login, admin, live_session, cadre):
    row = attendance.mark(live_session, cadre, "补录", actor=SYSTEM, now=utcnow())
    db.session.commit()
    login(admin)
    client.post(
        f"/admin/training/{live_session.id}/attendance/{row.id}/undo", data={"reason": "误签"}
    )
    db.session.refresh(row)
    assert not row.counted


def test_the_live_list_shows_who_signed_in(client, login, admin, live_session, cadre):
    attendance.sign_in(live_session, cadre, method=AttendanceMethod.QR, now=utcnow())
    db.session.commit()
    login(admin)
    page = client.get(f"/admin/training/{live_session.id}/live").get_data(as_text=True)
    assert cadre.name in page and "已签到" in page


def test_the_downloads_list_everyone_and_are_formula_safe(
    client, login, admin, live_session, make_user, tree
):
    evil = make_user('=HYPERLINK("x")', tree["village"], category=Category.VILLAGE_CADRE)
    attendance.sign_in(live_session, evil, method=AttendanceMethod.QR, now=utcnow())
    make_user("未到者", tree["office"])
    db.session.commit()
    login(admin)
    response = client.get(f"/admin/training/{live_session.id}/attendance.csv")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["单位", "姓名", "手机号", "人员类别", "状态"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name['\'=HYPERLINK("x")'][4] == "已签到"
    assert by_name["未到者"][4] == "未签到"
    response = client.get(f"/admin/training/{live_session.id}/attendance.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][1] == "姓名"
    names = {r[1] for r in values[1:]}
    assert {"未到者", '=HYPERLINK("x")'} <= names
    # Written as a text cell, which Excel and WPS never evaluate.
    assert {c.data_type for row in sheet.iter_rows() for c in row} <= {"s", "n"}
    assert sheet.freeze_panes == "A2"


def test_another_village_admin_cannot_open_or_download_by_url(
    client, login, other_village_admin, make_session, tree
):
    session = make_session(owner=tree["village"], audience={"units": [tree["village"].id]})
    login(other_village_admin)
    for path in ("", "/live", "/attendance.csv", "/attendance.xlsx"):
        assert client.get(f"/admin/training/{session.id}{path}").status_code == 404
