"""Reading-assignment admin pages: create and edit (MANAGE_STUDY); completion by unit
and person, downloads and a reminder text (VIEW_STUDY, the viewer's subtree only)."""

import io

import sqlalchemy as sa
from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ..core import media
from ..core.forms import flash_errors
from ..core.time import format_local, utcnow
from ..extensions import db
from ..laws.models import LawStatus
from ..org.actors import current_actor
from ..org.models import OrgUnit
from ..org.ordering import people_order
from ..org.permissions import Perm, can, require
from ..org.privacy import shown_phone
from . import plans, reading_audio, readings
from .admin_common import (
    asked_download,
    audience_of,
    bp,
    fill_audience,
    in_scope,
    owner_of,
    people_page,
    reminder_text,
    run,
    send_people,
    unit_filter,
    visible,
)
from .figures import reading_figures, reading_people_select
from .forms import ReadingForm
from .reading_models import ReadingAssignment, ReadingKind


def _form(reading: ReadingAssignment | None) -> ReadingForm:
    form = ReadingForm()
    fill_audience(
        form, reading.owner_unit if reading else None, reading.audience if reading else None
    )
    form.law_id.choices = [
        SelectChoice(0, "（请选择）"),
        *(SelectChoice(law.id, law.display_name) for law in plans.current_laws()),
    ]
    if reading is not None and reading.law and reading.law.status is not LawStatus.CURRENT:
        label = f"{reading.law.display_name}（已修改或废止）"
        form.law_id.choices.insert(1, SelectChoice(reading.law_id, label))
    if reading is not None and request.method == "GET":
        form.title.data, form.kind.data = reading.title, reading.kind.value
        form.law_id.data = reading.law_id or 0
        form.article_from.data, form.article_to.data = reading.article_from, reading.article_to
        form.body.data, form.due_on.data = reading.body_html, reading.due_on
        form.min_minutes.data = max(1, reading.min_seconds // 60)
        form.credit_hours.data = reading.credit_hours
    return form


def _settings(form: ReadingForm, owner: OrgUnit) -> readings.ReadingSettings:
    return readings.ReadingSettings(
        title=form.title.data or "",
        kind=ReadingKind(form.kind.data),
        due_on=form.due_on.data,
        min_seconds=form.min_minutes.data * 60,
        law_id=form.law_id.data or None,
        article_from=form.article_from.data,
        article_to=form.article_to.data,
        body=form.body.data or "",
        audience=audience_of(form, owner),
        credit_hours=form.credit_hours.data or 0,
    )


@bp.route("/readings/new", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def new_reading():
    form = _form(None)
    if form.validate_on_submit():
        owner = owner_of(form)
        made = []
        if run(
            lambda: made.append(
                readings.create_reading(owner, _settings(form, owner), actor=current_actor())
            ),
            "阅读任务已布置",
        ):
            return redirect(url_for("study_admin.reading_people", reading_id=made[0].id))
    flash_errors(form)
    return render_template("study/admin_reading_form.html", form=form, reading=None)


@bp.route("/readings/<int:reading_id>", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def edit_reading(reading_id):
    reading = visible(ReadingAssignment, reading_id, manage=True)
    form = _form(reading)
    if form.validate_on_submit():

        def change():  # reads the audience: an unknown phone is a message, not a 500
            readings.update_reading(
                reading, _settings(form, reading.owner_unit), actor=current_actor()
            )

        if run(change, "已保存"):
            return redirect(url_for("study_admin.edit_reading", reading_id=reading.id))
    flash_errors(form)
    config = current_app.config
    return render_template(
        "study/admin_reading_form.html",
        form=form,
        reading=reading,
        notes=reading_audio.notes_of(reading),
        deletable=lambda note: reading_audio.may_delete(current_user, note),
        max_mb=config["AUDIO_NOTE_MAX_MB"],
        max_minutes=config["AUDIO_NOTE_MAX_MINUTES"],
    )


@bp.post("/readings/<int:reading_id>/audio")
@require(Perm.MANAGE_STUDY)
def add_reading_audio(reading_id):
    reading = visible(ReadingAssignment, reading_id, manage=True)
    upload = request.files.get("audio")
    config = current_app.config

    def change():
        reading_audio.add_note(
            reading,
            # No file: an empty one, refused as 请选择文件 once the permission holds.
            upload.stream if upload else io.BytesIO(),
            actor=current_actor(),
            max_bytes=media.note_max_bytes(config),
            max_seconds=media.note_max_seconds(config),
            now=utcnow(),
        )

    run(change, "语音讲解已上传")
    return redirect(url_for("study_admin.edit_reading", reading_id=reading.id) + "#audio")


@bp.post("/readings/audio/<int:audio_id>/delete")
@login_required
def delete_reading_audio(audio_id):
    note = reading_audio.get_audible(audio_id, current_user)
    reading_id = note.assignment_id
    manages = can(current_user, Perm.MANAGE_STUDY, note.assignment.owner_unit)
    stored: list[str] = []

    def change():
        stored.append(reading_audio.delete_note(note, actor=current_actor()))

    if run(change, "语音讲解已删除"):
        media.remove(stored[0])
    if manages:
        return redirect(url_for("study_admin.edit_reading", reading_id=reading_id) + "#audio")
    return redirect(url_for("study.reading", reading_id=reading_id))


def _rows(reading: ReadingAssignment, unit: OrgUnit, behind_only: bool) -> sa.Select:
    people = reading_people_select(reading, unit).subquery()
    query = in_scope(sa.select(people), people.c.unit_path)
    if behind_only:
        query = query.where(people.c.confirmed == 0)
    return query.order_by(
        *people_order(people.c.unit_id, people.c.post_rank, people.c.name_sort, people.c.user_id)
    )


# Done or not, never time spent (减负): the seconds read only gate the learner's 已学习.
HEADERS = ["单位", "姓名", "手机号", "首次打开", "确认学习时间"]


@bp.get("/readings/<int:reading_id>/people")
@require(Perm.VIEW_STUDY)
def reading_people(reading_id):
    reading = visible(ReadingAssignment, reading_id)
    form, unit = unit_filter(reading.owner_unit)
    behind = form.show.data != "all"
    query = _rows(reading, unit, behind)
    if fmt := asked_download():
        return _download(reading, query, fmt)
    rows, args = people_page(query)
    return render_template(
        "study/admin_reading_people.html",
        reading=reading,
        form=form,
        unit=unit,
        rows=rows,
        figures=reading_figures(reading, unit),
        reminder=reminder_text([r for r in rows if not r.confirmed], reading.title),
        may_manage=can(current_user, Perm.MANAGE_STUDY, reading.owner_unit),
        args=args,
    )


def _download(reading: ReadingAssignment, query, fmt: str):
    rows = (
        (
            r.unit_name, r.name, shown_phone(r.phone, r.unit_path),
            format_local(r.opened_at) or "未打开",
            format_local(r.confirmed_at) or "未确认",
        )
        for r in db.session.execute(query)
    )  # fmt: skip
    name = f"{reading.title}-阅读情况"
    return send_people(fmt, name, "阅读情况", HEADERS, rows, action="reading.export", obj=reading)
