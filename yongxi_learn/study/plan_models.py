"""Study lists (学习清单): a year's list of laws for an audience, the person's choice of
重点 and 专业 items (the 2 + 1 rule), and their progress on each item."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.credit import CreditHours
from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..core.time import utcnow
from ..extensions import db
from ..laws.models import Law
from ..org.models import OrgUnit, User


class ItemKind(LabelledEnum):
    REQUIRED = "required", "必学"
    KEY = "key", "重点"
    FIELD = "field", "专业"


KIND_ORDER = [ItemKind.REQUIRED, ItemKind.KEY, ItemKind.FIELD]
ITEM_KIND_LABELS = ItemKind.labels()


class StudyList(db.Model):
    __tablename__ = "study_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # {"units": [ids], "categories": [values], "people": [ids]} (org/audience.py)
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Naive UTC; after it only an admin changes a choice. None: no deadline.
    choose_until: Mapped[datetime | None]
    key_count: Mapped[int] = mapped_column(default=2)  # N 重点 to choose
    field_count: Mapped[int] = mapped_column(default=1)  # M 专业 to choose
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()
    items: Mapped[list["StudyListItem"]] = relationship(
        back_populates="study_list",
        cascade="all, delete-orphan",
        order_by="(StudyListItem.position, StudyListItem.id)",
    )

    @property
    def sorted_items(self) -> list["StudyListItem"]:
        """必学, then 重点, then 专业, each in the order added."""
        return sorted(self.items, key=lambda i: KIND_ORDER.index(i.kind))

    @property
    def rule_text(self) -> str:
        return f"重点{self.key_count}部 + 专业{self.field_count}部"


class StudyListItem(db.Model):
    """One law of a list; 专业 items carry the units whose people may choose them."""

    __tablename__ = "study_list_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("study_list.id"), index=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind))
    position: Mapped[int] = mapped_column(default=0)
    law_id: Mapped[int] = mapped_column(sa.ForeignKey("law.id"), index=True)
    # Optional article range by number (第一条 = 1), inclusive; None: the whole law.
    article_from: Mapped[int | None]
    article_to: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    # 专业 items: the field's name as shown ("综合行政执法") and the units (subtrees)
    # whose people it belongs to.
    field_name: Mapped[str] = mapped_column(sa.String(50), default="")
    field_unit_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    needs_review: Mapped[bool] = mapped_column(default=False, index=True)
    # 学时 credited to a person who finishes the item on their plan (stats/credits.py).
    credit_hours: Mapped[Decimal] = mapped_column(
        CreditHours, default=Decimal(0), server_default="0"
    )

    study_list: Mapped[StudyList] = relationship(back_populates="items")
    law: Mapped[Law] = relationship(lazy="joined", innerjoin=True)

    @property
    def range_text(self) -> str:
        if self.article_from and self.article_to:
            return f"第{self.article_from}条至第{self.article_to}条"
        if self.article_from:
            return f"第{self.article_from}条起"
        return ""

    @property
    def title(self) -> str:
        text = self.law.display_name
        return f"{text}{self.range_text}" if self.range_text else text


class StudySelection(db.Model):
    """A 重点 or 专业 item a person chose (必学 items need no choice)."""

    __tablename__ = "study_selection"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("study_list.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("study_list_item.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who made the choice: the person, or an admin after the deadline.
    chosen_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    item: Mapped[StudyListItem] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        sa.UniqueConstraint("item_id", "user_id", name="uq_study_selection_item_user"),
    )


class StudyProgress(db.Model):
    """A person's progress on one item: readings of its articles, a 学习心得 note,
    and the 已学完 confirmation."""

    __tablename__ = "study_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("study_list.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("study_list_item.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    readings: Mapped[int] = mapped_column(default=0)
    last_read_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    finished_at: Mapped[datetime | None]

    item: Mapped[StudyListItem] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("item_id", "user_id", name="uq_study_progress_item_user"),
    )


class StudyTally(db.Model):
    """Per list and person: how many 重点 and 专业 items they chose and how many items
    on their plan (必学, or chosen) they finished. Kept by the study services
    (``study.tally``) in the same transaction as the choices and progress it counts;
    the figures read one row per person instead of grouping every choice and progress
    row of the list."""

    __tablename__ = "study_tally"

    list_id: Mapped[int] = mapped_column(sa.ForeignKey("study_list.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    key_n: Mapped[int] = mapped_column(default=0)
    field_n: Mapped[int] = mapped_column(default=0)
    done_n: Mapped[int] = mapped_column(default=0)
