"""Dashboards (统计) and their downloads. Views read the query string, call
stats.queries (which check VIEW_STATS over the unit asked for: another unit is a 403,
another town's exam a 404) and render. They write nothing (overdue attempts count as
finalized without being written: exams.overdue), except a download's audit record.
"""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from ..core.db import reads_only
from ..core.net import client_address
from ..core.spreadsheets import send_csv, send_xlsx
from ..core.time import utcnow
from ..exams.models import Exam, ExamKind
from ..exams.papers import keys
from ..extensions import db
from ..org import audit
from ..org.models import CATEGORY_LABELS, Category
from ..org.permissions import Perm, require
from . import charts, downloads, external_section, queries, training_section
from .common import get_unit, scope_roots, unit_trail
from .sections import SECTIONS, Scope
from .tables import safe_filename
from .years import report_years

bp = Blueprint("stats", __name__)
FORMATS = ("xlsx", "csv")


@bp.context_processor
def _helpers():
    return {
        "category_labels": CATEGORY_LABELS,
        "name_lists": queries.NameList,
        "definitions": queries.DEFINITIONS,
        "with_args": lambda args, **extra: {**args, **extra},
    }


def _scope(year: int | None = None) -> Scope:
    unit = get_unit(request.args.get("unit", type=int), current_user)
    year = year or request.args.get("year", type=int) or queries.default_year(unit)
    category = request.args.get("category", "")
    categories = (Category(category),) if category in set(Category) else ()
    return Scope(year, unit, current_user, utcnow(), categories)


def _args(scope: Scope, **extra) -> dict:
    args = {"year": scope.year, "unit": scope.unit.id}
    if scope.categories:
        args["category"] = scope.categories[0].value
    return {**args, **extra}


def _page_context(scope: Scope) -> dict:
    return {
        "scope": scope,
        "args": _args(scope),
        "trail": unit_trail(scope.unit, current_user),
        "roots": scope_roots(current_user),
        "years": report_years(scope.unit),
        "categories": list(Category),
    }


def _exam(exam_id: int) -> Exam:
    """A formal exam or a 补考; practice papers have no figures."""
    exam = db.get_or_404(Exam, exam_id)
    if exam.personal or exam.kind is ExamKind.PRACTICE:
        abort(404)
    return exam


# ---------------------------------------------------------------- pages


@bp.get("/")
@require(Perm.VIEW_STATS)
def index():
    scope = _scope()
    parts = [(section, section.build(scope)) for section in SECTIONS]
    return render_template(
        "stats/index.html", parts=parts, unit_chart=charts.unit_rate_chart, **_page_context(scope)
    )


@bp.get("/exams/<int:exam_id>")
@require(Perm.VIEW_STATS)
def exam_page(exam_id):
    exam = _exam(exam_id)
    scope = _scope(year=exam.year)
    kwargs = {"user": current_user, "categories": scope.categories, "now": scope.now}
    report = queries.exam_report(exam, scope.unit, **kwargs)
    bins = queries.score_histogram(exam, scope.unit, **kwargs)
    items = queries.item_analysis(exam, scope.unit, **kwargs)
    withheld = not keys.may_see_item_stats(current_user, exam, scope.now)
    return render_template(
        "stats/exam.html",
        report=report,
        chart=charts.unit_rate_chart(report),
        histogram=charts.histogram(f"{report.exam.title}：最高成绩分布", bins),
        bins=bins,
        items=items,
        withheld=withheld,
        **_page_context(scope),
    )


@bp.get("/exams/<int:exam_id>/names/<kind>")
@require(Perm.VIEW_STATS)
def names(exam_id, kind):
    exam = _exam(exam_id)
    kind = _kind(kind)
    scope = _scope(year=exam.year)
    query = queries.names_select(
        exam, scope.unit, kind, user=current_user, categories=scope.categories, now=scope.now
    )
    per_page = current_app.config["PER_PAGE"]
    page_no = max(request.args.get("page", 1, type=int), 1)
    total = queries.names_count(query)
    rows = db.session.execute(query.limit(per_page).offset((page_no - 1) * per_page)).all()
    return render_template(
        "stats/names.html",
        exam=queries.formal_exam(exam, scope.unit),
        kind=kind,
        rows=rows,
        total=total,
        page_no=page_no,
        has_next=page_no * per_page < total,
        result_label=queries.result_label,
        remark=queries.remark,
        **_page_context(scope),
    )


@bp.get("/training/people")
@require(Perm.VIEW_STATS)
def training_people():
    """参训名单 (who attended in the year, with times and hours) or 未参训名单 of a group."""
    scope = _scope()
    group = request.args.get("group", "")
    if group in training_section.GROUPS:
        rows = training_section.uncovered(scope, group)
        title = f"{training_section.GROUPS[group][0]}未参训名单"
        people = len(rows)
    else:
        group = ""
        rows = training_section.attendees(scope)
        title = "参训名单"
        # A person who signed in at two units has a row at each: 共N人 counts heads.
        people = len({a.person.id for a in rows})
    return render_template(
        "stats/training_people.html",
        scope=scope,
        rows=rows,
        title=title,
        group=group,
        people=people,
    )


def _external(external_id: int):
    """An imported exam with someone of the asked unit's subtree, and which of its
    lists (``?kind=``: 参考, 通过, 未通过)."""
    exam = db.get_or_404(queries.ExternalExam, external_id)
    kind = request.args.get("kind", queries.ExternalList.SAT.value)
    if kind not in set(queries.ExternalList):
        abort(404)
    scope = _scope(year=exam.year)
    if exam not in queries.exams_of_year(exam.year, scope.unit):
        abort(404)
    return exam, queries.ExternalList(kind), scope


@bp.get("/external/<int:external_id>/names")
@require(Perm.VIEW_STATS)
def external_names(external_id):
    """The people behind an imported exam's figures (来源：导入)."""
    exam, kind, scope = _external(external_id)
    rows = db.session.execute(queries.external_names_select(exam, scope.unit, kind)).all()
    return render_template(
        "stats/external_names.html",
        exam=exam,
        kind=kind,
        lists=list(queries.ExternalList),
        rows=rows,
        source=queries.EXTERNAL_SOURCE,
        scope=scope,
    )


@bp.get("/external/<int:external_id>/names.xlsx")
@require(Perm.VIEW_STATS)
def external_names_export(external_id):
    exam, kind, scope = _external(external_id)
    tables = external_section.names_tables(exam, kind, scope)
    stem = safe_filename(f"{exam.title}-{scope.unit.name}-{kind.label}")
    return _send("xlsx", tables, stem, scope, exam)


def _kind(value: str) -> "queries.NameList":
    if value not in set(queries.NameList):
        abort(404)
    return queries.NameList(value)


# ---------------------------------------------------------------- downloads


@bp.get("/export.<fmt>")
@require(Perm.VIEW_STATS)
def export(fmt):
    scope = _scope()
    return _send(fmt, downloads.overview(scope), downloads.overview_name(scope), scope)


@bp.get("/exams/<int:exam_id>/export.<fmt>")
@require(Perm.VIEW_STATS)
def exam_export(exam_id, fmt):
    exam = _exam(exam_id)
    scope = _scope(year=exam.year)
    tables = downloads.exam(exam, scope)
    return _send(fmt, tables, downloads.exam_name(exam, scope), scope, exam)


@bp.get("/exams/<int:exam_id>/names/<kind>/export.<fmt>")
@require(Perm.VIEW_STATS)
def names_export(exam_id, kind, fmt):
    exam = _exam(exam_id)
    kind = _kind(kind)
    scope = _scope(year=exam.year)
    tables = downloads.name_list(exam, kind, scope)
    return _send(fmt, tables, downloads.names_name(exam, kind, scope), scope, exam)


def _send(fmt: str, tables: list, stem: str, scope: Scope, obj=None):
    """XLSX: every table, one sheet each. CSV: one table (``?table=`` its index; by
    default the last, the people for a name list, the 汇总 otherwise)."""
    if fmt not in FORMATS:
        abort(404)
    filename = f"{stem}.{fmt}"
    if fmt == "csv":
        index = request.args.get("table", type=int)
        if index is not None and not 0 <= index < len(tables):
            abort(404)
        table = tables[index if index is not None else downloads.default_csv(tables)]
        filename = f"{stem}-{table.name}.csv"
    reads_only()  # SQLite: no write lock held while the file is built
    db.session.commit()
    if fmt == "xlsx":
        response = send_xlsx(filename, *(t.sheet() for t in tables))
    else:
        response = send_csv(filename, list(table.headers), table.csv_rows())
    audit.record_download(
        "stats.export",
        actor=current_user,
        address=client_address(),
        obj=obj or scope.unit,
        detail=filename,
    )
    return response
