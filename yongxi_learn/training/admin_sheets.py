"""Training admin pages that give attendance out: the sign-in sheet downloads and the
projector's QR code. Routes on the training_admin blueprint; the people behind the
statistics figures (参训名单, 未参训名单) are a statistics page (stats.views)."""

import io

import segno
from flask import Response, abort, render_template, url_for
from flask_login import current_user

from ..core import spreadsheets
from ..core.net import client_address
from ..core.time import format_local, utcnow
from ..org import audit
from ..org.permissions import Perm, require
from ..org.privacy import shown_phone
from . import attendance, signin
from .admin_views import bp, manageable, visible

# ---------------------------------------------------------------- downloads


HEADERS = [
    "单位",
    "姓名",
    "手机号",
    "人员类别",
    "状态",
    "签到时间",
    "签到方式",
    "补录原因",
    "请核实",
]


def _download_rows(session):
    roster = attendance.roster(session, viewer=current_user)
    for row in roster.rows:
        a = row.attendance
        # The page's mark: sign-ins whose scans came from one phone.
        others = roster.shared.get(a.id) if a else None
        yield [
            row.unit.name,
            row.person.name,
            shown_phone(row.person.phone, row.unit),
            row.person.category.label,
            row.status,
            format_local(a.signed_at) if a else "",
            a.method.label if a else "",
            a.reason if a else "",
            f"同一手机扫码，与{'、'.join(others)}" if others else "",
        ]


def _audit_download(session, ext: str) -> None:
    audit.record_download(
        "training.export",
        actor=current_user,
        address=client_address(),
        obj=session,
        detail=_filename(session, ext),
    )


def _filename(session, ext: str) -> str:
    return f"{format_local(session.starts_at, '%Y%m%d')}{session.topic[:30]}签到表.{ext}"


@bp.get("/<int:session_id>/attendance.csv")
@require(Perm.VIEW_TRAINING)
def download_csv(session_id):
    session = visible(session_id)
    response = spreadsheets.send_csv(_filename(session, "csv"), HEADERS, _download_rows(session))
    _audit_download(session, "csv")
    return response


@bp.get("/<int:session_id>/attendance.xlsx")
@require(Perm.VIEW_TRAINING)
def download_xlsx(session_id):
    session = visible(session_id)
    sheet = spreadsheets.Sheet(
        name="签到表", headers=HEADERS, rows=_download_rows(session), text_columns=frozenset({2})
    )
    response = spreadsheets.send_xlsx(_filename(session, "xlsx"), sheet)
    _audit_download(session, "xlsx")
    return response


# ---------------------------------------------------------------- projector


def _scan_url(session, now) -> str:
    token = signin.make_token(session, now)
    return url_for("training.scan", session_id=session.id, token=token, _external=True)


@bp.get("/<int:session_id>/projector")
@require(Perm.MANAGE_TRAINING)
def projector(session_id):
    session = manageable(session_id)
    now = utcnow()
    open_now = signin.is_open(session, now)
    return render_template(
        "training/projector.html",
        session=session,
        open_now=open_now,
        code=signin.current_code(session, now) if open_now else "",
        refresh=signin.seconds_left(now) + 1,
        signed_in=attendance.roster(session, viewer=current_user).signed_in,
        code_url=url_for("training.code", _external=True),
    )


@bp.get("/<int:session_id>/qr.svg")
@require(Perm.MANAGE_TRAINING)
def qr(session_id):
    session = manageable(session_id)
    now = utcnow()
    if not signin.is_open(session, now):
        abort(404)
    out = io.BytesIO()
    # A standalone SVG file (with its namespace) for an <img>: no inline SVG, so the CSP
    # needs no exception, and the token never sits in the page's HTML.
    segno.make(_scan_url(session, now), error="m").save(
        out, kind="svg", scale=8, border=2, dark="#000", light="#fff", xmldecl=False
    )
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response
