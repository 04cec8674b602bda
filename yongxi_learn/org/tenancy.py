"""Towns as tenants of the district's one deployment (DESIGN §0).

A district admin (管理员 of a unit of kind 区) opens a town with its first admin and,
from an XLSX, its offices and villages, in one transaction; hands a town over to a new
admin; or retires it. The town's people come in afterwards through the people import.
Opening a town goes through the staged-import pipeline (core/staging): the upload is
checked and previewed, and confirming re-checks it and writes all or nothing.
"""

import hashlib
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
import xlsxwriter

from ..core import staging
from ..core.exceptions import NotFound
from ..core.pending_import import PendingImport
from ..core.spreadsheets import ImportRejected, Limits, SheetSpec, read_rows
from ..extensions import db
from . import services
from .models import Category, OrgUnit, Role, RoleGrant, UnitKind, User
from .names import InvalidValue, clean_name, normalise_phone
from .permissions import Perm, can, scope_units

KIND = "town"
SHEET = "单位"
NAME, TYPE = HEADERS = ("单位名称", "单位类型")
SPEC = SheetSpec(name=SHEET, headers=HEADERS, unit="个单位")
TYPES = {"科室/站所": UnitKind.OFFICE, "村/社区": UnitKind.VILLAGE}
# "科室" or "站所" alone, "村" or "社区" alone, full-width slashes: all understood.
_TYPE_WORDS = {
    "科室": UnitKind.OFFICE,
    "站所": UnitKind.OFFICE,
    "科室站所": UnitKind.OFFICE,
    "村": UnitKind.VILLAGE,
    "社区": UnitKind.VILLAGE,
    "村社区": UnitKind.VILLAGE,
}


class TownError(services.OrgError):
    """A town that cannot be opened, handed over or retired; the message says why."""


def districts_of(user: User) -> list[OrgUnit]:
    """The districts whose towns ``user`` manages: units of kind 区 under their
    MANAGE_UNITS grants that also let them grant roles."""
    roots = {u.id: u for u in scope_units(user, Perm.MANAGE_UNITS)}
    return [
        unit
        for unit in roots.values()
        if unit.kind is UnitKind.DISTRICT and can(user, Perm.GRANT_ROLES, unit)
    ]


def _ensure_district(actor: services.Actor, district: OrgUnit) -> None:
    if district.kind is not UnitKind.DISTRICT:
        raise NotFound
    if actor.user is not None and district not in districts_of(actor.user):
        raise NotFound


def get_district(unit_id: int, *, actor: services.Actor) -> OrgUnit:
    district = db.session.get(OrgUnit, unit_id)
    if district is None:
        raise NotFound
    _ensure_district(actor, district)
    return district


def get_town(town_id: int, *, actor: services.Actor) -> OrgUnit:
    town = db.session.get(OrgUnit, town_id)
    if town is None or town.kind is not UnitKind.TOWN or town.parent is None:
        raise NotFound
    _ensure_district(actor, town.parent)
    return town


@dataclass(frozen=True)
class TownRow:
    town: OrgUnit
    admins: list[User]
    people: int
    units: int


def towns(district: OrgUnit) -> list[TownRow]:
    """The district's towns in the unit tree's order, with their admins and how many
    active people and units each holds (sizes, not a ranking)."""
    rows = list(
        db.session.scalars(
            sa.select(OrgUnit)
            .where(OrgUnit.parent_id == district.id, OrgUnit.kind == UnitKind.TOWN)
            .order_by(OrgUnit.active.desc(), OrgUnit.sort_order, OrgUnit.id)
        )
    )
    admins: dict[int, list[User]] = {town.id: [] for town in rows}
    grants = db.session.execute(
        sa.select(RoleGrant.unit_id, User)
        .join(User, RoleGrant.user_id == User.id)
        .where(RoleGrant.unit_id.in_(admins), RoleGrant.role == Role.ADMIN)
        .order_by(User.name_sort)
    )
    for unit_id, user in grants:
        admins[unit_id].append(user)
    # Every unit below the towns with its active people, in one query; summed per town
    # by the town's id on each unit's path.
    people, units = dict.fromkeys(admins, 0), dict.fromkeys(admins, 0)
    below = db.session.execute(
        sa.select(OrgUnit.path, sa.func.count(User.id))
        .outerjoin(User, sa.and_(User.unit_id == OrgUnit.id, User.active))
        .where(OrgUnit.path.startswith(district.path, autoescape=True))
        .group_by(OrgUnit.id, OrgUnit.path)
    )
    for path, active in below:
        ids = [int(part) for part in path.strip("/").split("/")]
        town_id = ids[district.depth + 1] if len(ids) > district.depth + 1 else None
        if town_id in people:
            people[town_id] += active
            units[town_id] += len(ids) > district.depth + 2
    return [TownRow(t, admins[t.id], people[t.id], units[t.id]) for t in rows]


# ---------------------------------------------------------------- opening a town


@dataclass(frozen=True)
class TownSpec:
    """What the district admin typed: the town and its first admin."""

    district_id: int
    name: str
    admin_name: str
    admin_phone: str
    admin_post: str = ""


@dataclass
class UnitRow:
    number: int
    name: str
    type_text: str
    kind: UnitKind | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        return [f"第{self.number}行：{message}" for message in self.errors]


@dataclass
class TownPlan:
    spec: TownSpec
    filename: str
    units: list[UnitRow]
    problems: list[str]  # about the town and its admin
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        lines = [
            f"{self.spec.district_id}|{self.spec.name}|{self.spec.admin_name}|"
            f"{self.spec.admin_phone}|{self.spec.admin_post}",
            *(f"{row.number}|{row.name}|{row.kind}" for row in self.units),
        ]
        self.digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]

    @property
    def ok(self) -> bool:
        return not self.problems and not any(row.errors for row in self.units)

    @property
    def messages(self) -> list[str]:
        return [*self.problems, *(m for row in self.units for m in row.messages)]

    @property
    def offices(self) -> int:
        return sum(1 for row in self.units if row.kind is UnitKind.OFFICE)

    @property
    def villages(self) -> int:
        return sum(1 for row in self.units if row.kind is UnitKind.VILLAGE)


@dataclass
class TownResult:
    town: OrgUnit
    admin: User
    password: str
    units: list[OrgUnit]


def _kind_of(text: str) -> UnitKind | None:
    key = re.sub(r"[\s/／、]", "", text)
    return _TYPE_WORDS.get(key)


def read_units(content: bytes, limits: Limits) -> list[UnitRow]:
    """The 单位 sheet's rows, each checked on its own and against the others."""
    if not content:
        return []
    rows = []
    for raw in read_rows(content, limits, SPEC):
        row = UnitRow(raw.number, raw.values[NAME].strip(), raw.values[TYPE].strip())
        row.errors.extend(message for _, message in raw.errors)
        try:
            row.name = services.check_unit_name(row.name)
        except services.OrgError as exc:
            row.errors.append(str(exc))
        row.kind = _kind_of(row.type_text)
        if row.kind is None:
            row.errors.append("单位类型应为“科室/站所”或“村/社区”")
        rows.append(row)
    seen: dict[str, int] = {}
    for row in rows:
        if row.name and row.name in seen:
            row.errors.append(f"与第{seen[row.name]}行的单位名称重复")
        seen.setdefault(row.name, row.number)
    return rows


def plan_town(
    spec: TownSpec, content: bytes, filename: str, *, actor: services.Actor, limits: Limits
) -> TownPlan:
    district = get_district(spec.district_id, actor=actor)
    problems: list[str] = []
    if not district.active:
        problems.append(f"“{district.name}”已停用")
    try:
        name = services.check_unit_name(spec.name)
        services.check_sibling_name(district, name)
    except services.OrgError as exc:
        problems.append(str(exc))
    try:
        clean_name(spec.admin_name)
    except InvalidValue as exc:
        problems.append(f"管理员姓名：{exc}")
    try:
        phone = normalise_phone(spec.admin_phone)
    except InvalidValue as exc:
        problems.append(f"管理员手机号：{exc}")
    else:
        try:
            services.check_phone_free(phone)
        except services.OrgError as exc:
            problems.append(f"管理员手机号：{exc}")
    try:
        services.clean_post(spec.admin_post)
    except services.OrgError as exc:
        problems.append(f"管理员职务：{exc}")
    units = read_units(content, limits)
    return TownPlan(spec=spec, filename=filename, units=units, problems=problems)


def stage_town(
    spec: TownSpec, content: bytes, filename: str, *, actor: services.Actor, limits: Limits
) -> tuple[PendingImport | None, TownPlan]:
    """Check the town and its unit list and, when it can be opened, keep the upload
    for the confirmation (ImportRejected when the file itself is unusable)."""
    plan = plan_town(spec, content, filename, actor=actor, limits=limits)
    if not plan.ok:
        return None, plan
    return staging.stage(KIND, content, filename, user=actor.user, limits=limits), plan


def confirm_town(
    spec: TownSpec, token: str, digest: str, *, actor: services.Actor, limits: Limits
) -> TownResult:
    """Open the town as previewed (the caller commits once): the town, its units,
    its first admin with a one-time password, the admin's grant."""
    return staging.confirm(
        KIND,
        token,
        digest,
        user=actor.user,
        limits=limits,
        replan=lambda p: plan_town(spec, p.content, p.filename, actor=actor, limits=limits),
        apply=lambda plan: _open(plan, actor),
    )


def _open(plan: TownPlan, actor: services.Actor) -> TownResult:
    spec = plan.spec
    district = get_district(spec.district_id, actor=actor)
    town = services.create_unit(spec.name, UnitKind.TOWN, district, actor=actor)
    units = [services.create_unit(row.name, row.kind, town, actor=actor) for row in plan.units]
    admin, password = services.create_person(
        name=spec.admin_name,
        phone=spec.admin_phone,
        unit=town,
        category=Category.OFFICIAL,
        post=spec.admin_post,
        actor=actor,
    )
    services.grant_role(admin, Role.ADMIN, town, actor=actor)
    services.audit_as(
        actor,
        "town.open",
        town,
        detail=f"{town.name}：{len(units)}个下设单位，管理员{admin.name}",
    )
    db.session.flush()
    return TownResult(town=town, admin=admin, password=password, units=units)


def unit_template(limits: Limits) -> bytes:
    """The 单位 sheet to fill in, with a 填写说明 sheet."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet(SHEET)
    header = workbook.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet.set_column(0, 0, 30, text)
    sheet.set_column(1, 1, 16, text)
    sheet.write_row(0, 0, HEADERS, header)
    sheet.freeze_panes(1, 0)
    sheet.data_validation(1, 1, limits.max_rows, 1, {"validate": "list", "source": list(TYPES)})
    notes = workbook.add_worksheet("填写说明")
    notes.set_column(0, 0, 14)
    notes.set_column(1, 1, 70)
    for i, line in enumerate(_notes(limits)):
        notes.write_row(i, 0, line)
    workbook.close()
    return out.getvalue()


def _notes(limits: Limits) -> list[tuple[str, str]]:
    return [
        (NAME, "必填。科室、站所或村（社区）的名称，如“党政办公室”，不超过100个字，不重复。"),
        (TYPE, "必填。从下拉列表选择“科室/站所”或“村/社区”。"),
        ("说明", f"每行一个单位，最多{limits.max_rows}行。镇（街道）和首任管理员在页面上填写。"),
        ("人员", "镇（街道）开通后，用“人员 → 批量导入”导入各单位的人员。"),
    ]


# ---------------------------------------------------------------- handing over, retiring


@dataclass
class HandOver:
    admin: User
    password: str = ""  # set when the new admin was created here
    revoked: list[User] = field(default_factory=list)


def hand_over(
    town: OrgUnit,
    *,
    phone: str,
    name: str = "",
    post: str = "",
    actor: services.Actor,
) -> HandOver:
    """Make the person with ``phone`` the town's admin (creating them in the town when
    the phone is new, which then needs ``name``) and take the role from the others."""
    _ensure_district(actor, town.parent)
    if not town.active:
        raise TownError(f"“{town.name}”已撤销，不能移交")
    try:
        phone = normalise_phone(phone)
    except InvalidValue as exc:
        raise TownError(f"手机号：{exc}") from exc
    person = db.session.scalar(sa.select(User).where(User.phone == phone))
    result: HandOver
    if person is None:
        if not (name or "").strip():
            raise TownError("该手机号尚未登记，请填写新管理员的姓名")
        person, password = services.create_person(
            name=name,
            phone=phone,
            unit=town,
            category=Category.OFFICIAL,
            post=post,
            actor=actor,
        )
        result = HandOver(admin=person, password=password)
    else:
        if not town.contains(person.unit):
            raise TownError(f"该手机号对应的人员不在{town.name}，请先把其调入本镇（街道）")
        if not person.active:
            raise TownError("该人员已停用，请先启用")
        result = HandOver(admin=person)
    if not any(g.role is Role.ADMIN and g.unit_id == town.id for g in person.grants):
        services.grant_role(person, Role.ADMIN, town, actor=actor)
    others = db.session.scalars(
        sa.select(RoleGrant).where(
            RoleGrant.unit_id == town.id,
            RoleGrant.role == Role.ADMIN,
            RoleGrant.user_id != person.id,
        )
    ).all()
    for grant in others:
        result.revoked.append(grant.user)
        services.revoke_role(grant, actor=actor)
    revoked = "、".join(u.name for u in result.revoked)
    services.audit_as(
        actor,
        "town.hand_over",
        town,
        detail=f"{town.name}管理员移交给{person.name}"
        + (f"，撤销{revoked}的管理员权限" if revoked else ""),
    )
    db.session.flush()
    return result


@dataclass(frozen=True)
class Retirement:
    people: int
    grants: int
    units: int


def retire(town: OrgUnit, *, confirm_name: str, actor: services.Actor) -> Retirement:
    """Retire a town (撤并): its people are deactivated (their logins end), every role
    over its units is revoked, and its units are deactivated. Its records stay: past
    figures count people where they were enrolled, so they do not change."""
    _ensure_district(actor, town.parent)
    if not town.active:
        raise TownError(f"“{town.name}”已撤销")
    if (confirm_name or "").strip() != town.name:
        raise TownError(f"请输入要撤销的镇（街道）名称“{town.name}”以确认")
    inside = OrgUnit.path.startswith(town.path, autoescape=True)
    people = db.session.scalars(
        sa.select(User).join(User.unit).where(inside, User.active).order_by(User.id)
    ).all()
    if actor.user is not None and actor.user in people:
        raise TownError("您本人在该镇（街道）任职，不能撤销自己所在的镇（街道）")
    unit_ids = sa.select(OrgUnit.id).where(inside)
    grants = db.session.scalars(sa.select(RoleGrant).where(RoleGrant.unit_id.in_(unit_ids))).all()
    for grant in grants:
        services.revoke_role(grant, actor=actor)
    for person in people:
        services.set_person_active(person, False, actor=actor)
    units = db.session.scalar(sa.select(sa.func.count(OrgUnit.id)).where(inside, OrgUnit.active))
    services.set_unit_active(town, False, actor=actor)
    result = Retirement(people=len(people), grants=len(grants), units=units)
    services.audit_as(
        actor,
        "town.retire",
        town,
        detail=f"{town.name}：停用{result.people}人、{result.units}个单位，撤销{result.grants}项权限",
    )
    db.session.flush()
    return result


__all__ = [
    "HEADERS",
    "ImportRejected",
    "TownError",
    "TownPlan",
    "TownSpec",
    "confirm_town",
    "districts_of",
    "get_district",
    "get_town",
    "hand_over",
    "retire",
    "stage_town",
    "towns",
    "unit_template",
]
