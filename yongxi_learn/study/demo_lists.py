"""Demo data: see study/demo.py. Dated from the day it is loaded: last year's study
list for 雍溪镇's leading cadres with 2 + 1 choices and progress, and two reading
assignments with partial progress; this year's list, whose choices are still open (a
few leaders have chosen, the demo logins have not), and a reading due in two weeks
that some have confirmed and the demo logins have not opened.

Laws are found by title; any missing (before the law library's seed_laws exists) is
added as a metadata-only entry without text. The 以案释法 case is a made-up example,
marked as such.
"""

import random
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..core.time import LOCAL_TZ, to_local
from ..extensions import db
from ..laws.models import Law, LawKind
from ..org.audience import people_select
from ..org.models import Category, OrgUnit, User
from ..org.services import SYSTEM, Actor
from . import plans, readings
from .plan_models import ItemKind, StudyList
from .reading_models import ReadingAssignment, ReadingKind


def list_name(year: int) -> str:
    return f"{year}年领导干部应知应会党内法规和国家法律清单"


K, P, L, A = LawKind.CONSTITUTIONAL, LawKind.PARTY_REGULATION, LawKind.LAW, LawKind.ADMIN_REGULATION
# (title, kind, issuer)
LAWS = {
    "中华人民共和国宪法": (K, "全国人民代表大会"),
    "中国共产党章程": (P, "中国共产党全国代表大会"),
    "中国共产党纪律处分条例": (P, "中共中央"),
    "信访工作条例": (P, "中共中央、国务院"),
    "中华人民共和国民法典": (L, "全国人民代表大会"),
    "中华人民共和国行政处罚法": (L, "全国人民代表大会常务委员会"),
    "中华人民共和国行政许可法": (L, "全国人民代表大会常务委员会"),
    "中华人民共和国公务员法": (L, "全国人民代表大会常务委员会"),
    "中华人民共和国地方各级人民代表大会和地方各级人民政府组织法": (L, "全国人民代表大会"),
    "中华人民共和国乡村振兴促进法": (L, "全国人民代表大会常务委员会"),
    "中华人民共和国安全生产法": (L, "全国人民代表大会常务委员会"),
    "中华人民共和国土地管理法": (L, "全国人民代表大会常务委员会"),
    "中华人民共和国人民调解法": (L, "全国人民代表大会常务委员会"),
}
REQUIRED = ["中华人民共和国宪法", "中国共产党章程"]
KEY = [
    "中国共产党纪律处分条例",
    "信访工作条例",
    "中华人民共和国民法典",
    "中华人民共和国行政处罚法",
    "中华人民共和国行政许可法",
    "中华人民共和国公务员法",
]
# (title, field name, unit names; "" is the town itself: the leading cadres' own field)
FIELD = [
    ("中华人民共和国地方各级人民代表大会和地方各级人民政府组织法", "镇党委政府", [""]),
    ("中华人民共和国乡村振兴促进法", "乡村振兴", [""]),
    ("中华人民共和国安全生产法", "安全生产", [""]),
    ("中华人民共和国土地管理法", "规划建设", ["规划建设管理环保办公室"]),
    ("中华人民共和国人民调解法", "司法行政", ["司法所"]),
]
CASE_TITLE = "以案释法（示例案例）：未告知陈述申辩权利的罚款决定被撤销"
# The 学时 each reading and each list item credits when completed.
READING_CREDIT = Decimal(1)
ITEM_CREDIT = Decimal(2)
CURRENT_READING = "{year}年度学习：宪法总纲第一条至第五条"
_CASE = """<p><strong>示例案例：人物、单位与情节均为虚构，仅供学习演示。</strong></p>
<h3>基本案情</h3>
<p>某镇综合行政执法人员在检查中发现，个体经营者王某（化名）占用人行道堆放建材。执法人员当场拍照取证后，
次日即向王某送达了罚款决定书，决定书作出前未告知王某拟作出处罚的事实、理由和依据，也未告知其享有陈述、申辩的权利。
王某不服，申请行政复议。</p>
<h3>处理结果</h3>
<p>复议机关经审查认为，行政机关作出行政处罚决定前未履行告知义务，程序违法，决定撤销该罚款决定，
并责令执法机关依法重新处理。</p>
<h3>法理分析</h3>
<ul>
<li>行政处罚法规定，行政机关在作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据，
并告知当事人依法享有的陈述、申辩、要求听证等权利。</li>
<li>当事人有权进行陈述和申辩，行政机关必须充分听取当事人的意见，不得因当事人陈述、申辩而给予更重的处罚。</li>
<li>程序合法与实体合法同等重要：事实再清楚，程序违法的处罚决定同样站不住脚。</li>
</ul>
<h3>启示</h3>
<p>基层执法要把“告知—听取意见—决定”的程序走完整、留好痕，做到严格规范公正文明执法。</p>
<p>（具体条文请以官方文本为准。）</p>"""
# Lines are joined without spaces: a line break inside Chinese text would show as one.
CASE_BODY = "".join(line.strip() for line in _CASE.splitlines())


def _at(day: date, hour: int = 10) -> datetime:
    """A Beijing time on ``day`` as the naive UTC the columns store."""
    local = datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def find_or_add_law(town: OrgUnit, title: str, kind: LawKind, issuer: str) -> Law:
    """The current law of that title (from the law library's demo), else a new entry
    with metadata only (no text), owned by the town."""
    law = db.session.scalar(
        sa.select(Law).where(Law.title == title).order_by(Law.version.desc(), Law.id.desc())
    )
    if law is None:
        law = Law(owner_unit=town, title=title, kind=kind, issuer=issuer)
        db.session.add(law)
        db.session.flush()
    return law


def seed_lists(
    town: OrgUnit, *, track, now: datetime, keep_open: Collection[int] = ()
) -> list[str]:
    """Last year's list and readings, then this year's, each once. ``keep_open``: ids of
    people (the demo logins) who have neither chosen nor read this year."""
    laws = {t: find_or_add_law(town, t, kind, issuer) for t, (kind, issuer) in LAWS.items()}
    today = to_local(now).date()
    past, year = today.year - 1, today.year
    lines = []
    if _existing(StudyList, StudyList.name, list_name(past), town) is None:
        lst = _create_list(town, laws, past, _at(date(past, 3, 31), 23))
        leaders = _leaders(town, ())[:7]
        chose, finished = _choices(lst, leaders, track, start=_at(date(past, 3, 1)))
        lines.append(
            f"已载入学习清单“{lst.name}”（{chose}名领导干部已选学，{finished}人全部学完）。"
        )
    if _existing(StudyList, StudyList.name, list_name(year), town) is None:
        # Open for choosing a month from today; four leaders chose over the last weeks.
        lst = _create_list(town, laws, year, _at(today + timedelta(days=30), 23))
        leaders = _leaders(town, keep_open)[:4]
        chose, _ = _choices(lst, leaders, track, start=now - timedelta(days=14), finish=0)
        lines.append(f"已载入学习清单“{lst.name}”（{chose}名领导干部已选学，选学尚未截止）。")
    title = f"{past}年{CASE_TITLE}"
    if _existing(ReadingAssignment, ReadingAssignment.title, title, town) is None:
        confirmed = _past_readings(town, laws["中华人民共和国宪法"], past, track)
        lines.append(f"已载入{past}年阅读任务2项（{confirmed}人次已确认学习）。")
    title = CURRENT_READING.format(year=year)
    if _existing(ReadingAssignment, ReadingAssignment.title, title, town) is None:
        confirmed = _current_reading(town, laws["中华人民共和国宪法"], now, keep_open, track)
        lines.append(f"已载入阅读任务“{title}”（{confirmed}人已确认学习）。")
    db.session.flush()
    return lines


def _existing(model, column, value, town):
    return db.session.scalar(
        sa.select(model.id).where(column == value, model.owner_unit_id == town.id)
    )


def _create_list(
    town: OrgUnit, laws: dict[str, Law], year: int, choose_until: datetime
) -> StudyList:
    settings = plans.ListSettings(
        name=list_name(year),
        year=year,
        choose_until=choose_until,
        audience={"units": [town.id], "categories": [Category.LEADER.value], "people": []},
    )
    lst = plans.create_list(town, settings, actor=SYSTEM)
    units = {u.name: u.id for u in town.children}
    for title in REQUIRED:
        plans.add_item(
            lst,
            plans.ItemSpec(ItemKind.REQUIRED, laws[title].id, credit_hours=ITEM_CREDIT),
            actor=SYSTEM,
        )
    for title in KEY:
        plans.add_item(
            lst,
            plans.ItemSpec(ItemKind.KEY, laws[title].id, credit_hours=ITEM_CREDIT),
            actor=SYSTEM,
        )
    for title, name, unit_names in FIELD:
        ids = [units.get(n, town.id) if n else town.id for n in unit_names]
        spec = plans.ItemSpec(
            ItemKind.FIELD,
            laws[title].id,
            field_name=name,
            field_unit_ids=ids,
            credit_hours=ITEM_CREDIT,
        )
        plans.add_item(lst, spec, actor=SYSTEM)
    db.session.refresh(lst)
    return lst


def _leaders(town: OrgUnit, leave_out: Collection[int]) -> list[User]:
    leaders = db.session.scalars(
        sa.select(User)
        .where(User.unit_id == town.id, User.category == Category.LEADER, User.active)
        .order_by(User.id)
    ).all()
    return [u for u in leaders if u.id not in leave_out]


def _choices(lst: StudyList, leaders, track, *, start: datetime, finish: int = 3):
    """The leaders choose three days apart from ``start``; the first ``finish`` study
    their whole plan, the others part of it. Returns (chose, finished)."""
    rng = random.Random(lst.year)  # noqa: S311 (repeatable demo data, not secrets)
    key = [i for i in lst.items if i.kind is ItemKind.KEY]
    field = [
        i for i in lst.items if i.kind is ItemKind.FIELD and lst.owner_unit_id in i.field_unit_ids
    ]
    finished = 0
    with track(leaders, f"{lst.year}年学习清单选学") as bar:
        for n, leader in enumerate(bar):
            finished += _choose_and_study(lst, leader, n, rng, key, field, start, finish)
    return len(leaders), finished


def _choose_and_study(lst, leader, n, rng, key, field, start, finish) -> bool:
    """Leader ``n`` chooses 3n days after ``start``; the first ``finish`` finish all,
    the rest part (last year's: 20 days an item; this year's: one item a day)."""
    picked = [*rng.sample(key, lst.key_count), *rng.sample(field, lst.field_count)]
    when = start + timedelta(days=3 * n)
    plans.choose(lst, leader, [i.id for i in picked], actor=Actor(leader), now=when)
    plan = [i for i in lst.items if i.kind is ItemKind.REQUIRED] + picked
    done = len(plan) if n < finish else max(1, n - finish + 1)
    step = timedelta(days=20 if finish else 1)
    for k, item in enumerate(plan[:done]):
        at = when + step * (k + 1)
        plans.record_reading(item, leader, now=at)
        plans.finish(item, leader, now=at)
    return done == len(plan)


def _past_readings(town: OrgUnit, constitution: Law, year: int, track) -> int:
    everyone = {"units": [town.id], "categories": [], "people": []}
    articles = readings.create_reading(
        town,
        readings.ReadingSettings(
            title=f"{year}年“12·4”国家宪法日：学习宪法总纲第一条至第五条",
            kind=ReadingKind.ARTICLES,
            due_on=date(year, 12, 4),
            min_seconds=180,
            law_id=constitution.id,
            article_from=1,
            article_to=5,
            audience=everyone,
            credit_hours=READING_CREDIT,
        ),
        actor=SYSTEM,
    )
    articles.created_at = _at(date(year, 11, 25))
    cadres = {
        "units": [town.id],
        "categories": [Category.OFFICIAL.value, Category.VILLAGE_CADRE.value],
        "people": [],
    }
    case = readings.create_reading(
        town,
        readings.ReadingSettings(
            title=f"{year}年{CASE_TITLE}",
            kind=ReadingKind.TEXT,
            due_on=date(year, 11, 30),
            min_seconds=120,
            body=CASE_BODY,
            audience=cadres,
            credit_hours=READING_CREDIT,
        ),
        actor=SYSTEM,
    )
    case.created_at = _at(date(year, 11, 15))
    return _read(articles, _at(date(year, 12, 2), 9), 0.6, track) + _read(
        case, _at(date(year, 11, 20), 9), 0.7, track
    )


def _current_reading(town, constitution: Law, now: datetime, keep_open, track) -> int:
    """Everyone's reading of this year, set three days ago and due in two weeks; the
    demo logins have not opened it."""
    today = to_local(now).date()
    reading = readings.create_reading(
        town,
        readings.ReadingSettings(
            title=CURRENT_READING.format(year=today.year),
            kind=ReadingKind.ARTICLES,
            due_on=today + timedelta(days=14),
            min_seconds=180,
            law_id=constitution.id,
            article_from=1,
            article_to=5,
            audience={"units": [town.id], "categories": [], "people": []},
            credit_hours=READING_CREDIT,
        ),
        actor=SYSTEM,
    )
    reading.created_at = now - timedelta(days=3)
    start = now - timedelta(days=2)
    return _read(reading, start, 0.3, track, leave_out=keep_open)


def _read(reading: ReadingAssignment, start: datetime, share: float, track, leave_out=()) -> int:
    """Of the audience, ``share`` read it through and confirmed; a few more opened it."""
    people = [
        p for p in db.session.scalars(people_select(reading.audience)) if p.id not in leave_out
    ]
    confirmed = int(len(people) * share)
    opened = min(len(people), confirmed + len(people) // 10)
    with track(people[:opened], f"阅读任务：{reading.title[:12]}") as bar:
        for n, person in enumerate(bar):
            _read_one(reading, person, start + timedelta(minutes=n), n < confirmed)
    return confirmed


def _read_one(reading: ReadingAssignment, person: User, start: datetime, through: bool) -> None:
    """Visible-page heartbeats every 20 s; read through and confirmed, or just opened."""
    progress = readings.open_reading(reading, person, now=start)
    readings.heartbeat(progress, readings.Beat.START, at_end=False, now=start)
    beats = reading.min_seconds // 20 + 1 if through else 2
    for b in range(1, beats + 1):
        later = start + timedelta(seconds=20 * b)
        readings.heartbeat(progress, readings.Beat.VISIBLE, at_end=through, now=later)
    if through:
        readings.confirm(progress, now=start + timedelta(seconds=20 * beats + 5))
