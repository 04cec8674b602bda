"""Study-list admin pages: lists and their items (MANAGE_STUDY), the 未完成名单 with
figures by unit, downloads and a reminder text (VIEW_STUDY, the viewer's subtree only),
and an admin's change of a person's choice (audited with a reason)."""

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..core.forms import flash_errors
from ..core.time import local_today, utcnow
from ..extensions import db
from ..org.actors import current_actor
from ..org.forms import unit_choices
from ..org.models import OrgUnit, User
from ..org.ordering import people_order
from ..org.permissions import Perm, can, require
from ..org.privacy import shown_phone
from ..org.services import units_in_scope
from . import plans, readings
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
from .common import visible_owner
from .figures import study_item_figures, study_list_figures, study_people_select
from .forms import (
    ChoiceChangeForm,
    ItemForm,
    ListFilterForm,
    ListForm,
    YearForm,
    local_to_utc,
    utc_to_form,
)
from .plan_models import ItemKind, StudyList, StudyListItem
from .reading_models import ReadingAssignment
from .summary import list_view


@bp.get("/")
@require(Perm.VIEW_STUDY)
def index():
    form = YearForm(formdata=request.args)
    if not form.validate():
        abort(400)
    year = form.year.data or local_today().year
    lists = db.session.scalars(
        sa.select(StudyList)
        .join(StudyList.owner_unit)
        .where(StudyList.year == year, visible_owner(current_user, OrgUnit.path))
        .order_by(StudyList.id.desc())
    ).all()
    year_readings = db.session.scalars(
        sa.select(ReadingAssignment)
        .join(ReadingAssignment.owner_unit)
        .where(readings.in_year(year), visible_owner(current_user, OrgUnit.path))
        .order_by(ReadingAssignment.id.desc())
    ).all()
    return render_template(
        "study/admin_index.html", form=form, year=year, lists=lists, readings=year_readings
    )


# ---------------------------------------------------------------- lists


def _list_form(lst: StudyList | None) -> ListForm:
    form = ListForm()
    fill_audience(form, lst.owner_unit if lst else None, lst.audience if lst else None)
    if lst is not None and request.method == "GET":
        form.name.data, form.year.data = lst.name, lst.year
        form.choose_until.data = utc_to_form(lst.choose_until)
        form.key_count.data, form.field_count.data = lst.key_count, lst.field_count
    elif lst is None and request.method == "GET":
        form.year.data = local_today().year
    return form


def _settings(form: ListForm, owner: OrgUnit) -> plans.ListSettings:
    return plans.ListSettings(
        name=form.name.data or "",
        year=form.year.data,
        choose_until=local_to_utc(form.choose_until.data),
        key_count=form.key_count.data,
        field_count=form.field_count.data,
        audience=audience_of(form, owner),
    )


@bp.route("/lists/new", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def new_list():
    form = _list_form(None)
    if form.validate_on_submit():
        owner = owner_of(form)
        created = []
        if run(
            lambda: created.append(
                plans.create_list(owner, _settings(form, owner), actor=current_actor())
            ),
            "学习清单已创建，请添加法规",
        ):
            return redirect(url_for("study_admin.edit_list", list_id=created[0].id))
    flash_errors(form)
    return render_template("study/admin_list_form.html", form=form, lst=None)


@bp.route("/lists/<int:list_id>", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def edit_list(list_id):
    lst = visible(StudyList, list_id, manage=True)
    form = _list_form(lst)
    if form.validate_on_submit():

        def change():  # reads the audience: an unknown phone is a message, not a 500
            plans.update_list(lst, _settings(form, lst.owner_unit), actor=current_actor())

        if run(change, "已保存"):
            return redirect(url_for("study_admin.edit_list", list_id=lst.id))
    flash_errors(form)
    return render_template(
        "study/admin_list_form.html", form=form, lst=lst, item_form=_item_form(lst, None)
    )


@bp.post("/lists/<int:list_id>/copy-year")
@require(Perm.MANAGE_STUDY)
def copy_list(list_id):
    """复制到新年度: the list's items as next year's list, without choices or progress."""
    lst = visible(StudyList, list_id, manage=True)
    copied = []
    if run(
        lambda: copied.append(plans.copy_to_next_year(lst, actor=current_actor())),
        f"已复制为{lst.year + 1}年的清单（未设选学截止时间，请按需修改）",
    ):
        return redirect(url_for("study_admin.edit_list", list_id=copied[0].id))
    return redirect(url_for("study_admin.edit_list", list_id=lst.id))


def _item_form(lst: StudyList, item: StudyListItem | None) -> ItemForm:
    form = ItemForm(prefix="item")
    form.law_id.choices = [SelectChoice(law.id, law.display_name) for law in plans.current_laws()]
    if item is not None and item.law_id not in {c.value for c in form.law_id.choices}:
        form.law_id.choices.insert(
            0, SelectChoice(item.law_id, f"{item.law.display_name}（已修改或废止）")
        )
    units = [
        u
        for u in units_in_scope(current_user, Perm.MANAGE_STUDY, include_inactive=False)
        if lst.owner_unit.contains(u)
    ]
    form.field_unit_ids.choices = unit_choices(units)
    if item is not None and request.method == "GET":
        form.kind.data, form.law_id.data = item.kind.value, item.law_id
        form.article_from.data, form.article_to.data = item.article_from, item.article_to
        form.note.data, form.field_name.data = item.note, item.field_name
        form.field_unit_ids.data = item.field_unit_ids
        form.credit_hours.data = item.credit_hours
    return form


def _item_spec(form: ItemForm) -> plans.ItemSpec:
    return plans.ItemSpec(
        kind=ItemKind(form.kind.data),
        law_id=form.law_id.data,
        article_from=form.article_from.data,
        article_to=form.article_to.data,
        note=form.note.data or "",
        field_name=form.field_name.data or "",
        field_unit_ids=list(form.field_unit_ids.data or []),
        credit_hours=form.credit_hours.data or 0,
    )


@bp.post("/lists/<int:list_id>/items")
@require(Perm.MANAGE_STUDY)
def add_item(list_id):
    lst = visible(StudyList, list_id, manage=True)
    form = _item_form(lst, None)
    if form.validate_on_submit():
        run(lambda: plans.add_item(lst, _item_spec(form), actor=current_actor()), "已添加")
    else:
        flash_errors(form)
    return redirect(url_for("study_admin.edit_list", list_id=lst.id) + "#items")


def _manageable_item(item_id: int) -> StudyListItem:
    item = db.get_or_404(StudyListItem, item_id)
    visible(StudyList, item.list_id, manage=True)
    return item


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def edit_item(item_id):
    item = _manageable_item(item_id)
    form = _item_form(item.study_list, item)
    saved = form.validate_on_submit() and run(
        lambda: plans.update_item(item, _item_spec(form), actor=current_actor()), "已保存"
    )
    if saved:
        return redirect(url_for("study_admin.edit_list", list_id=item.list_id) + "#items")
    flash_errors(form)
    return render_template("study/admin_item_form.html", form=form, item=item)


@bp.post("/items/<int:item_id>/delete")
@require(Perm.MANAGE_STUDY)
def delete_item(item_id):
    item = _manageable_item(item_id)
    list_id = item.list_id
    run(lambda: plans.remove_item(item, actor=current_actor()), "已删除")
    return redirect(url_for("study_admin.edit_list", list_id=list_id) + "#items")


# ---------------------------------------------------------------- 未完成名单


def _people_rows(lst: StudyList, unit: OrgUnit, show: str) -> sa.Select:
    people = study_people_select(lst, unit).subquery()
    query = in_scope(sa.select(people), people.c.unit_path)
    if show == "unchosen":
        query = query.where(people.c.chosen == 0)
    elif show != "all":
        query = query.where(people.c.completed == 0)
    return query.order_by(
        *people_order(people.c.unit_id, people.c.post_rank, people.c.name_sort, people.c.user_id)
    )


@bp.get("/lists/<int:list_id>/people")
@require(Perm.VIEW_STUDY)
def list_people(list_id):
    lst = visible(StudyList, list_id)
    form, unit = unit_filter(lst.owner_unit, ListFilterForm)
    query = _people_rows(lst, unit, form.show.data)
    if fmt := asked_download():
        return _download(lst, query, fmt)
    rows, args = people_page(query)
    return render_template(
        "study/admin_list_people.html",
        lst=lst,
        form=form,
        unit=unit,
        rows=rows,
        figures=study_list_figures(lst, unit),
        items=study_item_figures(lst, unit),
        reminder=reminder_text([r for r in rows if not r.completed], lst.name),
        may_change=can(current_user, Perm.MANAGE_STUDY, unit),
        args=args,
    )


HEADERS = [
    "单位",
    "姓名",
    "手机号",
    "重点已选",
    "专业已选",
    "已学完",
    "应学",
    "选学完成",
    "全部学完",
]


def _download(lst: StudyList, query, fmt: str):
    rows = (
        (
            r.unit_name, r.name, shown_phone(r.phone, r.unit_path),
            r.key_n, r.field_n, r.done_n, r.planned,
            "是" if r.chosen else "否", "是" if r.completed else "否",
        )
        for r in db.session.execute(query)
    )  # fmt: skip
    name = f"{lst.name}-学习情况"
    return send_people(fmt, name, "学习情况", HEADERS, rows, action="study.export", obj=lst)


@bp.route("/lists/<int:list_id>/people/<int:user_id>/choice", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def change_choice(list_id, user_id):
    lst = visible(StudyList, list_id)
    person = db.get_or_404(User, user_id)
    if not can(current_user, Perm.MANAGE_STUDY, person.unit):
        abort(404)
    form = ChoiceChangeForm()
    if form.validate_on_submit():
        ids = [int(v) for v in request.form.getlist("item") if v.isdigit()]
        if run(
            lambda: plans.choose(
                lst, person, ids, actor=current_actor(), now=utcnow(), reason=form.reason.data
            ),
            f"已调整{person.name}的选学",
        ):
            return redirect(url_for("study_admin.list_people", list_id=lst.id))
    else:
        flash_errors(form)
    return render_template(
        "study/admin_choice.html", lst=lst, person=person, form=form,
        view=list_view(lst, person, utcnow()),
    )  # fmt: skip
