"""Bulk import of people from an XLSX file: plan, stage, confirm.

An upload is read and checked into an ``ImportPlan`` (each row to create, update,
leave alone or reject). Only a plan without rejected rows is staged as a
``PendingImport``; confirming reads and checks the stored file again, inside the
caller's transaction, and applies it through ``services.create_person`` and
``services.update_person``. Nothing is written unless every row is good.
"""

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..core import staging
from ..core.labels import LabelledEnum
from ..core.pending_import import PendingImport
from ..core.spreadsheets import CheckedRow, reject_repeats
from ..core.staging import ImportChanged, ImportExpired, ImportInvalid
from ..extensions import db
from . import audit, services
from .import_file import HEADERS, ImportRejected, Limits, RawRow, read_people
from .models import CATEGORY_LABELS, Category, OrgUnit, User
from .names import InvalidValue, clean_name, has_invisible, normalise_phone
from .permissions import Perm, can

__all__ = [
    "Action",
    "ImportChanged",
    "ImportExpired",
    "ImportInvalid",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "Limits",
    "confirm_import",
    "plan_import",
    "stage_upload",
    "template_units",
]

KIND = "people"
NAME, PHONE, UNIT, CATEGORY, POST = HEADERS
POST_MAX = 50
UNKNOWN_UNIT = "找不到该单位，请填写单位树中的名称；有重名时填写完整路径，如“雍溪镇/石佛村”"
# A number held outside the uploader's scope: the message names no unit or town, and
# a file naming more than a few such numbers is refused without saying which, so an
# upload is no way to learn which of 2,000 numbers are registered (and where).
PHONE_TAKEN = "手机号已被使用，请与本人或上级管理员核实"
PHONE_TAKEN_MAX = 5
PHONE_TAKEN_TOO_MANY = (
    f"文件中有超过{PHONE_TAKEN_MAX}个手机号已被使用，请与上级管理员核实这些人员后再导入"
)
PERSON_OUTRANKS = "该人员持有超出您管理范围的权限，您不能修改其信息"
PERSON_INACTIVE = "该手机号对应的人员已停用，请先在人员页面重新启用后再导入"


class Action(LabelledEnum):
    CREATE = "create", "新增"
    UPDATE = "update", "更新"
    UNCHANGED = "unchanged", "无变化"
    REJECT = "reject", "错误"


@dataclass
class ImportRow(CheckedRow):
    phone: str = ""
    unit: OrgUnit | None = None
    category: Category | None = None
    person: User | None = None
    action: Action = Action.REJECT

    def shown(self, column: str) -> str:
        return self.cut(self.phone if column == PHONE and self.phone else self.values[column])

    @property
    def messages(self) -> list[str]:
        return [f"第{self.number}行「{column}」：{message}" for column, message in self.errors]

    def decide(self) -> None:
        """Fix the action once every check has run (before the view commits and
        expires the loaded people)."""
        self.errors.sort(key=lambda error: HEADERS.index(error[0]))
        if self.errors:
            self.action = Action.REJECT
        elif self.person is None:
            self.action = Action.CREATE
        else:
            self.action = Action.UPDATE if self._changes() else Action.UNCHANGED

    def _changes(self) -> bool:
        p = self.person
        return (p.name, p.unit_id, p.category, p.post) != (
            self.values[NAME],
            self.unit.id,
            self.category,
            self.values[POST],
        )


@dataclass
class ImportPlan:
    filename: str
    rows: list[ImportRow]
    counts: Counter = field(init=False)
    # What the plan would do, in short: confirm applies only the plan previewed.
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        for row in self.rows:
            row.decide()
        self.counts = Counter(row.action for row in self.rows)
        lines = (
            f"{row.number}:{row.action}:{row.person.id if row.person else ''}:"
            f"{row.unit.id if row.unit else ''}"
            for row in self.rows
        )
        self.digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]

    def count(self, action: Action | str) -> int:
        return self.counts[Action(action)]

    @property
    def ok(self) -> bool:
        return not self.counts[Action.REJECT]

    @property
    def has_changes(self) -> bool:
        return bool(self.counts[Action.CREATE] or self.counts[Action.UPDATE])

    @property
    def messages(self) -> list[str]:
        return [message for row in self.rows for message in row.messages]


@dataclass
class ImportResult:
    filename: str
    created: list[tuple[User, str]] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)


# ---------------------------------------------------------------- planning


def plan_import(
    content: bytes, filename: str, *, actor: services.Actor, limits: Limits
) -> ImportPlan:
    """Read and check the file; ImportRejected when the file itself is unusable."""
    raw_rows = read_people(content, limits)
    units = UnitIndex(_units_for(actor))
    rows = [_check_row(raw, units) for raw in raw_rows]
    _check_duplicate_phones(rows)
    _match_existing(rows, actor)
    return ImportPlan(filename=filename, rows=rows)


def _units_for(actor: services.Actor) -> list[OrgUnit]:
    # Units outside the uploader's scope are simply not there: naming one reads
    # as an unknown unit, so the import never tells what exists elsewhere.
    if actor.user is None:
        return services.tree_order(db.session.scalars(sa.select(OrgUnit)))
    return services.units_in_scope(actor.user, Perm.MANAGE_PEOPLE)


def _check_row(raw: RawRow, units: "UnitIndex") -> ImportRow:
    row = ImportRow(number=raw.number, values=raw.values, errors=list(raw.errors))
    for column, check in (
        (NAME, _check_name),
        (PHONE, _check_phone),
        (UNIT, units.check),
        (CATEGORY, _check_category),
        (POST, _check_post),
    ):
        if not row.failed(column):
            check(row)
    return row


def _check_name(row: ImportRow) -> None:
    try:
        row.values[NAME] = clean_name(row.values[NAME])
    except InvalidValue as exc:
        row.reject(NAME, str(exc))


def _check_phone(row: ImportRow) -> None:
    if not row.values[PHONE]:
        row.reject(PHONE, "请填写手机号")
        return
    try:
        row.phone = normalise_phone(row.values[PHONE])
    except InvalidValue as exc:
        row.reject(PHONE, str(exc))


def _fold(text: str) -> str:
    # "村（社区）两委干部" typed with full-width brackets still matches.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_CATEGORIES = {_fold(label): category for category, label in CATEGORY_LABELS.items()}


def _check_category(row: ImportRow) -> None:
    text = row.values[CATEGORY]
    if not text:
        row.reject(CATEGORY, "请填写人员类别")
    elif _fold(text) not in _CATEGORIES:
        choices = "、".join(CATEGORY_LABELS.values())
        row.reject(CATEGORY, f"人员类别应为以下之一：{choices}")
    else:
        row.category = _CATEGORIES[_fold(text)]


def _check_post(row: ImportRow) -> None:
    post = row.values[POST]
    if len(post) > POST_MAX:
        row.reject(POST, f"职务不能超过{POST_MAX}个字")
        return
    if has_invisible(post):
        row.reject(POST, "职务含有控制字符或不可见字符")


def _check_duplicate_phones(rows: list[ImportRow]) -> None:
    reject_repeats(rows, PHONE, lambda row: row.phone, "手机号")


def _match_existing(rows: list[ImportRow], actor: services.Actor) -> None:
    wanted = [row for row in rows if row.phone and not row.failed(PHONE)]
    people = _people_by_phone([row.phone for row in wanted])
    taken = 0
    for row in wanted:
        person = people.get(row.phone)
        if person is None:
            continue
        if actor.user is not None and not can(actor.user, Perm.MANAGE_PEOPLE, person.unit):
            taken += 1
            if taken > PHONE_TAKEN_MAX:
                raise ImportRejected(PHONE_TAKEN_TOO_MANY)
            row.reject(PHONE, PHONE_TAKEN)
        elif actor.user is not None and not services.may_manage_person(actor.user, person):
            row.reject(PHONE, PERSON_OUTRANKS)
        elif not person.active:
            row.reject(PHONE, PERSON_INACTIVE)
        else:
            row.person = person


def _people_by_phone(phones: list[str], chunk: int = 500) -> dict[str, User]:
    found: dict[str, User] = {}
    for start in range(0, len(phones), chunk):
        query = sa.select(User).where(User.phone.in_(phones[start : start + chunk]))
        found.update((person.phone, person) for person in db.session.scalars(query))
    return found


class UnitIndex:
    """Finds a unit by its name, or by the tail of its path ("雍溪镇/石佛村")."""

    def __init__(self, units: list[OrgUnit]):
        ancestor_ids = {int(i) for u in units for i in u.path.strip("/").split("/") if i}
        names = dict(
            db.session.execute(
                sa.select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ancestor_ids))
            ).all()
        )
        self._chains = [
            ([names[int(i)] for i in unit.path.strip("/").split("/") if i], unit) for unit in units
        ]
        self._by_name: dict[str, list[tuple[list[str], OrgUnit]]] = defaultdict(list)
        for chain, unit in self._chains:
            self._by_name[unit.name].append((chain, unit))

    def active_paths(self) -> list[str]:
        return ["/".join(chain) for chain, unit in self._chains if unit.active]

    def find(self, text: str) -> list[tuple[list[str], OrgUnit]]:
        parts = [part.strip() for part in re.split(r"[/／]", text) if part.strip()]
        if not parts:
            return []
        return [
            (chain, unit)
            for chain, unit in self._by_name.get(parts[-1], [])
            if chain[-len(parts) :] == parts
        ]

    def check(self, row: ImportRow) -> None:
        text = row.values[UNIT]
        if not text:
            row.reject(UNIT, "请填写单位")
            return
        found = self.find(text)
        if not found:
            row.reject(UNIT, UNKNOWN_UNIT)
        elif len(found) > 1:
            paths = "、".join("/".join(chain) for chain, _ in found)
            row.reject(UNIT, f"有多个同名单位（{paths}），请填写完整路径")
        elif not found[0][1].active:
            row.reject(UNIT, "该单位已停用")
        else:
            row.unit = found[0][1]


def template_units(actor: services.Actor) -> list[str]:
    """Full paths of the units the actor may import into, for the template's notes."""
    return UnitIndex(_units_for(actor)).active_paths()


# ---------------------------------------------------------------- staging and applying


def stage_upload(
    content: bytes, filename: str, *, actor: services.Actor, limits: Limits
) -> tuple[PendingImport | None, ImportPlan]:
    """Plan the upload and, when it can be imported, keep it for confirmation."""
    plan = plan_import(content, filename, actor=actor, limits=limits)
    if not (plan.ok and plan.has_changes):
        return None, plan
    return staging.stage(KIND, content, filename, user=actor.user, limits=limits), plan


def confirm_import(
    token: str, digest: str, *, actor: services.Actor, limits: Limits
) -> ImportResult:
    """Check the staged file again and apply it if it still does what was previewed
    (``digest`` is the previewed plan's); the caller commits once."""
    return staging.confirm(
        KIND,
        token,
        digest,
        user=actor.user,
        limits=limits,
        replan=lambda p: plan_import(p.content, p.filename, actor=actor, limits=limits),
        apply=lambda plan: _apply(plan, actor),
    )


def _apply(plan: ImportPlan, actor: services.Actor) -> ImportResult:
    result = ImportResult(filename=plan.filename)
    for row in plan.rows:
        fields = {
            "name": row.values[NAME],
            "phone": row.phone,
            "unit": row.unit,
            "category": row.category,
            "post": row.values[POST],
            "actor": actor,
        }
        if row.action is Action.CREATE:
            result.created.append(services.create_person(**fields))
        elif row.action is Action.UPDATE:
            services.update_person(row.person, **fields)
            result.updated.append(row.person)
    audit.record(
        "people.import",
        actor=actor.user,
        address=actor.address,
        detail=f"{plan.filename}：新增{len(result.created)}人，更新{len(result.updated)}人",
    )
    return result
