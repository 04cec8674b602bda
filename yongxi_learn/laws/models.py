"""The law library: laws (法律法规, 党内法规...) in versions, split into articles.

Other features point at a law version and, optionally, one of its articles. When a
law is amended, a new Law row (same ``root_id``, ``version`` + 1) is made and the old
one is marked 已修改; references to the old version are then flagged 待复核.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..core.media import StoredMedia
from ..core.time import utcnow
from ..extensions import db
from ..org.models import OrgUnit, User


class LawKind(LabelledEnum):
    CONSTITUTIONAL = "constitutional", "宪法相关法"
    LAW = "law", "法律"
    ADMIN_REGULATION = "admin_reg", "行政法规"
    LOCAL_REGULATION = "local_reg", "地方性法规"
    PARTY_REGULATION = "party_reg", "党内法规"
    RULE = "rule", "规章"
    NORMATIVE = "normative", "规范性文件"


LAW_KIND_LABELS = LawKind.labels()


class LawStatus(LabelledEnum):
    CURRENT = "current", "现行有效"
    AMENDED = "amended", "已修改"
    REPEALED = "repealed", "已废止"


class Law(db.Model):
    __tablename__ = "law"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unit whose admins maintain this entry; every signed-in person can read it.
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    # Versions: the first version's id, shared by all versions; None on the first.
    root_id: Mapped[int | None] = mapped_column(sa.ForeignKey("law.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(200), index=True)
    short_name: Mapped[str] = mapped_column(sa.String(50), default="")
    kind: Mapped[LawKind] = mapped_column(str_enum(LawKind))
    issuer: Mapped[str] = mapped_column(sa.String(100), default="")
    promulgated_on: Mapped[date | None]
    effective_on: Mapped[date | None]
    status: Mapped[LawStatus] = mapped_column(
        str_enum(LawStatus), default=LawStatus.CURRENT, index=True
    )
    # Demo entries whose text is a sample: shown as 示例，以官方文本为准.
    sample: Mapped[bool] = mapped_column(default=False)
    # The library holds every article of this version: its text came in whole through
    # the importer (laws/importing.py), numbered 第一条 onwards without a gap. Only then
    # is an article label the law lacks wrong; for a law without text or with a few
    # articles (the demo's samples) such a label is kept as text, unchecked.
    full_text: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # What the text holds before its first heading or article: the title, the
    # promulgation notes, a 序言. Shown above the articles.
    preamble: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()
    articles: Mapped[list["LawArticle"]] = relationship(
        back_populates="law", cascade="all, delete-orphan", order_by="LawArticle.position"
    )

    @property
    def family_id(self) -> int:
        return self.root_id or self.id

    @property
    def display_name(self) -> str:
        return f"《{self.title}》"

    @property
    def is_current(self) -> bool:
        return self.status is LawStatus.CURRENT


class LawArticle(db.Model):
    """One 条 of a law version: 第十条之一 is number 10, suffix 1."""

    __tablename__ = "law_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(sa.ForeignKey("law.id"))
    position: Mapped[int]  # 0, 1, 2 ... in text order
    number: Mapped[int]
    suffix: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(30))  # "第十条之一", as printed
    # The 编/章/节 headings it stands under, joined by " / ": "第一章 总则 / 第一节 一般规定".
    heading: Mapped[str] = mapped_column(sa.String(300), default="")
    text: Mapped[str] = mapped_column(sa.Text)

    law: Mapped[Law] = relationship(back_populates="articles")

    __table_args__ = (
        sa.UniqueConstraint("law_id", "position", name="uq_law_article_law_position"),
    )


class ArticleAudio(StoredMedia, db.Model):
    """A 语音讲解 of one article: a short explanation recorded on a phone (a local
    dialect is welcome) by an admin or a 法律明白人 (laws/audio.py). The people of
    ``unit``'s subtree hear it: the uploader's 镇/街道, or for someone above every town
    their own unit."""

    __tablename__ = "law_article_audio"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("law_article.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[LawArticle] = relationship()
    unit: Mapped[OrgUnit] = relationship()
    uploaded_by: Mapped[User] = relationship()
