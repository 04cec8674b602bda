"""Drafting, saving and checking the report section; the unit's own wording.

Admins (MANAGE_REPORTS over the unit) draft and edit; whoever may see the unit's
figures (VIEW_STATS) reads the drafts and downloads them.
"""

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from ..extensions import db
from ..org import audit
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, ensure
from ..org.services import Actor
from ..org.year_close import ensure_year_open
from ..stats.years import report_years
from . import figures, gongwen, render, trace
from .models import ReportDraft, ReportTemplate, ReportVersion
from .render import TemplateRefused

DEFAULT_TEMPLATE = (Path(__file__).parent / "default_template.txt").read_text(encoding="utf-8")
MAX_TEXT = 20_000
MAX_TEMPLATE = 20_000


class ReportError(Exception):
    """A change that cannot be made; the message is shown."""


def _ensure(actor: Actor, perm: Perm, unit: OrgUnit) -> None:
    if actor.user is not None:  # the system actor (CLI) is trusted
        ensure(actor.user, perm, unit)


def title_of(year: int, unit: OrgUnit) -> str:
    return f"{unit.name}{year}年法治政府建设情况报告（干部学法部分）"


# ---------------------------------------------------------------- the wording


def template_for(unit: OrgUnit) -> str:
    """The unit's own template, else its nearest ancestor's, else the default."""
    found = _template_in_force(unit)
    return DEFAULT_TEMPLATE if found is None else found.text


def template_source(unit: OrgUnit) -> OrgUnit | None:
    """The unit whose template ``unit`` uses (itself, or the district's for a town
    without its own); None: the default."""
    found = _template_in_force(unit)
    return None if found is None else found.unit


def _template_in_force(unit: OrgUnit) -> ReportTemplate | None:
    ids = unit.path_ids
    own = {
        t.unit_id: t
        for t in db.session.scalars(
            sa.select(ReportTemplate).where(ReportTemplate.unit_id.in_(ids))
        )
    }
    return next((own[unit_id] for unit_id in reversed(ids) if unit_id in own), None)


def trial_years(unit: OrgUnit, year: int) -> list[int]:
    """The years a new wording is tried with before it is saved: every year the unit has
    records or a draft in, the year being edited, and the year before the first of them,
    which has none (a wording must also hold when a figure does not exist)."""
    drafts = sa.select(ReportDraft.year).where(ReportDraft.unit_id == unit.id).distinct()
    years = set(report_years(unit)) | set(db.session.scalars(drafts)) | {year}
    return [*sorted(years, reverse=True), min(years) - 1]


def set_template(unit: OrgUnit, text: str, *, actor: Actor, year: int, now: datetime) -> None:
    """Save the unit's wording after a trial rendering with each year's figures (a
    payload behind ``{% if year == 2024 %}`` is found while editing 2025)."""
    _ensure(actor, Perm.MANAGE_REPORTS, unit)
    text = (text or "").replace("\r\n", "\n")
    if not text.strip():
        raise ReportError("模板不能为空")
    if len(text) > MAX_TEMPLATE:
        raise ReportError(f"模板不能超过{MAX_TEMPLATE}个字符")
    years = trial_years(unit, year)
    # The trials share one rendering time budget, so saving stays quick however many
    # years there are.
    left = render.SECONDS * 2
    for trial in years:
        context = figures.context(trial, unit, user=actor.user, now=now)
        started = time.monotonic()
        try:
            render.render(text, context, seconds=max(left, 0.05))
        except TemplateRefused as exc:
            which = f"{trial}年" if trial != years[-1] else f"没有记录的年度（{trial}年）"
            raise ReportError(f"按{which}的数字试排时：{exc}") from exc
        left -= time.monotonic() - started
    row = db.session.scalar(sa.select(ReportTemplate).where(ReportTemplate.unit_id == unit.id))
    if row is None:
        row = ReportTemplate(unit_id=unit.id, text=text)
        db.session.add(row)
    row.text, row.updated_by_id = text, getattr(actor.user, "id", None)
    audit.record(
        "report.template",
        actor=actor.user,
        address=actor.address,
        obj=unit,
        detail=f"{unit.name}的报告模板",
    )
    db.session.flush()


def reset_template(unit: OrgUnit, *, actor: Actor) -> None:
    _ensure(actor, Perm.MANAGE_REPORTS, unit)
    db.session.execute(sa.delete(ReportTemplate).where(ReportTemplate.unit_id == unit.id))
    audit.record(
        "report.template",
        actor=actor.user,
        address=actor.address,
        obj=unit,
        detail=f"{unit.name}的报告模板恢复默认",
    )
    db.session.flush()


# ---------------------------------------------------------------- drafts


def fresh(year: int, unit: OrgUnit, *, user: User | None, now: datetime) -> render.Rendered:
    """The section as the records give it today."""
    return _render(unit, figures.context(year, unit, user=user, now=now))


def _render(unit: OrgUnit, context: dict) -> render.Rendered:
    try:
        return render.render(template_for(unit), context)
    except TemplateRefused as exc:
        raise ReportError(f"{exc}（请修改或恢复报告模板）") from exc


def get_draft(year: int, unit: OrgUnit) -> ReportDraft | None:
    return db.session.scalar(
        sa.select(ReportDraft).where(ReportDraft.unit_id == unit.id, ReportDraft.year == year)
    )


def latest(draft: ReportDraft | None) -> ReportVersion | None:
    return draft.versions[-1] if draft is not None and draft.versions else None


def _add_version(draft: ReportDraft, title: str, text: str, figure_list: list, actor: Actor):
    number = (latest(draft).number + 1) if latest(draft) else 1
    version = ReportVersion(
        draft=draft,
        number=number,
        title=title,
        text=text,
        figures=figure_list,
        created_by_id=getattr(actor.user, "id", None),
    )
    db.session.add(version)
    db.session.flush()
    return version


def ensure_frozen_report_open(unit: OrgUnit, year: int) -> None:
    """A closed year's report keeps the version frozen at the close: no new one."""
    ensure_year_open(unit, year, below=False, error=ReportError)


def draft(year: int, unit: OrgUnit, *, actor: Actor, now: datetime) -> ReportVersion:
    """Write a new version from the template and today's records."""
    _ensure(actor, Perm.MANAGE_REPORTS, unit)
    ensure_frozen_report_open(unit, year)
    rendered = fresh(year, unit, user=actor.user, now=now)
    record = get_draft(year, unit)
    if record is None:
        record = ReportDraft(unit_id=unit.id, year=year)
        db.session.add(record)
        db.session.flush()
    version = _add_version(
        record,
        title_of(year, unit),
        rendered.text,
        [f.as_json() for f in rendered.figures],
        actor,
    )
    audit.record(
        "report.draft",
        actor=actor.user,
        address=actor.address,
        obj=record,
        detail=f"{version.title} 第{version.number}稿（由记录生成）",
    )
    return version


def save(record: ReportDraft, title: str, text: str, *, actor: Actor) -> ReportVersion:
    """The admin's edit, kept as a new version; the figures stay those it was drafted
    with, so they can still be found and checked in the edited text."""
    _ensure(actor, Perm.MANAGE_REPORTS, record.unit)
    ensure_frozen_report_open(record.unit, record.year)
    text, title = render.tidy(text or ""), " ".join((title or "").split())
    if not text:
        raise ReportError("正文不能为空")
    if len(text) > MAX_TEXT:
        raise ReportError(f"正文不能超过{MAX_TEXT}个字")
    if not title or len(title) > 200:
        raise ReportError("标题须为1至200个字")
    previous = latest(record)
    if previous is not None and (previous.text, previous.title) == (text, title):
        raise ReportError("内容没有变化")
    version = _add_version(record, title, text, previous.figures if previous else [], actor)
    audit.record(
        "report.save",
        actor=actor.user,
        address=actor.address,
        obj=record,
        detail=f"{title} 第{version.number}稿",
    )
    return version


@dataclass(frozen=True)
class Checked:
    version: ReportVersion
    found: list[trace.Found]

    @property
    def stale(self) -> list[trace.Found]:
        return trace.stale(self.found)

    @property
    def paragraphs(self):
        return trace.html(self.version.text, self.found)

    def stale_notice(self) -> str:
        """What a stale version's file says at its top, and the CLI when it refuses:
        each number as the draft has it and as the records give it now."""
        if not self.stale:
            return ""
        changes = "；".join(
            f"{_name(f.figure)}：稿中为{f.figure['text']}，记录现为{f.current}" for f in self.stale
        )
        return (
            f"【核对提示】第{self.version.number}稿有{len(self.stale)}处数字与当前记录不符："
            f"{changes}。请核对修改或根据最新记录重新生成后再报送。"
        )


def _name(figure: dict) -> str:
    """A figure's label without the list it links to: "参考率=参考人数/应考人数"."""
    label = figure.get("label", "")
    if label.endswith("）") and "（" in label:
        label = label[: label.rindex("（")]
    return label or figure.get("key", "")


def check(version: ReportVersion, *, user: User | None, now: datetime) -> Checked:
    """Find the version's figures in its text and compare them with today's records:
    with what the template prints now, and for a figure it no longer prints (a "均达
    100%" that no longer holds, a rate now among the weak points) with its value."""
    record = version.draft
    now_figures = figures.current(record.year, record.unit, user=user, now=now)
    current: dict[str, list[str]] = {}
    for figure in _render(record.unit, now_figures.context).figures:
        current.setdefault(figure.key, []).append(figure.text)
    for figure in now_figures.every:
        current.setdefault(figure.key, [figure.text])
    return Checked(version, trace.locate(version.text, version.figures, current))


def notice_for(version: ReportVersion, *, user: User | None, now: datetime) -> str:
    """ "" while the version's numbers are the records'; else the warning its files carry
    at their top (and the CLI refuses with)."""
    try:
        return check(version, user=user, now=now).stale_notice()
    except ReportError as exc:
        return f"【核对提示】第{version.number}稿未能与当前记录核对（{exc}），请核对数字后再报送。"


def wording(version: ReportVersion, notice: str = "") -> gongwen.Wording:
    return gongwen.Wording(version.title, version.text.split("\n"), notice)
