"""Learner pages: 我的课程 (done or not, where I stopped), a course's parts in order,
a part's page (the text, the session's material, or the player that resumes), 已学习,
the resume position (JSON, the learner's own), the quiz, and the media file."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core import media
from ..core.exceptions import NotFound
from ..core.time import local_today, utcnow
from ..extensions import db
from ..study import readings
from ..study.reading_models import ReadingAssignment, ReadingKind
from ..training.models import TrainingSession
from . import progress
from .models import PartKind
from .services import CourseError

bp = Blueprint("courses", __name__)


def _course(course_id: int):
    try:
        return progress.course_for_learner(course_id, current_user)
    except NotFound:
        abort(404)


def _part(part_id: int):
    try:
        return progress.part_for_learner(part_id, current_user)
    except NotFound:
        abort(404)


@bp.get("/")
@login_required
def mine():
    year = request.args.get("year", type=int) or local_today().year
    states = progress.my_courses(current_user, year)
    return render_template("courses/mine.html", states=states, year=year)


@bp.get("/<int:course_id>")
@login_required
def course(course_id):
    found = _course(course_id)
    return render_template("courses/course.html", s=progress.state(found, current_user))


@bp.get("/parts/<int:part_id>")
@login_required
def part(part_id):
    found = _part(part_id)
    s = progress.state(found.course, current_user)
    here = next(p for p in s.parts if p.part.id == found.id)
    return render_template(
        "courses/part.html", s=s, here=here, next_part=s.next_after(found), **_material(found)
    )


def _material(part) -> dict:
    """What the part's page shows besides the player."""
    if part.kind is PartKind.ARTICLES:
        return {"articles": readings.articles_of(part.law_id, part.article_from, part.article_to)}
    if part.kind is PartKind.READING:
        reading = db.session.get(ReadingAssignment, part.reading_id)
        assigned = readings.assigned(reading, current_user)
        shown = {"reading": reading, "assigned": assigned}
        if not assigned and reading.kind is ReadingKind.ARTICLES:
            shown["articles"] = readings.articles_of(
                reading.law_id, reading.article_from, reading.article_to
            )
        return shown
    if part.kind is PartKind.SESSION:
        return {"session": db.session.get(TrainingSession, part.session_id)}
    return {}


@bp.post("/parts/<int:part_id>/done")
@login_required
def done(part_id):
    found = _part(part_id)
    try:
        s = progress.mark_done(found, current_user, now=utcnow())
    except CourseError as exc:
        db.session.rollback()
        if request.is_json:
            return jsonify(ok=False, message=str(exc)), 400
        flash(str(exc), "warning")
        return redirect(url_for(".part", part_id=found.id))
    db.session.commit()
    if request.is_json:
        return jsonify(ok=True, completed=s.completed)
    if s.completed:
        flash(f"课程已完成，计{s.course.credit_hours}学时", "success")
        return redirect(url_for(".course", course_id=s.course.id))
    nxt = s.next_after(found)
    if nxt is not None and not nxt.done:
        return redirect(url_for(".part", part_id=nxt.part.id))
    return redirect(url_for(".course", course_id=s.course.id))


@bp.post("/parts/<int:part_id>/position")
@login_required
def position(part_id):
    found = _part(part_id)
    data = request.get_json(silent=True) or {}
    try:
        seconds = progress.save_position(found, current_user, data.get("position"), now=utcnow())
    except CourseError as exc:
        return jsonify(ok=False, message=str(exc)), 400
    db.session.commit()
    return jsonify(ok=True, position=seconds)


@bp.post("/<int:course_id>/quiz")
@login_required
def quiz(course_id):
    found = _course(course_id)
    try:
        attempt = progress.start_quiz(found, current_user, now=utcnow())
    except CourseError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for(".course", course_id=found.id))
    db.session.commit()
    return redirect(url_for("take.attempt", attempt_id=attempt.id))


@bp.post("/<int:course_id>/complete")
@login_required
def complete(course_id):
    """After a quiz passed (or a reading confirmed) elsewhere: record the completion."""
    found = _course(course_id)
    try:
        s = progress.complete_if_ready(found, current_user, now=utcnow())
    except CourseError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for(".course", course_id=found.id))
    db.session.commit()
    if s.completed:
        flash(f"课程已完成，计{found.credit_hours}学时", "success")
    else:
        flash("还有未完成的内容", "warning")
    return redirect(url_for(".course", course_id=found.id))


@bp.get("/media/<int:media_id>")
@login_required
def media_file(media_id):
    try:
        found = progress.media_for(media_id, current_user)
    except NotFound:
        abort(404)
    return media.send(found.stored_name, found.mime)
