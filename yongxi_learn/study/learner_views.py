"""Learner pages: 我的学习清单 (the 2 + 1 choice, progress, notes) and 我的阅读任务
(the reading page with its visible-time heartbeat)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core import media
from ..core.time import local_today, utcnow
from ..extensions import db
from ..org.actors import current_actor
from . import plans, reading_audio, readings, summary
from .common import StudyError
from .forms import NoteForm
from .plan_models import StudyList, StudyListItem
from .reading_models import ReadingAssignment

bp = Blueprint("study", __name__)


# ---------------------------------------------------------------- study lists


@bp.get("/")
@login_required
def my_lists():
    year = request.args.get("year", type=int) or local_today().year
    views = summary.list_views(current_user, year, utcnow())
    years = summary.years_for(current_user)
    return render_template("study/my_lists.html", views=views, year=year, years=years)


@bp.post("/lists/<int:list_id>/choose")
@login_required
def choose(list_id):
    lst = db.get_or_404(StudyList, list_id)
    ids = [int(v) for v in request.form.getlist("item") if v.isdigit()]
    try:
        plans.choose(lst, current_user, ids, actor=current_actor(), now=utcnow())
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash("选学已保存", "success")
    return redirect(url_for("study.my_lists", year=lst.year) + f"#list-{lst.id}")


def _my_item(item_id: int) -> StudyListItem:
    item = db.get_or_404(StudyListItem, item_id)
    if not plans.studies(item, current_user):
        abort(404)
    return item


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id):
    item = _my_item(item_id)
    progress = plans.page_progress(item, current_user)
    articles = readings.articles_of(item.law_id, item.article_from, item.article_to)
    form = NoteForm(data={"note": progress.note})
    return render_template(
        "study/item.html", item=item, progress=progress, articles=articles, form=form
    )


@bp.post("/items/<int:item_id>/opened")
@login_required
def opened(item_id):
    """The item's page was opened to read its articles (its script says so: the page,
    a GET, writes nothing); 我已学完 counts a reading too."""
    item = _my_item(item_id)
    try:
        progress = plans.record_reading(item, current_user, now=utcnow())
    except StudyError as exc:  # a closed year's list: read, no longer counted
        db.session.rollback()
        return {"ok": False, "message": str(exc)}, 409
    db.session.commit()
    return {"ok": True, "readings": progress.readings}


@bp.post("/items/<int:item_id>/note")
@login_required
def save_note(item_id):
    item = _my_item(item_id)
    form = NoteForm()
    if form.validate_on_submit():
        plans.save_note(item, current_user, form.note.data)
        db.session.commit()
        flash("学习心得已保存", "success")
    else:
        flash("学习心得不能超过2000个字", "danger")
    return redirect(url_for("study.item", item_id=item.id))


@bp.post("/items/<int:item_id>/finish")
@login_required
def finish(item_id):
    item = _my_item(item_id)
    try:
        plans.finish(item, current_user, now=utcnow())
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("study.item", item_id=item.id))
    db.session.commit()
    flash(f"已确认学完{item.law.display_name}", "success")
    return redirect(url_for("study.my_lists", year=item.study_list.year))


# ---------------------------------------------------------------- readings


@bp.get("/readings")
@login_required
def my_readings():
    rows = readings.my_readings(current_user)
    return render_template("study/my_readings.html", rows=rows, today=local_today())


def _my_reading(reading_id: int) -> ReadingAssignment:
    reading = db.get_or_404(ReadingAssignment, reading_id)
    if not readings.assigned(reading, current_user):
        abort(404)
    return reading


@bp.get("/readings/<int:reading_id>")
@login_required
def reading(reading_id):
    reading = _my_reading(reading_id)
    # The opening is recorded by the page's first beat (a POST): a GET writes nothing.
    progress = readings.page_progress(reading, current_user)
    articles = readings.articles_of(reading.law_id, reading.article_from, reading.article_to)
    return render_template(
        "study/reading.html",
        reading=reading,
        progress=progress,
        articles=articles,
        problem=readings.confirm_problem(progress),
        beat_seconds=max(2, min(15, reading.min_seconds // 2)),
        notes=reading_audio.notes_of(reading),
        deletable=lambda note: reading_audio.may_delete(current_user, note),
    )


@bp.get("/readings/audio/<int:audio_id>")
@login_required
def reading_audio_file(audio_id):
    note = reading_audio.get_audible(audio_id, current_user)
    return media.send(note.stored_name, note.mime)


@bp.post("/readings/<int:reading_id>/beat")
@login_required
def beat(reading_id):
    reading = _my_reading(reading_id)
    data = request.get_json(silent=True)
    if data is None and request.form:  # navigator.sendBeacon as the page is hidden
        data = {"state": request.form.get("state"), "at_end": request.form.get("at_end") == "1"}
    state = data.get("state") if isinstance(data, dict) else None
    if state not in (readings.Beat.START, readings.Beat.VISIBLE, readings.Beat.HIDDEN):
        return {"ok": False, "error": "请求内容无效"}, 400
    progress = readings.open_reading(reading, current_user, now=utcnow())
    progress = readings.heartbeat(progress, state, at_end=data.get("at_end") is True, now=utcnow())
    db.session.commit()
    problem = readings.confirm_problem(progress)
    return {
        "ok": True,
        "seconds": progress.seconds,
        "min_seconds": reading.min_seconds,
        "reached_end": progress.reached_end_at is not None,
        "can_confirm": not problem,
        "problem": problem,
        "confirmed": progress.confirmed_at is not None,
    }


@bp.post("/readings/<int:reading_id>/confirm")
@login_required
def confirm(reading_id):
    reading = _my_reading(reading_id)
    progress = readings.open_reading(reading, current_user, now=utcnow())
    try:
        readings.confirm(progress, now=utcnow())
    except StudyError as exc:
        db.session.commit()
        flash(str(exc), "warning")
        return redirect(url_for("study.reading", reading_id=reading.id))
    db.session.commit()
    flash("已确认学习，谢谢！", "success")
    return redirect(url_for("study.my_readings"))
