"""A unit's settings, inherited down the tree: a town uses the district's value unless
it sets its own, and the district the built-in default unless it sets one.

Each setting is declared once in ``SETTINGS`` (its label, default and bounds); the
features read the value in force with ``effective(unit, key)``.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.exceptions import NotFound
from ..core.time import utcnow
from ..extensions import db
from . import services
from .models import OrgUnit, UnitKind
from .permissions import Perm, ensure
from .services import Actor, OrgError


class UnitSetting(db.Model):
    __tablename__ = "unit_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"))
    key: Mapped[str] = mapped_column(sa.String(50))
    value: Mapped[str] = mapped_column(sa.String(200))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("unit_id", "key", name="uq_unit_setting_unit_key"),)


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    unit_label: str  # shown after the value: 分, 分钟
    default: Decimal
    low: Decimal
    high: Decimal
    places: int = 0

    def parse(self, text: str) -> Decimal:
        try:
            value = Decimal((text or "").strip())
        except InvalidOperation as exc:
            raise OrgError(f"{self.label}应为数字") from exc
        if not value.is_finite() or not (self.low <= value <= self.high):
            raise OrgError(f"{self.label}应在{self.low}到{self.high}{self.unit_label}之间")
        if value != round(value, self.places):
            raise OrgError(
                f"{self.label}最多{self.places}位小数" if self.places else f"{self.label}应为整数"
            )
        return value

    def show(self, value: Decimal) -> str:
        return f"{value.normalize():f}{self.unit_label}"  # 60 → 60分, 62.50 → 62.5分


SETTINGS = {
    s.key: s
    for s in (
        Setting("exam.pass_score", "新建考试的默认及格分", "分", *map(Decimal, (60, 0, 1000)), 1),
        Setting("exam.time_limit", "新建考试的默认考试时长", "分钟", *map(Decimal, (60, 1, 600))),
        Setting(
            "exam.credit_hours",
            "新建考试通过计入的默认学时",
            "学时",
            *map(Decimal, (2, 0, "99.9")),
            1,
        ),
    )
}

# Units that hold settings of their own: the district and its towns.
SETTING_KINDS = (UnitKind.DISTRICT, UnitKind.TOWN)


@dataclass(frozen=True)
class InForce:
    setting: Setting
    value: Decimal
    source: OrgUnit | None  # where it is set; None: the built-in default
    own: bool  # set on the unit itself

    @property
    def shown(self) -> str:
        return self.setting.show(self.value)

    @property
    def plain(self) -> str:
        return f"{self.value.normalize():f}"


def _rows(unit: OrgUnit) -> dict[tuple[int, str], UnitSetting]:
    query = sa.select(UnitSetting).where(UnitSetting.unit_id.in_(unit.path_ids or [unit.id]))
    return {(row.unit_id, row.key): row for row in db.session.scalars(query)}


def in_force(unit: OrgUnit) -> list[InForce]:
    """Every setting's value for ``unit``: its own, else its nearest ancestor's, else
    the default; in one query."""
    rows = _rows(unit)
    units = {u.id: u for u in _path_units(unit)}
    out = []
    for setting in SETTINGS.values():
        found = InForce(setting, setting.default, None, False)
        for unit_id in reversed(unit.path_ids or (unit.id,)):
            row = rows.get((unit_id, setting.key))
            if row is not None:
                value = Decimal(row.value)
                found = InForce(setting, value, units[unit_id], unit_id == unit.id)
                break
        out.append(found)
    return out


def effective(unit: OrgUnit, key: str) -> Decimal:
    return next(f.value for f in in_force(unit) if f.setting.key == key)


def _path_units(unit: OrgUnit) -> list[OrgUnit]:
    return list(db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(unit.path_ids))))


def _check(unit: OrgUnit, key: str, actor: Actor) -> Setting:
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_UNITS, unit)
    if unit.kind not in SETTING_KINDS:
        raise OrgError("只有区和镇（街道）可以设置")
    if key not in SETTINGS:
        raise NotFound
    return SETTINGS[key]


def set_value(unit: OrgUnit, key: str, text: str, *, actor: Actor) -> None:
    """Set the unit's own value (its towns inherit it unless they set theirs)."""
    setting = _check(unit, key, actor)
    value = setting.parse(text)
    row = db.session.scalar(
        sa.select(UnitSetting).where(UnitSetting.unit_id == unit.id, UnitSetting.key == key)
    )
    if row is None:
        row = UnitSetting(unit_id=unit.id, key=key, value="")
        db.session.add(row)
    row.value = str(value)
    row.updated_by_id = actor.user.id if actor.user is not None else None
    services.audit_as(
        actor,
        "unit.setting",
        unit,
        detail=f"{setting.label}：{setting.show(value)}",
    )
    db.session.flush()


def inherit(unit: OrgUnit, key: str, *, actor: Actor) -> None:
    """Drop the unit's own value: it uses its parent's (or the default) again."""
    setting = _check(unit, key, actor)
    deleted = db.session.execute(
        sa.delete(UnitSetting).where(UnitSetting.unit_id == unit.id, UnitSetting.key == key)
    ).rowcount
    if deleted:
        services.audit_as(
            actor,
            "unit.setting",
            unit,
            detail=f"{setting.label}：改为沿用上级",
        )
    db.session.flush()
