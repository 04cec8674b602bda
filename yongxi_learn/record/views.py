"""The 学法档案 pages: one's own, and a person's as seen by an admin of their unit."""

import io
import json

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.db import expect_writes, reads_only
from ..core.spreadsheets import Sheet, content_disposition, send_xlsx
from ..core.time import local_today, utcnow
from ..exams.models import Exam
from ..extensions import db
from ..org.actors import current_actor
from ..org.models import User
from ..study.summary import year_record as study_year_record
from . import certificates, export, services
from .models import CertificateKind

bp = Blueprint("record", __name__)


def _year() -> int:
    current = local_today().year
    year = request.args.get("year", type=int) or current
    return year if 2000 <= year <= current + 1 else current


def _page(person: User, endpoint: str, **args):
    year = _year()
    return render_template(
        "record/year.html",
        record=services.year_record(person, year, now=utcnow()),
        study_record=study_year_record(person, year),
        year_links=[
            (y, url_for(endpoint, year=y, **args))
            for y in services.years(person, local_today().year)
        ],
        own=person.id == current_user.id,
        may_issue=certificates.may_issue(current_user, person),
    )


@bp.get("/record")
@login_required
def mine():
    return _page(current_user, "record.mine")


@bp.get("/admin/people/<int:person_id>/record")
@login_required
def person(person_id):
    person = db.session.get(User, person_id)
    if person is None or not services.may_view(current_user, person):
        abort(404)
    return _page(person, "record.person", person_id=person.id)


@bp.get("/admin/people/<int:person_id>/export.<fmt>")
@login_required
def export_person(person_id, fmt):
    """导出个人数据 (XLSX or JSON) for an admin who manages the person."""
    # The download is audited: under SQLite a plain BEGIN could not take the write
    # lock for that once anyone else had committed since its first read.
    expect_writes()
    db.session.commit()
    person = db.session.get(User, person_id)
    if person is None or fmt not in ("xlsx", "json") or not services.may_view(current_user, person):
        abort(404)
    sections = export.personal_data(person, actor=current_actor())
    db.session.commit()  # the audit entry
    reads_only()  # SQLite: no write lock held while the file is built and sent
    filename = f"{person.name}-个人数据.{fmt}"
    if fmt == "xlsx":
        sheets = [Sheet(s.name, s.headers, s.rows) for s in sections]
        response = send_xlsx(filename, *sheets)
        db.session.commit()  # built: the read ends before the file goes out
        return response
    data = {s.name: [dict(zip(s.headers, row, strict=True)) for row in s.rows] for s in sections}
    body = json.dumps(data, ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


def _record_url(person: User, year: int) -> str:
    if person.id == current_user.id:
        return url_for("record.mine", year=year)
    return url_for("record.person", person_id=person.id, year=year)


@bp.post("/record/certificates")
@login_required
def issue_certificate():
    """开具 a 成绩证明 (``exam_id``) or a verifiable 学法档案 (``year``), for oneself or,
    by an admin who manages them, for ``person_id``; then its printable page."""
    person = current_user._get_current_object()
    if request.form.get("person_id"):
        person = db.session.get(User, request.form.get("person_id", type=int) or 0)
        if person is None or not services.may_view(current_user, person):
            abort(404)
    exam = None
    if request.form.get("exam_id"):
        exam = db.session.get(Exam, request.form.get("exam_id", type=int) or 0)
        if exam is None:
            abort(404)
    kind = CertificateKind.EXAM if exam is not None else CertificateKind.YEAR
    year = request.form.get("year", type=int) or local_today().year
    if not 2000 <= year <= local_today().year + 1:
        abort(404)
    try:
        certificate = certificates.issue(
            person, kind, year=year, exam=exam, actor=current_actor(), now=utcnow()
        )
    except certificates.CertificateError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(_record_url(person, exam.year if exam else year))
    db.session.commit()
    return redirect(url_for("record.certificate", certificate_id=certificate.id))


@bp.get("/record/certificates/<int:certificate_id>")
@login_required
def certificate(certificate_id):
    """The printable 成绩证明 / 学法档案 with its code and QR code."""
    found = certificates.find(certificate_id, current_user)
    now = utcnow()
    verdict = certificates.verify(found.code, now=now)
    context = {}
    if found.kind is CertificateKind.YEAR:
        context = {
            "record": services.year_record(found.person, found.year, now=now),
            "study_record": study_year_record(found.person, found.year),
        }
    return render_template(
        "record/certificate.html",
        certificate=found,
        verdict=verdict,
        verify_url=url_for("verify.show", code=found.code, _external=True),
        own=found.user_id == current_user.id,
        **context,
    )


@bp.get("/record/certificates/<int:certificate_id>/qr.svg")
@login_required
def certificate_qr(certificate_id):
    found = certificates.find(certificate_id, current_user)
    out = io.BytesIO()
    # A standalone SVG for an <img> (no inline SVG: the CSP needs no exception).
    segno.make(url_for("verify.show", code=found.code, _external=True), error="m").save(
        out, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=False
    )
    return Response(out.getvalue(), mimetype="image/svg+xml")
