"""The unit tree and the people in it."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..core.time import utcnow
from ..extensions import db
from .posts import NO_POST, post_rank


class UnitKind(LabelledEnum):
    DISTRICT = "district", "区"
    TOWN = "town", "镇/街道"
    OFFICE = "office", "科室/站所"
    VILLAGE = "village", "村/社区"


UNIT_KIND_LABELS = UnitKind.labels()

# Which kinds may hang under which: 区 → 镇/街道 → 科室·站所 / 村·社区.
ALLOWED_CHILDREN = {
    UnitKind.DISTRICT: {UnitKind.TOWN},
    UnitKind.TOWN: {UnitKind.OFFICE, UnitKind.VILLAGE},
    UnitKind.OFFICE: set(),
    UnitKind.VILLAGE: set(),
}


class Category(LabelledEnum):
    LEADER = "leader", "领导干部"
    OFFICIAL = "official", "机关干部"
    VILLAGE_CADRE = "village_cadre", "村(社区)两委干部"
    LEGAL_LIAISON = "legal_liaison", "法律明白人"
    OTHER = "other", "其他"


CATEGORY_LABELS = Category.labels()


class Role(LabelledEnum):
    """Granted roles; every person is also a learner (学员) without a grant."""

    UNIT_ADMIN = "unit_admin", "单位管理员"
    ADMIN = "admin", "管理员"
    REVIEWER = "reviewer", "审阅人"


ROLE_LABELS = {role: role.label for role in (Role.ADMIN, Role.UNIT_ADMIN, Role.REVIEWER)}


class OrgUnit(db.Model):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    # Materialised path of ids, e.g. "/1/4/17/": a subtree is ``path LIKE '/1/4/%'``,
    # one indexed range scan on both databases.
    path: Mapped[str] = mapped_column(
        sa.String(255).with_variant(sa.String(255, collation="C"), "postgresql"),
        default="",
        index=True,
    )
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["OrgUnit"]] = relationship(
        back_populates="parent", order_by="(OrgUnit.sort_order, OrgUnit.id)"
    )

    __table_args__ = (sa.UniqueConstraint("parent_id", "name", name="uq_org_unit_parent_name"),)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def contains(self, other: "OrgUnit") -> bool:
        return other.path.startswith(self.path)

    @property
    def path_ids(self) -> tuple[int, ...]:
        """The ids of the units from the top down to this one, read off the path: unit X
        contains this one exactly when X's id is among them."""
        return tuple(int(part) for part in self.path.strip("/").split("/") if part)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.id} {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "user"
    # The people of a unit with what the figures ask of each (active, category, until
    # when): every audience and coverage figure joins 20,000 people to their units,
    # and reads them from this index alone instead of from each person's row.
    __table_args__ = (
        sa.Index("ix_user_unit_people", "unit_id", "active", "category", "active_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored exactly as given: no NFKC, so 生僻字 and compatibility characters survive.
    name: Mapped[str] = mapped_column(sa.String(50))
    # Pinyin sort key ("zeng guo fan"), kept in step with name by the services.
    name_sort: Mapped[str] = mapped_column(
        sa.String(255).with_variant(sa.String(255, collation="C"), "postgresql"),
        default="",
        index=True,
    )
    phone: Mapped[str] = mapped_column(sa.String(11), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"))
    category: Mapped[Category] = mapped_column(str_enum(Category))
    post: Mapped[str] = mapped_column(sa.String(50), default="")
    # The rank of post (org/posts.py): within a unit, people list by it, then by name.
    # Kept in step with post by _rank_post below, wherever post is set.
    post_rank: Mapped[int] = mapped_column(
        sa.SmallInteger, default=NO_POST, server_default=sa.text(str(NO_POST))
    )
    active: Mapped[bool] = mapped_column(default=True)
    active_from: Mapped[date | None]
    active_until: Mapped[date | None]
    # Wrong passwords (and tries refused by a lock) for this person since their last
    # login, shown to them at the next (auth/history.py); the lock itself is counted
    # per phone in login_failure, whether or not the phone is anyone's.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # The last successful login and the kind of device it came from ("手机浏览器"):
    # what the person is told at their next login. No address, no browser string.
    last_login_at: Mapped[datetime | None]
    last_login_device: Mapped[str] = mapped_column(sa.String(16), default="", server_default="")
    password_changed_at: Mapped[datetime | None]
    # 长辈模式 (large text, high contrast, one question per screen), the person's own
    # choice: kept here so it follows them to another device; pages read it from the
    # cookie auth/elder.py sets from it at login and when it is switched.
    elder_mode: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)
    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Set by the auth layer to the login this request runs under (auth.sessions.LiveLogin).
    current_login = None

    # Compare by identity (one object per row in a session), not by UserMixin's
    # get_id(): that is a login token, and most people have no session here.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def get_id(self) -> str:
        # Flask-Login keeps this in the cookie: the login session's token, not the
        # user id, so ending that session (logout, reset) ends the cookie too.
        return self.current_login.token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def category_label(self) -> str:
        return self.category.label

    def has_role(self, *roles: Role) -> bool:
        return any(g.role in roles for g in self.grants)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.name}>"


@sa.event.listens_for(User.post, "set")
def _rank_post(person: User, post: str, _old, _initiator) -> None:
    person.post_rank = post_rank(post)


class RoleGrant(db.Model):
    """A role over a unit subtree: 管理员 of 雍溪镇, 单位管理员 of 石佛村, ..."""

    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "unit_id", name="uq_role_grant_user_role_unit"),
    )
