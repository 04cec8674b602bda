"""An audience: who a paper, a training session, a study list or a reading is for.

Stored as ``{"units": [ids], "categories": [values], "people": [ids]}``: the people of
the units' subtrees plus the named people, limited to the categories when any are given.
"""

import unicodedata

import sqlalchemy as sa

from ..extensions import db
from .models import Category, OrgUnit, User


class AudienceError(ValueError):
    """An audience that does not fit its owner; the message is shown."""


def check(audience: dict, owner: OrgUnit, *, noun: str = "对象") -> None:
    """Units and named people must lie in the owner's subtree; categories be known."""
    for unit_id in audience.get("units", []):
        unit = db.session.get(OrgUnit, unit_id)
        if unit is None or not owner.contains(unit):
            raise AudienceError(f"{noun}中的单位不在本单位范围内")
    for value in audience.get("categories", []):
        if value not in set(Category):
            raise AudienceError(f"{noun}中的人员类别不正确")
    people = set(audience.get("people", []))
    if people:  # one query: a list of phones may name thousands
        inside = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .join(User.unit)
            .where(User.id.in_(people), OrgUnit.path.startswith(owner.path, autoescape=True))
        )
        if inside != len(people):
            raise AudienceError(f"{noun}中的人员不在本单位范围内")


def people_by_phones(text: str, owner: OrgUnit) -> list[int]:
    """Ids of the people whose phones are listed (any separators), in the owner's subtree."""
    text = unicodedata.normalize("NFKC", text or "")
    phones = list(dict.fromkeys(_split_phones(text)))
    found = {
        u.phone: u
        for u in db.session.scalars(sa.select(User).where(User.phone.in_(phones)))
        if owner.contains(u.unit)
    }
    missing = [p for p in phones if p not in found]
    if missing:
        raise AudienceError(f"手机号{'、'.join(missing)}不存在或不在本单位范围内")
    return [found[p].id for p in phones]


def _split_phones(text: str) -> list[str]:
    for sep in ",;，；、\n\r\t":
        text = text.replace(sep, " ")
    return [p for p in text.split(" ") if p]


def phones_of(audience: dict) -> str:
    """The named people's phones, one per line, to put back into a form."""
    ids = (audience or {}).get("people", [])
    if not ids:
        return ""
    return "\n".join(db.session.scalars(sa.select(User.phone).where(User.id.in_(ids))))


def people_select(audience: dict) -> sa.Select:
    """Active people in the audience, by id."""
    audience = audience or {}
    units = db.session.scalars(
        sa.select(OrgUnit).where(OrgUnit.id.in_(audience.get("units", [])))
    ).all()
    who = [OrgUnit.path.startswith(u.path, autoescape=True) for u in units]
    if audience.get("people"):
        who.append(User.id.in_(audience["people"]))
    query = sa.select(User).join(User.unit).where(User.active, sa.or_(sa.false(), *who))
    if audience.get("categories"):
        query = query.where(User.category.in_([Category(c) for c in audience["categories"]]))
    return query.order_by(User.id)


def includes(audience: dict, user: User) -> bool:
    """Whether ``people_select(audience)`` holds ``user``, without a query: a unit's
    subtree holds the person exactly when the unit's id is on the path of the person's
    unit (paths are the ids of a unit and of those above it). For the pages a person
    opens, which check one audience after another."""
    audience = audience or {}
    if not user.active or user.unit is None:
        return False
    named = user.id in audience.get("people", [])
    if not (named or not set(user.unit.path_ids).isdisjoint(audience.get("units", []))):
        return False
    categories = audience.get("categories")
    return not categories or user.category in {Category(c) for c in categories}


def count(audience: dict) -> int:
    query = people_select(audience).order_by(None).with_only_columns(sa.func.count(User.id))
    return db.session.scalar(query)
