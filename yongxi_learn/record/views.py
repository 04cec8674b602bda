"""The 学法档案 pages: one's own, and a person's as seen by an admin of their unit."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.db import expect_writes
from ..core.time import local_today, utcnow
from ..exams import attempts
from ..extensions import db
from ..org.models import User
from ..study.summary import year_record as study_year_record
from . import services

bp = Blueprint("record", __name__)


def _year() -> int:
    current = local_today().year
    year = request.args.get("year", type=int) or current
    return year if 2000 <= year <= current + 1 else current


def _page(person: User, endpoint: str, **args):
    now = utcnow()
    if services.has_overdue(person, now):
        # Finalize first, so the scores shown are final (a GET that writes).
        db.session.rollback()
        expect_writes()
        attempts.finalize_overdue(now, user=person)
        db.session.commit()
    year = _year()
    return render_template(
        "record/year.html",
        record=services.year_record(person, year),
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
