"""Course admin pages: the year's courses, settings, parts (with media uploads),
publishing (MANAGE_STUDY); who has completed (VIEW_STUDY, the viewer's subtree), as
a page and an XLSX — done or not, never a position or a time."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..core import media
from ..core.exceptions import NotFound, PermissionDenied
from ..core.forms import flash_errors, run_service
from ..core.spreadsheet_out import Sheet, send_xlsx
from ..core.time import format_local, local_today, utcnow
from ..exams.models import Question, QuestionStatus
from ..extensions import db
from ..org import audit
from ..org.actors import current_actor
from ..org.permissions import Perm, can, require
from ..study import plans
from ..study.admin_common import audience_of, fill_audience, owner_of
from ..study.common import StudyError
from ..study.reading_models import ReadingAssignment
from ..training.models import SessionStatus, TrainingSession
from . import services
from .forms import CourseForm, PartForm
from .models import Course, CoursePart, MediaKind, PartKind

bp = Blueprint("course_admin", __name__)
ERRORS = (services.CourseError, StudyError, PermissionDenied)


def _course(course_id: int, *, manage: bool = False) -> Course:
    try:
        return services.course_for_admin(course_id, current_user, manage=manage)
    except NotFound:
        abort(404)


def run(change, success: str) -> bool:
    return run_service(change, success, ERRORS)


@bp.get("/")
@require(Perm.VIEW_STUDY)
def index():
    year = request.args.get("year", type=int) or local_today().year
    courses = services.admin_courses(current_user, year)
    return render_template("courses/admin_index.html", courses=courses, year=year)


def _law_refs() -> list[SelectChoice]:
    refs = db.session.scalars(
        sa.select(Question.law_ref)
        .where(Question.status == QuestionStatus.ACTIVE, Question.law_ref != "")
        .group_by(Question.law_ref)
        .order_by(Question.law_ref)
    )
    return [SelectChoice("", "题库全部题目"), *(SelectChoice(r, r) for r in refs)]


def _form(course: Course | None) -> CourseForm:
    form = CourseForm()
    fill_audience(form, course.owner_unit if course else None, course.audience if course else None)
    form.quiz_law_ref.choices = _law_refs()
    if request.method == "GET":
        if course is None:
            form.year.data = local_today().year
            form.credit_hours.data = 1
        else:
            for name in ("title", "year", "credit_hours", "description", "due_on"):
                getattr(form, name).data = getattr(course, name)
            form.quiz_size.data = course.quiz_size
            form.quiz_pass_percent.data = course.quiz_pass_percent
            form.quiz_law_ref.data = course.quiz_law_ref
    return form


def _settings(form: CourseForm, owner) -> services.CourseSettings:
    return services.CourseSettings(
        title=form.title.data or "",
        year=form.year.data,
        credit_hours=form.credit_hours.data,
        description=form.description.data or "",
        due_on=form.due_on.data,
        audience=audience_of(form, owner),
        quiz_size=form.quiz_size.data or 0,
        quiz_pass_percent=form.quiz_pass_percent.data or 60,
        quiz_law_ref=form.quiz_law_ref.data or "",
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def new():
    form = _form(None)
    if form.validate_on_submit():
        owner = owner_of(form)
        made = []

        def change():
            made.append(
                services.create_course(owner, _settings(form, owner), actor=current_actor())
            )

        if run(change, "课程已创建，请添加内容"):
            return redirect(url_for(".detail", course_id=made[0].id))
    flash_errors(form)
    return render_template("courses/admin_form.html", form=form, course=None)


@bp.route("/<int:course_id>/edit", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def edit(course_id):
    course = _course(course_id, manage=True)
    form = _form(course)
    if form.validate_on_submit():

        def change():
            services.update_course(
                course, _settings(form, course.owner_unit), actor=current_actor()
            )

        if run(change, "已保存"):
            return redirect(url_for(".detail", course_id=course.id))
    flash_errors(form)
    return render_template("courses/admin_form.html", form=form, course=course)


def _part_form(course: Course) -> PartForm:
    form = PartForm()
    owner = course.owner_unit
    readings = db.session.scalars(
        sa.select(ReadingAssignment).order_by(ReadingAssignment.id.desc()).limit(500)
    )
    form.reading_id.choices = [SelectChoice(0, "（请选择）")] + [
        SelectChoice(r.id, r.title) for r in readings if services.related(r.owner_unit, owner)
    ]
    form.law_id.choices = [SelectChoice(0, "（请选择）")] + [
        SelectChoice(law.id, law.display_name) for law in plans.current_laws()
    ]
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .where(TrainingSession.status != SessionStatus.CANCELLED)
        .order_by(TrainingSession.starts_at.desc())
        .limit(500)
    )
    form.session_id.choices = [SelectChoice(0, "（请选择）")] + [
        SelectChoice(s.id, f"{format_local(s.starts_at)[:10]} {s.topic}")
        for s in sessions
        if services.related(s.owner_unit, owner)
    ]
    return form


@bp.get("/<int:course_id>")
@require(Perm.VIEW_STUDY)
def detail(course_id):
    course = _course(course_id)
    return render_template(
        "courses/admin_detail.html",
        course=course,
        form=_part_form(course),
        may_manage=_may_manage(course),
    )


def _may_manage(course: Course) -> bool:
    return can(current_user, Perm.MANAGE_STUDY, course.owner_unit)


@bp.post("/<int:course_id>/parts")
@require(Perm.MANAGE_STUDY)
def add_part(course_id):
    course = _course(course_id, manage=True)
    form = _part_form(course)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for(".detail", course_id=course.id))
    kind = PartKind(form.kind.data)
    actor = current_actor()
    stored: list[str] = []

    def change():
        media_id = None
        if kind is PartKind.MEDIA:
            upload = request.files.get("media_file")
            if upload is None or not upload.filename:
                raise services.CourseError("请选择要上传的音频或视频文件")
            found = services.upload_media(
                course.owner_unit, upload.stream, MediaKind(form.media_kind.data),
                actor=actor, max_bytes=services.media_max_bytes(current_app.config),
            )  # fmt: skip
            stored.append(found.stored_name)
            media_id = found.id
        services.add_part(
            course,
            services.PartInput(
                kind=kind, title=form.title.data or "", reading_id=form.reading_id.data or None,
                law_id=form.law_id.data or None, article_from=form.article_from.data,
                article_to=form.article_to.data, session_id=form.session_id.data or None,
                media_id=media_id,
            ),
            actor=actor,
        )  # fmt: skip

    if not run(change, "已添加"):
        for name in stored:  # stored, then the part refused: no file without its row
            media.remove(name)
    return redirect(url_for(".detail", course_id=course.id))


def _part(course: Course, part_id: int) -> CoursePart:
    part = db.session.get(CoursePart, part_id)
    if part is None or part.course_id != course.id:
        abort(404)
    return part


@bp.post("/<int:course_id>/parts/<int:part_id>/remove")
@require(Perm.MANAGE_STUDY)
def remove_part(course_id, part_id):
    course = _course(course_id, manage=True)
    part = _part(course, part_id)
    run(lambda: services.remove_part(part, actor=current_actor()), "已删除")
    return redirect(url_for(".detail", course_id=course.id))


@bp.post("/<int:course_id>/parts/<int:part_id>/move")
@require(Perm.MANAGE_STUDY)
def move_part(course_id, part_id):
    course = _course(course_id, manage=True)
    part = _part(course, part_id)
    step = -1 if request.form.get("step") == "up" else 1
    run(lambda: services.move_part(part, step, actor=current_actor()), "已调整顺序")
    return redirect(url_for(".detail", course_id=course.id))


@bp.post("/<int:course_id>/publish")
@require(Perm.MANAGE_STUDY)
def publish(course_id):
    course = _course(course_id, manage=True)
    run(lambda: services.publish(course, actor=current_actor(), now=utcnow()), "课程已发布")
    return redirect(url_for(".detail", course_id=course.id))


HEADERS = ["单位", "姓名", "是否完成", "完成日期"]


@bp.get("/<int:course_id>/people")
@require(Perm.VIEW_STUDY)
def people(course_id):
    course = _course(course_id)
    rows = services.people(course, current_user)
    if request.args.get("download") == "xlsx":
        return _download(course, rows)
    return render_template(
        "courses/admin_people.html",
        course=course,
        rows=rows,
        done=sum(1 for r in rows if r.done),
    )


def _download(course: Course, rows):
    actor = current_actor()
    audit.record_download(
        "course.export", actor=actor.user, address=actor.address, obj=course, detail=course.title
    )
    lines = [
        (r.unit_name, r.name, "已完成" if r.done else "未完成", format_local(r.completed_at)[:10])
        for r in rows
    ]
    return send_xlsx(f"{course.title}-完成情况.xlsx", Sheet("完成情况", HEADERS, lines))
