"""The 学法档案 pages: one's own, and a person's as seen by an admin of their unit."""

import json

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.db import expect_writes, reads_only
from ..core.spreadsheets import Sheet, content_disposition, send_xlsx
from ..core.time import local_today, utcnow
from ..extensions import db
from ..org.actors import current_actor
from ..org.models import User
from ..study.summary import year_record as study_year_record
from . import export, services

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
