"""Closing a unit's year (年度关账) and reopening it for an audited correction.

Who may do what:
- Close: an admin (管理员, Perm.CLOSE_YEAR) over the unit, which is a 区 or a 镇/街道.
  The unit's latest report version of the year is frozen with its figures, so it must
  exist and its numbers must still be the records' (核对一致): that is "final". The
  year's exams in the unit's subtree must have ended (no attempt is left to change
  the figures after the close).
  Closing the 区 closes it, then each of its 镇/街道 not closed yet (one close each,
  with its own figures and its latest report version, or none); a town admin may
  close their own town earlier. A town admin cannot close the district (no grant
  over it).
- Reopen (更正): only an admin of the top of the unit's tree (the 区 admin; in a
  deployment without a 区, the town's own 管理员), with a reason. It reopens every
  standing close whose figures the correction may change: the unit's own, those above
  it (their figures include it) and those below it (its records reach into them).
  The reopened closes stay as history; closing again records a new snapshot.
- Anyone who may see the unit's figures (VIEW_STATS) reads the closes.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..core.exceptions import NotFound
from ..exams.models import Exam, ExamKind, ExamStatus
from ..extensions import db
from ..org import audit
from ..org.models import OrgUnit, UnitKind, User
from ..org.permissions import Perm, can, ensure
from ..org.services import Actor
from ..org.subtrees import child_units, subtree
from ..org.year_close import YearClose, standing_close
from ..reports import figures as report_figures
from ..reports import services as reports
from ..reports.models import ReportVersion

CLOSABLE = (UnitKind.DISTRICT, UnitKind.TOWN)
MAX_REASON = 500


class CycleError(Exception):
    """A close or reopen that cannot be made; the message is shown."""


# ---------------------------------------------------------------- who may


def may_close(user: User | None, unit: OrgUnit) -> bool:
    return unit.kind in CLOSABLE and (user is None or can(user, Perm.CLOSE_YEAR, unit))


def reopen_authority(unit: OrgUnit) -> OrgUnit:
    """The unit whose admin may reopen ``unit``'s year: the top of its tree."""
    top = db.session.get(OrgUnit, unit.path_ids[0])
    assert top is not None
    return top


def may_reopen(user: User | None, unit: OrgUnit) -> bool:
    return user is None or can(user, Perm.CLOSE_YEAR, reopen_authority(unit))


def _ensure(actor: Actor, allowed: bool) -> None:
    if not allowed:
        raise NotFound  # as elsewhere: what one may not act on is not there


# ---------------------------------------------------------------- the figures


def snapshot(year: int, unit: OrgUnit, *, now: datetime) -> list[dict]:
    """The unit's figures of the year as the report prints them (reports.figures, the
    same functions as the report, the dashboard and the downloads)."""
    current = report_figures.current(year, unit, user=None, now=now)
    seen: dict[str, dict] = {}
    for figure in current.every:
        label = _label(figure.label) or figure.key
        seen.setdefault(figure.key, {"key": figure.key, "label": label, "text": figure.text})
    return list(seen.values())


def _label(label: str) -> str:
    """A figure's label without the name list it links to in the report: "参考率=参考人数/
    应考人数", not "…（未参考名单）" (the frozen figures link no list)."""
    if label.endswith("名单）") and "（" in label:
        return label[: label.rindex("（")]
    return label


@dataclass(frozen=True)
class Difference:
    label: str
    frozen: str
    now: str


def differences(close: YearClose, *, now: datetime) -> list[Difference]:
    """Where the records no longer give the frozen figures (a closed year's records do
    not change, so this is empty unless something went round the guard)."""
    current = {f["key"]: f for f in snapshot(close.year, close.unit, now=now)}
    frozen = {f["key"]: f for f in close.figures}
    out = []
    for key, figure in frozen.items():
        text = current[key]["text"] if key in current else "（无）"
        if text != figure["text"]:
            out.append(Difference(figure["label"], figure["text"], text))
    out.extend(
        Difference(f["label"], "（无）", f["text"]) for k, f in current.items() if k not in frozen
    )
    return out


def report_version(year: int, unit: OrgUnit) -> ReportVersion | None:
    """The version a close would freeze: the unit's latest of the year."""
    return reports.latest(reports.get_draft(year, unit))


def frozen_version(close: YearClose) -> ReportVersion | None:
    if close.report_version_id is None:
        return None
    return db.session.get(ReportVersion, close.report_version_id)


# ---------------------------------------------------------------- closing


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise CycleError("年度须在2000至2100之间")


def _open_exams(year: int, unit: OrgUnit, now: datetime) -> list[str]:
    query = (
        sa.select(Exam.title)
        .join(OrgUnit, OrgUnit.id == Exam.owner_unit_id)
        .where(
            Exam.year == year,
            Exam.kind != ExamKind.PRACTICE,
            Exam.status == ExamStatus.PUBLISHED,
            sa.or_(Exam.closes_at.is_(None), Exam.closes_at > now),
            subtree(OrgUnit.path, unit),
        )
        .order_by(Exam.id)
    )
    return list(db.session.scalars(query))


def check_closable(year: int, unit: OrgUnit, *, now: datetime) -> ReportVersion:
    """Why ``unit``'s year cannot be closed now (CycleError), else its report version."""
    _check_year(year)
    if unit.kind not in CLOSABLE:
        raise CycleError("只有区和镇（街道）可以关账")
    if standing_close(unit, year) is not None:
        raise CycleError(f"{unit.name}{year}年度已关账")
    version = report_version(year, unit)
    if version is None:
        raise CycleError(f"请先生成{unit.name}{year}年的报告稿，核对后再关账")
    stale = reports.check(version, user=None, now=now).stale
    if stale:
        raise CycleError(
            f"报告第{version.number}稿有{len(stale)}处数字与当前记录不符，"
            "请根据最新记录重新生成或核对修改后再关账"
        )
    running = _open_exams(year, unit, now)
    if running:
        raise CycleError(f"{year}年度还有考试尚未结束：{'、'.join(running[:5])}")
    return version


def close_year(unit: OrgUnit, year: int, *, actor: Actor, now: datetime) -> list[YearClose]:
    """Close ``unit``'s year (and, for a 区, each of its towns not closed yet); returns
    the new closes, the unit's first."""
    _ensure(actor, may_close(actor.user, unit))
    version = check_closable(year, unit, now=now)
    closes = [_close_one(unit, year, version, actor, now, detail="")]
    if unit.kind is UnitKind.DISTRICT:
        for town in child_units(unit):
            if town.kind is UnitKind.TOWN and town.active and standing_close(town, year) is None:
                town_version = report_version(year, town)
                closes.append(_close_one(town, year, town_version, actor, now, detail="随区关账"))
    db.session.flush()
    return closes


def _close_one(unit, year, version, actor: Actor, now, *, detail: str) -> YearClose:
    close = YearClose(
        unit_id=unit.id,
        year=year,
        closed_at=now,
        closed_by_id=getattr(actor.user, "id", None),
        figures=snapshot(year, unit, now=now),
        report_version_id=version.id if version is not None else None,
        report_version_number=version.number if version is not None else None,
    )
    db.session.add(close)
    db.session.flush()
    kept = f"报告第{version.number}稿" if version is not None else "无报告稿"
    words = f"{unit.name}{year}年度关账（{kept}，{len(close.figures)}项数字）"
    audit.record(
        "year.close",
        actor=actor.user,
        address=actor.address,
        obj=unit,
        detail=f"{words}{'，' + detail if detail else ''}",
    )
    return close


# ---------------------------------------------------------------- reopening


def _reached(unit: OrgUnit, year: int) -> list[YearClose]:
    """The standing closes a correction in ``unit`` may change: above, at and below."""
    query = (
        sa.select(YearClose)
        .join(OrgUnit, OrgUnit.id == YearClose.unit_id)
        .where(
            YearClose.year == year,
            YearClose.reopened_at.is_(None),
            sa.or_(OrgUnit.id.in_(unit.path_ids), subtree(OrgUnit.path, unit)),
        )
        .order_by(YearClose.id)
    )
    return list(db.session.scalars(query))


def reopen_year(
    unit: OrgUnit, year: int, reason: str, *, actor: Actor, now: datetime
) -> list[YearClose]:
    """重新开放 for a correction: with a reason, audited; the closes stay as history."""
    _ensure(actor, may_reopen(actor.user, unit) and unit.kind in CLOSABLE)
    _check_year(year)
    if actor.user is not None:
        ensure(actor.user, Perm.VIEW_STATS, unit)
    reason = " ".join((reason or "").split())
    if not reason:
        raise CycleError("请填写重新开放的原因（需更正的内容）")
    if len(reason) > MAX_REASON:
        raise CycleError(f"原因不能超过{MAX_REASON}个字")
    if standing_close(unit, year) is None:
        raise CycleError(f"{unit.name}{year}年度未关账")
    reopened = _reached(unit, year)
    for close in reopened:
        close.reopened_at, close.reopen_reason = now, reason
        close.reopened_by_id = getattr(actor.user, "id", None)
        audit.record(
            "year.reopen",
            actor=actor.user,
            address=actor.address,
            obj=close.unit,
            detail=f"{close.unit.name}{year}年度重新开放：{reason}",
        )
    db.session.flush()
    return reopened
