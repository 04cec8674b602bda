"""Helpers for the law library tests (imported explicitly)."""

import io

import docx

from yongxi_learn.extensions import db
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.study import laws
from yongxi_learn.study.law_parser import parse_text
from yongxi_learn.study.laws import LawMeta
from yongxi_learn.study.models import Law, LawKind

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
