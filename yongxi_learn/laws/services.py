"""The law library's changes: create a law from its parsed text, edit its metadata,
import a new version (amendment), repeal. And what other features ask of it: the
current laws, an article by its label.

Services take ``actor`` (org.services.Actor), check MANAGE_STUDY over the law's owner
unit, change data and flush; the view commits. Every signed-in person may read laws.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..core.exceptions import NotFound
from ..extensions import db
from ..org import audit
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, can, ensure, scope_units
from ..org.services import Actor, tree_order
from . import references
from .models import LAW_KIND_LABELS, Law, LawArticle, LawKind, LawStatus
from .parser import ParsedLaw, article_label, parse_label

TITLE_MAX, SHORT_MAX, ISSUER_MAX = 200, 50, 100


class LawError(Exception):
    """A change that cannot be made; the message is shown to the admin."""


@dataclass
class LawMeta:
    """A law's metadata as entered (the form and the staged import carry it)."""

    title: str
    kind: LawKind
    short_name: str = ""
    issuer: str = ""
    promulgated_on: date | None = None
    effective_on: date | None = None

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "kind": self.kind.value,
            "short_name": self.short_name,
            "issuer": self.issuer,
            "promulgated_on": _iso(self.promulgated_on),
            "effective_on": _iso(self.effective_on),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "LawMeta":
        return cls(
            title=str(data.get("title", "")),
            kind=LawKind(data.get("kind", LawKind.LAW.value)),
            short_name=str(data.get("short_name", "")),
            issuer=str(data.get("issuer", "")),
            promulgated_on=_date(data.get("promulgated_on")),
            effective_on=_date(data.get("effective_on")),
        )

    @classmethod
    def of(cls, law: Law) -> "LawMeta":
        return cls(
            law.title,
            law.kind,
            law.short_name,
            law.issuer,
            law.promulgated_on,
            law.effective_on,
        )


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


# ---------------------------------------------------------------- checks


def _clean(text: str, limit: int, name: str, required: bool = False) -> str:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()
    if required and not text:
        raise LawError(f"请填写{name}")
    if len(text) > limit:
        raise LawError(f"{name}不能超过{limit}个字")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise LawError(f"{name}含有控制字符或不可见字符")
    return text


def check_meta(meta: LawMeta) -> LawMeta:
    """The metadata cleaned, or LawError with the first problem."""
    title = _clean(meta.title, TITLE_MAX, "法规名称", required=True).strip("《》")
    if meta.kind not in LAW_KIND_LABELS:
        raise LawError("请选择法规类别")
    if meta.promulgated_on and meta.effective_on and meta.effective_on < meta.promulgated_on:
        raise LawError("施行日期不能早于公布日期")
    return LawMeta(
        title=title,
        kind=meta.kind,
        short_name=_clean(meta.short_name, SHORT_MAX, "简称"),
        issuer=_clean(meta.issuer, ISSUER_MAX, "制定机关"),
        promulgated_on=meta.promulgated_on,
        effective_on=meta.effective_on,
    )


def ensure_manage(actor: Actor, unit: OrgUnit) -> None:
    # The CLI (seed-demo) acts without a user.
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_STUDY, unit)


def can_manage(user: User, law: Law) -> bool:
    return can(user, Perm.MANAGE_STUDY, law.owner_unit)


def library_units(user: User) -> list[OrgUnit]:
    """The units whose library ``user`` keeps: the roots of their MANAGE_STUDY grants."""
    return tree_order(scope_units(user, Perm.MANAGE_STUDY))


def _audit(actor: Actor, action: str, obj, detail: str = "") -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


# ---------------------------------------------------------------- reading


def get_law(law_id: int) -> Law:
    law = db.session.get(Law, law_id)
    if law is None:
        raise NotFound
    return law


def versions(law: Law) -> list[Law]:
    family = law.family_id
    query = sa.select(Law).where(sa.or_(Law.id == family, Law.root_id == family))
    return list(db.session.scalars(query.order_by(Law.version)))


def current_laws() -> list[Law]:
    query = sa.select(Law).where(Law.status == LawStatus.CURRENT)
    return list(db.session.scalars(query.order_by(Law.kind, Law.title)))


def find_current(name: str) -> Law | None:
    """The current law whose title or short name is ``name`` (《》 and spaces ignored);
    of several (units keeping the same law), one whose whole text the library holds."""
    key = re.sub(r"[\s《》]+", "", name or "")
    if not key:
        return None
    query = sa.select(Law).where(
        Law.status == LawStatus.CURRENT, sa.or_(Law.title == key, Law.short_name == key)
    )
    return db.session.scalars(query.order_by(Law.full_text.desc(), Law.id)).first()


def find_article(law: Law, label: str) -> LawArticle | None:
    """The article of ``law`` printed as ``label`` (第十条之一, 10, 第10条 ...)."""
    try:
        number, suffix = parse_label(label)
    except ValueError:
        return None
    return _find(law, number, suffix)


def _find(law: Law, number: int, suffix: int) -> LawArticle | None:
    query = sa.select(LawArticle).where(
        LawArticle.law_id == law.id, LawArticle.number == number, LawArticle.suffix == suffix
    )
    return db.session.scalars(query.order_by(LawArticle.position)).first()


@dataclass(frozen=True)
class ArticleRef:
    """An article label of a law as the library reads it: the article when the library
    holds it, else the label (canonical when it is one) and, when the library cannot
    check it, a warning saying so."""

    article: LawArticle | None
    label: str
    warning: str = ""


def article_for(law: Law, label: str) -> ArticleRef:
    """What ``label`` points at in ``law``, for a question's link (the one owner of the
    rule, for the bank form and the import alike). LawError when the library can tell it
    is wrong: the law's whole text is in the library (``full_text``) and has no such
    article, or the label is no article label while the law has text. A label the
    library cannot confirm, its text of the law being incomplete, is kept as text (it
    links once the whole text is imported) with a warning."""
    label = (label or "").strip()
    if not label:
        return ArticleRef(None, "")
    try:
        number, suffix = parse_label(label)
    except ValueError:
        if has_articles(law):
            raise LawError(
                f"{law.display_name}中没有“{label}”，请填写如“第十条”“第十条之一”"
            ) from None
        return ArticleRef(None, label, _unchecked(law, f"“{label}”"))
    article = _find(law, number, suffix)
    if article is not None:
        return ArticleRef(article, article.label)
    printed = article_label(number, suffix)
    if law.full_text:
        raise LawError(_missing(law, number, printed))
    return ArticleRef(None, printed, _unchecked(law, printed))


def _missing(law: Law, number: int, printed: str) -> str:
    # A whole text is numbered 1..N without a gap, so its highest number is its count.
    last = (
        db.session.scalar(
            sa.select(sa.func.max(LawArticle.number)).where(
                LawArticle.law_id == law.id, LawArticle.suffix == 0
            )
        )
        or 0
    )
    if number > last:
        return f"{law.display_name}共{last}条，没有{printed}"
    return f"{law.display_name}中没有{printed}"


def _unchecked(law: Law, what: str) -> str:
    held = "的条文不全" if has_articles(law) else "尚无条文"
    return f"法规库中{law.display_name}{held}，无法核对{what}，已按文字保存"


def has_articles(law: Law) -> bool:
    query = sa.select(LawArticle.id).where(LawArticle.law_id == law.id).limit(1)
    return db.session.scalar(query) is not None


# ---------------------------------------------------------------- changes


def _duplicate(title: str, owner_unit: OrgUnit, exclude_family: int | None = None) -> bool:
    query = sa.select(Law.id).where(
        Law.owner_unit_id == owner_unit.id, Law.title == title, Law.status == LawStatus.CURRENT
    )
    if exclude_family is not None:
        query = query.where(
            Law.id != exclude_family, sa.or_(Law.root_id.is_(None), Law.root_id != exclude_family)
        )
    return db.session.scalar(query.limit(1)) is not None


def ensure_new(title: str, owner_unit: OrgUnit) -> None:
    if _duplicate(title, owner_unit):
        raise LawError(f"法规库中已有现行有效的《{title}》；修订后的文本请用“导入新版本”")


def _add_articles(law: Law, parsed: ParsedLaw | None, full_text: bool) -> int:
    """Flush the new ``law`` with its articles; returns how many. The articles go in
    as one multi-row INSERT, not as ORM objects: 民法典's 1,260 would otherwise take
    most of an import (and of ``seed-demo``)."""
    if parsed is not None:
        # A text given as whole that skips numbers is not trusted to be whole.
        law.full_text = full_text and parsed.numbered_whole
        law.preamble = "\n".join(parsed.preamble)
    db.session.add(law)
    db.session.flush()
    if parsed is None or not parsed.articles:
        return 0
    rows = [
        {
            "law_id": law.id,
            "position": position,
            "number": article.number,
            "suffix": article.suffix,
            "label": article.label,
            "heading": article.heading[:300],
            "text": article.text,
        }
        for position, article in enumerate(parsed.articles)
    ]
    db.session.execute(sa.insert(LawArticle), rows)
    db.session.expire(law, ["articles"])
    return len(rows)


def create_law(
    meta: LawMeta,
    parsed: ParsedLaw | None,
    *,
    owner_unit: OrgUnit,
    actor: Actor,
    sample: bool = False,
    full_text: bool = False,
) -> Law:
    """A new law; ``full_text`` when ``parsed`` is meant to be its whole text (the
    importer), as opposed to a few articles (an excerpt)."""
    ensure_manage(actor, owner_unit)
    meta = check_meta(meta)
    ensure_new(meta.title, owner_unit)
    law = Law(owner_unit=owner_unit, sample=sample, created_by_id=_user_id(actor))
    _assign(law, meta)
    count = _add_articles(law, parsed, full_text)
    _audit(actor, "law.create", law, f"{law.display_name}，{count}条")
    return law


def _user_id(actor: Actor) -> int | None:
    return actor.user.id if actor.user is not None else None


def _assign(law: Law, meta: LawMeta) -> None:
    law.title = meta.title
    law.kind = meta.kind
    law.short_name = meta.short_name
    law.issuer = meta.issuer
    law.promulgated_on = meta.promulgated_on
    law.effective_on = meta.effective_on


def update_law(law: Law, meta: LawMeta, *, actor: Actor) -> None:
    """Correct the metadata of a version (a typo, a date); the text stays."""
    ensure_manage(actor, law.owner_unit)
    meta = check_meta(meta)
    if law.is_current and _duplicate(meta.title, law.owner_unit, exclude_family=law.family_id):
        raise LawError(f"法规库中已有现行有效的《{meta.title}》")
    before = LawMeta.of(law).to_dict()
    _assign(law, meta)
    db.session.flush()
    after = meta.to_dict()
    changed = [key for key in after if after[key] != before[key]]
    _audit(actor, "law.update", law, "、".join(changed))


def import_version(
    law: Law, meta: LawMeta, parsed: ParsedLaw, *, actor: Actor, full_text: bool = False
) -> Law:
    """The amended text as a new version; the old one becomes 已修改 and whatever points
    at an older version is flagged 待复核. Returns the new version; ``full_text`` as
    for create_law."""
    ensure_manage(actor, law.owner_unit)
    if not law.is_current:
        raise LawError("只能为现行有效的版本导入新版本")
    meta = check_meta(meta)
    older = versions(law)
    newer = Law(
        owner_unit_id=law.owner_unit_id,
        root_id=law.family_id,
        version=max(v.version for v in older) + 1,
        created_by_id=_user_id(actor),
    )
    _assign(newer, meta)
    law.status = LawStatus.AMENDED
    count = _add_articles(newer, parsed, full_text)
    flagged = references.flag_references([v.id for v in older])
    _audit(
        actor,
        "law.version",
        newer,
        f"{newer.display_name}第{newer.version}版，{count}条；{flagged}项引用待复核",
    )
    return newer


def repeal_law(law: Law, *, actor: Actor) -> int:
    """Mark a law 已废止; what points at it is flagged 待复核. Returns how many."""
    ensure_manage(actor, law.owner_unit)
    if not law.is_current:
        raise LawError("只有现行有效的法规可以标记为已废止")
    law.status = LawStatus.REPEALED
    db.session.flush()
    flagged = references.flag_references([v.id for v in versions(law)])
    _audit(actor, "law.repeal", law, f"{law.display_name}；{flagged}项引用待复核")
    return flagged
