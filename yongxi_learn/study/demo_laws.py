# ruff: noqa: E501  (law text is kept one paragraph a line, as printed)
"""Demo data: the law library of a town cadre's 应知应会 list (see study/demo.py).

Titles, kinds and enacting bodies of real laws and party regulations; dates only
where they are certain (otherwise left empty for the admin to fill in). Article text
only for a few well-known articles whose wording is certain, and every law carrying
text is marked ``sample`` (shown as 示例，以官方文本为准). Never invented law text.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..exams import bank_links
from ..extensions import db
from ..org.models import OrgUnit
from ..org.services import SYSTEM
from . import laws
from .law_parser import parse_text
from .laws import LawMeta
from .models import Law, LawKind

NPC = "全国人民代表大会"
NPCSC = "全国人民代表大会常务委员会"


@dataclass(frozen=True)
class DemoLaw:
    title: str
    kind: LawKind
    issuer: str
    short_name: str = ""
    promulgated_on: date | None = None
    effective_on: date | None = None
    articles: str = ""  # "第一条　……" lines, only where the wording is certain


CONSTITUTION_ARTICLES = """第一条　中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主专政的社会主义国家。
社会主义制度是中华人民共和国的根本制度。中国共产党领导是中国特色社会主义最本质的特征。禁止任何组织或者个人破坏社会主义制度。
第二条　中华人民共和国的一切权力属于人民。
人民行使国家权力的机关是全国人民代表大会和地方各级人民代表大会。
人民依照法律规定，通过各种途径和形式，管理国家事务，管理经济和文化事业，管理社会事务。
第五条　中华人民共和国实行依法治国，建设社会主义法治国家。
国家维护社会主义法制的统一和尊严。
一切法律、行政法规和地方性法规都不得同宪法相抵触。
一切国家机关和武装力量、各政党和各社会团体、各企业事业组织都必须遵守宪法和法律。一切违反宪法和法律的行为，必须予以追究。
任何组织或者个人都不得有超越宪法和法律的特权。
第三十三条　凡具有中华人民共和国国籍的人都是中华人民共和国公民。
中华人民共和国公民在法律面前一律平等。
国家尊重和保障人权。
任何公民享有宪法和法律规定的权利，同时必须履行宪法和法律规定的义务。
"""

CIVIL_CODE_ARTICLES = """第一条　为了保护民事主体的合法权益，调整民事关系，维护社会和经济秩序，适应中国特色社会主义发展要求，弘扬社会主义核心价值观，根据宪法，制定本法。
第二条　民法调整平等主体的自然人、法人和非法人组织之间的人身关系和财产关系。
"""

CRIMINAL_LAW_ARTICLES = """第三条　法律明文规定为犯罪行为的，依照法律定罪处刑；法律没有明文规定为犯罪行为的，不得定罪处刑。
"""

ADMIN_PENALTY_ARTICLES = """第二条　行政处罚是指行政机关依法对违反行政管理秩序的公民、法人或者其他组织，以减损权益或者增加义务的方式予以惩戒的行为。
第九条　行政处罚的种类：
（一）警告、通报批评；
（二）罚款、没收违法所得、没收非法财物；
（三）暂扣许可证件、降低资质等级、吊销许可证件；
（四）限制开展生产经营活动、责令停产停业、责令关闭、限制从业；
（五）行政拘留；
（六）法律、行政法规规定的其他行政处罚。
"""

ADMIN_LICENSING_ARTICLES = """第二条　本法所称行政许可，是指行政机关根据公民、法人或者其他组织的申请，经依法审查，准予其从事特定活动的行为。
"""

LAWS = [
    DemoLaw(
        "中华人民共和国宪法", LawKind.CONSTITUTIONAL, NPC, "宪法", articles=CONSTITUTION_ARTICLES
    ),
    DemoLaw(
        "中国共产党章程",
        LawKind.PARTY_REGULATION,
        "中国共产党全国代表大会",
        "党章",
        promulgated_on=date(2022, 10, 22),
    ),
    DemoLaw(
        "中国共产党纪律处分条例",
        LawKind.PARTY_REGULATION,
        "中共中央",
        "纪律处分条例",
        effective_on=date(2024, 1, 1),
    ),
    DemoLaw(
        "中华人民共和国民法典",
        LawKind.LAW,
        NPC,
        "民法典",
        date(2020, 5, 28),
        date(2021, 1, 1),
        CIVIL_CODE_ARTICLES,
    ),
    DemoLaw("中华人民共和国刑法", LawKind.LAW, NPC, "刑法", articles=CRIMINAL_LAW_ARTICLES),
    DemoLaw(
        "中华人民共和国行政许可法",
        LawKind.LAW,
        NPCSC,
        "行政许可法",
        articles=ADMIN_LICENSING_ARTICLES,
    ),
    DemoLaw(
        "中华人民共和国行政处罚法",
        LawKind.LAW,
        NPC,
        "行政处罚法",
        date(2021, 1, 22),
        date(2021, 7, 15),
        ADMIN_PENALTY_ARTICLES,
    ),
    DemoLaw(
        "中华人民共和国行政强制法",
        LawKind.LAW,
        NPCSC,
        "行政强制法",
        date(2011, 6, 30),
        date(2012, 1, 1),
    ),
    DemoLaw(
        "中华人民共和国行政复议法",
        LawKind.LAW,
        NPCSC,
        "行政复议法",
        date(2023, 9, 1),
        date(2024, 1, 1),
    ),
    DemoLaw("中华人民共和国行政诉讼法", LawKind.LAW, NPC, "行政诉讼法"),
    DemoLaw(
        "中华人民共和国公务员法",
        LawKind.LAW,
        NPCSC,
        "公务员法",
        date(2018, 12, 29),
        date(2019, 6, 1),
    ),
    DemoLaw(
        "信访工作条例", LawKind.PARTY_REGULATION, "中共中央、国务院", effective_on=date(2022, 5, 1)
    ),
    DemoLaw(
        "中华人民共和国土地管理法",
        LawKind.LAW,
        NPCSC,
        "土地管理法",
        date(2019, 8, 26),
        date(2020, 1, 1),
    ),
    DemoLaw(
        "中华人民共和国安全生产法",
        LawKind.LAW,
        NPCSC,
        "安全生产法",
        date(2021, 6, 10),
        date(2021, 9, 1),
    ),
    DemoLaw("中华人民共和国村民委员会组织法", LawKind.CONSTITUTIONAL, NPCSC, "村民委员会组织法"),
    DemoLaw("中华人民共和国国家赔偿法", LawKind.LAW, NPCSC, "国家赔偿法"),
    DemoLaw("中华人民共和国治安管理处罚法", LawKind.LAW, NPCSC, "治安管理处罚法"),
    DemoLaw(
        "中华人民共和国国家安全法",
        LawKind.LAW,
        NPCSC,
        "国家安全法",
        date(2015, 7, 1),
        date(2015, 7, 1),
    ),
    DemoLaw("中华人民共和国未成年人保护法", LawKind.LAW, NPCSC, "未成年人保护法"),
    DemoLaw(
        "中华人民共和国反电信网络诈骗法",
        LawKind.LAW,
        NPCSC,
        "反电信网络诈骗法",
        date(2022, 9, 2),
        date(2022, 12, 1),
    ),
    DemoLaw(
        "中华人民共和国禁毒法", LawKind.LAW, NPCSC, "禁毒法", date(2007, 12, 29), date(2008, 6, 1)
    ),
]


def _exists(title: str, owner: OrgUnit) -> bool:
    query = sa.select(Law.id).where(Law.owner_unit_id == owner.id, Law.title == title)
    return db.session.scalar(query.limit(1)) is not None


def _create(demo: DemoLaw, owner: OrgUnit) -> Law:
    meta = LawMeta(
        title=demo.title,
        kind=demo.kind,
        short_name=demo.short_name,
        issuer=demo.issuer,
        promulgated_on=demo.promulgated_on,
        effective_on=demo.effective_on,
    )
    parsed = parse_text(demo.articles) if demo.articles else None
    return laws.create_law(meta, parsed, owner_unit=owner, actor=SYSTEM, sample=bool(parsed))


def seed_laws(town: OrgUnit, *, track) -> list[str]:
    """The demo library, kept by the town's district (or the town); the caller commits."""
    owner = town.parent or town
    missing = [demo for demo in LAWS if not _exists(demo.title, owner)]
    if missing:
        with track(missing, "法规库") as items:
            for demo in items:
                _create(demo, owner)
    linked = bank_links.link_by_name(town.id)
    if not missing and not linked:
        return []
    lines = [f"已载入法规库示例{len(missing)}部（少量条文为示例，以官方文本为准）。"]
    if linked:
        lines.append(f"示例题库中{linked}题已关联到法规库。")
    return lines
