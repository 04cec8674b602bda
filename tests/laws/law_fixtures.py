"""Helpers for the law library tests (imported explicitly)."""

import io
import os
from datetime import date
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.laws import services as laws
from yongxi_learn.laws.models import Law, LawKind
from yongxi_learn.laws.parser import article_label, parse_text
from yongxi_learn.laws.services import LawMeta
from yongxi_learn.org.services import SYSTEM, Actor

URL = "/laws/"

# Real-shaped text as the national laws database prints it: title, promulgation
# notes, a 目录, 章 and 节 headings, full-width spaces, blank lines, an inserted
# 之一 article and a three-digit article number. The wording is made up.
LAW_TEXT = """\ufeff中华人民共和国示例管理法

（2001年1月1日第九届全国人民代表大会常务委员会第二十次会议通过　2021年1月1日修订）

目　　录

第一章　总　　则
第二章　管　　理
　第一节　一般规定
　第二节　特别规定
第三章　附　　则

第一章　总　　则

第一条　为了规范示例管理，制定本法。

第二条　本法适用于下列事项：
　　（一）甲事项；

　　（二）乙事项。
第二章　管　　理
第一节　一般规定
第十条　示例管理实行统一领导。
第十条之一　示例管理应当公开。
第一百零二条　违反本法规定的，依法追究责任。
第二节　特别规定
第一百零三条　特别事项另行规定。
第三章　附　　则
第一百零四条　本法自2021年1月1日起施行。
"""

AMENDED_TEXT = LAW_TEXT.replace("示例管理实行统一领导。", "示例管理实行统一领导、分级负责。")


def actor_of(user) -> Actor:
    return Actor(user=user, address="test")


def make_law(
    owner,
    title="中华人民共和国示例管理法",
    text=LAW_TEXT,
    *,
    actor=SYSTEM,
    kind=LawKind.LAW,
    short_name="示例管理法",
) -> Law:
    meta = LawMeta(
        title=title, kind=kind, short_name=short_name, issuer="全国人民代表大会常务委员会"
    )
    law = laws.create_law(meta, parse_text(text) if text else None, owner_unit=owner, actor=actor)
    db.session.commit()
    return law


def docx_bytes(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# Real law texts as the national laws database publishes them (../shared/laws of the
# project; laws are not subject to copyright, 著作权法 第五条).
REAL_LAWS = Path(__file__).parent.parent / "data" / "laws"
PENALTY_LAW = "中华人民共和国行政处罚法"
PENALTY_ARTICLES = 86  # counted in the source's manifest, independently of the parser


def real_text(name="行政处罚法(2021-01-22).txt") -> str:
    return (REAL_LAWS / name).read_text(encoding="utf-8")


def excerpt(text: str, numbers) -> str:
    """Only the articles ``numbers`` of ``text``, word for word: a law the library holds
    a few articles of, as the demo does."""
    wanted = {article_label(n) for n in numbers}
    return "\n".join(f"{a.label}　{a.text}" for a in parse_text(text).articles if a.label in wanted)


def make_penalty_law(owner, *, whole: bool) -> Law:
    """行政处罚法 in the library: its whole text as the importer saves it, or only its
    第二条 and 第九条 as the demo's sample."""
    meta = LawMeta(
        title=PENALTY_LAW, kind=LawKind.LAW, short_name="行政处罚法", issuer="全国人民代表大会"
    )
    text = real_text() if whole else excerpt(real_text(), (2, 9))
    law = laws.create_law(
        meta, parse_text(text), owner_unit=owner, actor=SYSTEM, sample=not whole, full_text=whole
    )
    db.session.commit()
    return law


# ../shared/laws beside the clone: 22 national laws with a manifest counting their articles.
SHARED_LAWS = Path(__file__).resolve().parents[3] / "shared" / "laws"


def shared_laws() -> Path:
    if not (SHARED_LAWS / "manifest.csv").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_LAWS} is missing: CI must have ../shared beside the clone")
        pytest.skip(f"{SHARED_LAWS} is absent (../shared is not beside this clone)")
    return SHARED_LAWS


def version_of(title: str, promulgated: str) -> Law:
    query = sa.select(Law).where(
        Law.title == title, Law.promulgated_on == date.fromisoformat(promulgated)
    )
    return db.session.scalars(query).one()
