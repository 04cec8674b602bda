"""Changing units and people. Every function checks the actor's permission over
the unit concerned, raises domain exceptions, and flushes; the caller commits."""

from dataclasses import dataclass

import sqlalchemy as sa

from ..core.exceptions import NotFound
from ..core.time import local_today
from ..extensions import db
from . import audit, credentials, signals
from .models import ALLOWED_CHILDREN, Category, OrgUnit, Role, RoleGrant, UnitKind, User
from .names import InvalidValue, clean_name, has_invisible, normalise_phone, pinyin_key
from .permissions import ROLE_PERMS, Perm, PermissionDenied, can, ensure, scope_filter
from .privacy import phone_digits, phone_search


class OrgError(Exception):
    """A change that cannot be made; the message is shown to the admin."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from where (for the audit log)."""

    user: User | None
    address: str = ""


SYSTEM = Actor(user=None, address="cli")


def audit_as(actor: Actor, action: str, obj, detail: str = "") -> None:
    """Record ``action`` in the audit log as done by ``actor``."""
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


_audit = audit_as


def _ensure(actor: Actor, perm: Perm, unit: OrgUnit) -> None:
    # The system actor (CLI, demo data) is trusted; people are checked.
    if actor.user is not None:
        ensure(actor.user, perm, unit)


# ---------------------------------------------------------------- units


def check_unit_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise OrgError("单位名称不能为空")
    if len(name) > 100:
        raise OrgError("单位名称不能超过100个字")
    if has_invisible(name):
        raise OrgError("单位名称含有控制字符或不可见字符")
    return name


def check_sibling_name(parent: OrgUnit | None, name: str, exclude: OrgUnit | None = None) -> None:
    query = sa.select(OrgUnit.id).where(OrgUnit.parent_id == (parent.id if parent else None))
    query = query.where(OrgUnit.name == name)
    if exclude is not None:
        query = query.where(OrgUnit.id != exclude.id)
    if db.session.scalar(query) is not None:
        raise OrgError(f"同一上级单位下已有名为“{name}”的单位")


def _check_kind(parent: OrgUnit | None, kind: UnitKind) -> None:
    if parent is not None and kind not in ALLOWED_CHILDREN[parent.kind]:
        raise OrgError(f"{parent.kind.label}下不能设立{kind.label}")


def create_unit(name: str, kind: UnitKind, parent: OrgUnit | None, *, actor: Actor) -> OrgUnit:
    if parent is None:
        if actor.user is not None:
            raise OrgError("只能在已有单位下新建单位")
    else:
        _ensure(actor, Perm.MANAGE_UNITS, parent)
        if not parent.active:
            raise OrgError("上级单位已停用")
    name = check_unit_name(name)
    _check_kind(parent, kind)
    check_sibling_name(parent, name)
    siblings = len(parent.children) if parent else 0
    unit = OrgUnit(name=name, kind=kind, parent=parent, sort_order=siblings, path="")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    _audit(actor, "unit.create", unit, detail=name)
    db.session.flush()
    return unit


def rename_unit(unit: OrgUnit, name: str, *, actor: Actor) -> None:
    _ensure(actor, Perm.MANAGE_UNITS, unit)
    name = check_unit_name(name)
    check_sibling_name(unit.parent, name, exclude=unit)
    old = unit.name
    unit.name = name
    _audit(actor, "unit.rename", unit, detail=f"{old} → {name}")
    db.session.flush()


def move_unit(unit: OrgUnit, new_parent: OrgUnit, *, actor: Actor) -> None:
    _ensure(actor, Perm.MANAGE_UNITS, unit)
    _ensure(actor, Perm.MANAGE_UNITS, new_parent)
    if unit.parent_id is None:
        raise OrgError("不能移动顶级单位")
    if unit.contains(new_parent):
        raise OrgError("不能把单位移到它自己或它的下级单位之下")
    if not new_parent.active:
        raise OrgError(f"单位“{new_parent.name}”已停用")
    _check_kind(new_parent, unit.kind)
    check_sibling_name(new_parent, unit.name, exclude=unit)
    old_prefix, new_prefix = unit.path, f"{new_parent.path}{unit.id}/"
    # One UPDATE rewrites the path of the whole subtree.
    db.session.execute(
        sa.update(OrgUnit)
        .where(OrgUnit.path.startswith(old_prefix, autoescape=True))
        .values(path=sa.literal(new_prefix) + sa.func.substr(OrgUnit.path, len(old_prefix) + 1))
        .execution_options(synchronize_session=False)
    )
    unit.parent = new_parent
    _audit(
        actor,
        "unit.move",
        unit,
        detail=f"→ {new_parent.name}",
    )
    db.session.flush()
    db.session.expire_all()


def set_unit_active(unit: OrgUnit, active: bool, *, actor: Actor) -> None:
    """Deactivate a unit and its subtree (only when nobody active is left in it),
    or reactivate one unit under an active parent."""
    _ensure(actor, Perm.MANAGE_UNITS, unit)
    subtree = OrgUnit.path.startswith(unit.path, autoescape=True)
    if active:
        if unit.parent is not None and not unit.parent.active:
            raise OrgError("上级单位已停用，请先启用上级单位")
        unit.active = True
    else:
        if unit.parent_id is None:
            raise OrgError("不能停用顶级单位")
        people = db.session.scalar(
            sa.select(sa.func.count(User.id)).join(User.unit).where(subtree, User.active)
        )
        if people:
            raise OrgError(f"该单位（含下级）仍有{people}名在岗人员，请先调整或停用这些人员")
        db.session.execute(
            sa.update(OrgUnit)
            .where(subtree)
            .values(active=False)
            .execution_options(synchronize_session=False)
        )
        db.session.expire_all()
    _audit(actor, "unit.activate" if active else "unit.deactivate", unit)
    db.session.flush()


def units_in_scope(user: User, perm: Perm, *, include_inactive: bool = True) -> list[OrgUnit]:
    """The units the user holds ``perm`` over, in tree order (siblings by sort order)."""
    query = sa.select(OrgUnit).where(scope_filter(user, perm))
    if not include_inactive:
        query = query.where(OrgUnit.active)
    return tree_order(db.session.scalars(query))


def tree_order(units) -> list[OrgUnit]:
    units = list(units)
    ids = {u.id for u in units}
    children: dict[int | None, list[OrgUnit]] = {}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    out: list[OrgUnit] = []
    stack = sorted(children.get(None, []), key=lambda u: (u.sort_order, u.id), reverse=True)
    while stack:
        unit = stack.pop()
        out.append(unit)
        kids = children.get(unit.id, [])
        stack.extend(sorted(kids, key=lambda u: (u.sort_order, u.id), reverse=True))
    return out


def get_unit(unit_id: int, *, user: User, perm: Perm) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not can(user, perm, unit):
        raise NotFound
    return unit


# ---------------------------------------------------------------- people


@dataclass
class PeopleQuery:
    text: str = ""
    unit_id: int | None = None
    category: Category | None = None
    include_inactive: bool = False


def people_select(user: User, q: PeopleQuery) -> sa.Select:
    """People the user may see, filtered and sorted by unit (in tree order) then pinyin name."""
    units = units_in_scope(user, Perm.VIEW_PEOPLE)
    # sort_order only orders siblings: the tree order is computed here, once.
    unit_order = (
        sa.case({u.id: i for i, u in enumerate(units)}, value=User.unit_id, else_=len(units))
        if units
        else sa.literal(0)
    )
    query = (
        sa.select(User)
        .join(User.unit)
        .where(scope_filter(user, Perm.VIEW_PEOPLE))
        .order_by(unit_order, User.post_rank, User.name_sort, User.name, User.id)
    )
    if not q.include_inactive:
        query = query.where(User.active)
    if q.unit_id:
        unit = db.session.get(OrgUnit, q.unit_id)
        if unit is not None:
            query = query.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    if q.category:
        query = query.where(User.category == q.category)
    text = (q.text or "").strip()
    if text:
        digits = phone_digits(text)
        conds = [
            User.name.contains(text, autoescape=True),
            OrgUnit.name.contains(text, autoescape=True),
        ]
        if digits:
            # Only what the viewer may see of a phone: never an oracle for hidden digits.
            conds.append(phone_search(user, digits))
        query = query.where(sa.or_(*conds))
    return query


def get_person(person_id: int, *, user: User, perm: Perm) -> User:
    person = db.session.get(User, person_id)
    if person is None or not can(user, perm, person.unit):
        raise NotFound
    return person


def may_manage_person(user: User, person: User) -> bool:
    """Whether ``user`` may edit, deactivate or reset the password of ``person``."""
    try:
        _ensure_manages(Actor(user=user), person)
    except PermissionDenied:
        return False
    return True


def _ensure_manages(actor: Actor, person: User) -> None:
    # MANAGE_PEOPLE over the person's unit, and every permission the person's own roles
    # give, over the same units: a unit admin must not reset the password of (and so
    # become) a town admin who sits in their village.
    _ensure(actor, Perm.MANAGE_PEOPLE, person.unit)
    for grant in person.grants:
        for perm in ROLE_PERMS[grant.role]:
            _ensure(actor, perm, grant.unit)


RESET_NEEDS_WIDER_GRANTS = (
    "该人员持有与您相同或更高的权限，只有权限更大的管理员才能重置其密码"
    "（或由服务器管理员使用 flask reset-password）"
)


def _outranks(user: User, person: User) -> bool:
    """Whether every grant of ``person`` is covered by a grant of ``user`` that is
    wider: over a larger subtree, or over the same unit with more permissions."""
    mine = [(ROLE_PERMS[g.role], g.unit) for g in user.grants if g.unit.active]
    for grant in person.grants:
        perms = ROLE_PERMS[grant.role]
        if not any(
            have >= perms
            and unit.contains(grant.unit)
            and (unit.id != grant.unit.id or have > perms)
            for have, unit in mine
        ):
            return False
    return person.id != user.id


def check_phone_free(phone: str, exclude: User | None = None) -> None:
    query = sa.select(User.id).where(User.phone == phone)
    if exclude is not None:
        query = query.where(User.id != exclude.id)
    if db.session.scalar(query) is not None:
        raise OrgError(f"手机号{phone}已被其他人员使用")


def clean_post(post: str) -> str:
    post = (post or "").strip()[:50]
    if has_invisible(post):
        raise OrgError("职务含有控制字符或不可见字符")
    return post


def _usable_unit(unit: OrgUnit, actor: Actor) -> None:
    _ensure(actor, Perm.MANAGE_PEOPLE, unit)
    if not unit.active:
        raise OrgError(f"单位“{unit.name}”已停用")


def create_person(
    *, name: str, phone: str, unit: OrgUnit, category: Category, post: str = "", actor: Actor
) -> tuple[User, str]:
    """Create a person with a random initial password; returns (person, password)."""
    _usable_unit(unit, actor)
    try:
        name, phone = clean_name(name), normalise_phone(phone)
    except InvalidValue as exc:
        raise OrgError(str(exc)) from exc
    post = clean_post(post)
    check_phone_free(phone)
    password = credentials.generate_password()
    person = User(
        name=name,
        name_sort=pinyin_key(name),
        phone=phone,
        unit=unit,
        category=category,
        post=post,
        password_hash=credentials.hash_generated_password(password),
        must_change_password=True,
        active=True,
        active_from=local_today(),
    )
    db.session.add(person)
    db.session.flush()
    _audit(actor, "person.create", person, detail=name)
    return person, password


def update_person(
    person: User,
    *,
    name: str,
    phone: str,
    unit: OrgUnit,
    category: Category,
    post: str,
    actor: Actor,
) -> None:
    _ensure_manages(actor, person)
    if unit.id != person.unit_id:
        _usable_unit(unit, actor)
    try:
        name, phone = clean_name(name), normalise_phone(phone)
    except InvalidValue as exc:
        raise OrgError(str(exc)) from exc
    post = clean_post(post)
    check_phone_free(phone, exclude=person)
    changes = []
    for field, value in (
        ("name", name),
        ("phone", phone),
        ("category", category),
        ("post", post),
    ):
        if getattr(person, field) != value:
            changes.append(field)
            setattr(person, field, value)
    if unit.id != person.unit_id:
        changes.append("unit")
        person.unit = unit
    person.name_sort = pinyin_key(person.name)
    if changes:
        _audit(
            actor,
            "person.update",
            person,
            detail=",".join(changes),
        )
    db.session.flush()


def set_person_active(person: User, active: bool, *, actor: Actor) -> None:
    _ensure_manages(actor, person)
    if actor.user is not None and person.id == actor.user.id and not active:
        raise OrgError("不能停用自己的账号")
    if person.active == active:
        return
    if active and not person.unit.active:
        raise OrgError(f"所在单位“{person.unit.name}”已停用，请先调整单位")
    person.active = active
    if active:
        person.active_from, person.active_until = local_today(), None
    else:
        person.active_until = local_today()
        signals.person_deactivated.send(person)
    _audit(actor, "person.activate" if active else "person.deactivate", person)
    db.session.flush()


def reset_password(person: User, *, actor: Actor) -> str:
    """A new random one-time password; the person must change it at next login.

    Whoever resets a password can log in as the person: an admin may do it only
    for someone whose every grant theirs strictly outranks (see _outranks); a peer
    with the same grants, or oneself, is refused (the server's
    ``flask reset-password`` has no such limit)."""
    _ensure_manages(actor, person)
    if actor.user is not None and not _outranks(actor.user, person):
        raise OrgError(RESET_NEEDS_WIDER_GRANTS)
    password = credentials.generate_password()
    person.password_hash = credentials.hash_generated_password(password)
    person.must_change_password = True
    person.failed_logins, person.locked_until = 0, None
    signals.password_reset.send(person)
    _audit(actor, "person.reset_password", person)
    db.session.flush()
    return password


def grant_role(person: User, role: Role, unit: OrgUnit, *, actor: Actor) -> RoleGrant:
    _ensure(actor, Perm.GRANT_ROLES, unit)
    _ensure(actor, Perm.VIEW_PEOPLE, person.unit)
    if not unit.active:
        raise OrgError(f"单位“{unit.name}”已停用")
    if any(g.role == role and g.unit_id == unit.id for g in person.grants):
        raise OrgError(f"{person.name}已是{unit.name}的{role.label}")
    grant = RoleGrant(role=role, unit=unit)
    person.grants.append(grant)
    _audit(
        actor,
        "role.grant",
        person,
        detail=f"{role.label}@{unit.name}",
    )
    db.session.flush()
    return grant


def revoke_role(grant: RoleGrant, *, actor: Actor) -> None:
    _ensure(actor, Perm.GRANT_ROLES, grant.unit)
    person = grant.user
    if actor.user is not None and person.id == actor.user.id and grant.role == Role.ADMIN:
        raise OrgError("不能撤销自己的管理员权限")
    person.grants.remove(grant)
    _audit(
        actor,
        "role.revoke",
        person,
        detail=f"{grant.role.label}@{grant.unit.name}",
    )
    db.session.flush()
