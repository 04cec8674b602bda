"""Yongxi's training sessions for the demo, run through the real services and dated
from the day it is loaded: last year's whole programme, this year's sessions up to
today, and a session for everyone happening now (its projector shows the QR code).

Laws named in a session are linked to the library's (the study demo runs first).
The shape follows the town's 2024 report: 8 法治专题学习, the party committee's
中心组 sessions, three 法治讲堂 in 宪法宣传周, one lecture by an invited expert; about
200 person-times in all. Topics are plausible, the attendance is made up.
"""

from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..core.time import local_to_utc, to_local
from ..extensions import db
from ..laws.services import find_current
from ..org import audience as audience_module
from ..org.models import Category, OrgUnit
from ..org.services import SYSTEM
from . import attendance, services
from .models import AttendanceMethod, KindCode, TrainingSession

LEADERS = [Category.LEADER.value]
OFFICIALS = [Category.LEADER.value, Category.OFFICIAL.value]
VILLAGE = [Category.VILLAGE_CADRE.value]
EVERYONE = [Category.LEADER.value, Category.OFFICIAL.value, Category.VILLAGE_CADRE.value]
WITH_LIAISONS = [*EVERYONE, Category.LEGAL_LIAISON.value]
TODAY_TOPIC = "依法行政与新修订《中华人民共和国行政复议法》专题学习"

# (kind, Beijing date and time (the year is replaced), topic, laws, audience categories,
# attendees, lecturer)
SESSIONS = [
    (
        KindCode.CENTRE_GROUP,
        "2024-03-14 09:00",
        "学习贯彻习近平法治思想",
        "习近平法治思想",
        LEADERS,
        9,
        "党委书记",
    ),
    (
        KindCode.TOPIC,
        "2024-03-21 14:30",
        "《中华人民共和国民法典》合同编、物权编专题学习",
        "《中华人民共和国民法典》",
        OFFICIALS,
        15,
        "司法所所长",
    ),
    (
        KindCode.TOPIC,
        "2024-04-18 14:30",
        "村(社区)两委干部信访工作法治化专题学习",
        "《信访工作条例》",
        VILLAGE,
        15,
        "司法所所长",
    ),
    (
        KindCode.TOPIC,
        "2024-05-16 14:30",
        "新修订《中华人民共和国行政复议法》专题学习",
        "《中华人民共和国行政复议法》",
        OFFICIALS,
        14,
        "司法所所长",
    ),
    (
        KindCode.CENTRE_GROUP,
        "2024-05-30 09:00",
        "党纪学习教育：学习《中国共产党纪律处分条例》",
        "《中国共产党纪律处分条例》",
        LEADERS,
        10,
        "党委书记",
    ),
    (
        KindCode.TOPIC,
        "2024-06-20 14:30",
        "安全生产法律法规专题学习",
        "《中华人民共和国安全生产法》",
        VILLAGE,
        15,
        "应急管理办公室负责人",
    ),
    (
        KindCode.EXPERT,
        "2024-07-11 14:30",
        "行政执法规范与行政诉讼风险防范专题讲座",
        "《中华人民共和国行政处罚法》、《中华人民共和国行政诉讼法》",
        OFFICIALS,
        25,
        "区司法局特邀律师",
    ),
    (
        KindCode.TOPIC,
        "2024-08-15 14:30",
        "《中华人民共和国行政处罚法》专题学习",
        "《中华人民共和国行政处罚法》",
        OFFICIALS,
        14,
        "综合行政执法大队队长",
    ),
    (
        KindCode.CENTRE_GROUP,
        "2024-09-12 09:00",
        "学习《中华人民共和国宪法》",
        "《中华人民共和国宪法》",
        LEADERS,
        9,
        "党委副书记、镇长",
    ),
    (
        KindCode.TOPIC,
        "2024-09-26 14:30",
        "土地管理和村民自治法律法规专题学习",
        "《中华人民共和国土地管理法》、《中华人民共和国村民委员会组织法》",
        VILLAGE,
        16,
        "规划建设管理环保办公室负责人",
    ),
    (
        KindCode.TOPIC,
        "2024-10-24 14:30",
        "以案释法：基层常见行政争议案例学习",
        "《中华人民共和国行政复议法》",
        OFFICIALS,
        13,
        "司法所所长",
    ),
    (
        KindCode.TOPIC,
        "2024-11-21 14:30",
        "《中华人民共和国民法典》婚姻家庭编、继承编专题学习",
        "《中华人民共和国民法典》",
        VILLAGE,
        14,
        "司法所所长",
    ),
    (
        KindCode.LECTURE_HALL,
        "2024-12-02 14:30",
        "宪法宣传周·宪法进机关",
        "《中华人民共和国宪法》",
        OFFICIALS,
        10,
        "镇领导班子成员",
    ),
    (
        KindCode.LECTURE_HALL,
        "2024-12-03 14:30",
        "宪法宣传周·宪法进村社",
        "《中华人民共和国宪法》",
        VILLAGE,
        10,
        "镇领导班子成员",
    ),
    (
        KindCode.LECTURE_HALL,
        "2024-12-04 09:30",
        "宪法宣传周·国家宪法日专题法治讲堂",
        "《中华人民共和国宪法》",
        EVERYONE,
        12,
        "镇领导班子成员",
    ),
    (
        KindCode.CENTRE_GROUP,
        "2024-12-19 09:00",
        "年终述法与法治政府建设专题学习",
        "习近平法治思想、《法治政府建设实施纲要（2021—2025年）》",
        LEADERS,
        9,
        "党委书记",
    ),
]


def _already_seeded(town: OrgUnit, year: int) -> bool:
    return (
        db.session.scalar(
            sa.select(TrainingSession.id)
            .where(TrainingSession.owner_unit_id == town.id, TrainingSession.year == year)
            .limit(1)
        )
        is not None
    )


def _spread(people: list, count: int, offset: int) -> list:
    """``count`` people spread over the list (so over the units), starting at ``offset``."""
    if not people:
        return []
    step = max(1, len(people) // max(count, 1))
    return [people[(offset + i * step) % len(people)] for i in range(min(count, len(people)))]


def _in_year(when: str, year: int) -> datetime:
    """A SESSIONS time moved to ``year`` (naive Beijing time)."""
    return datetime.strptime(when, "%Y-%m-%d %H:%M").replace(year=year)


def seed(
    town: OrgUnit | None, *, track, now: datetime, keep_open: Collection[int] = ()
) -> list[str]:
    """Last year's sessions, then this year's up to today and one happening now, each
    year once. ``keep_open``: ids of people (the demo logins) not yet signed in now."""
    if town is None:
        return []
    services.ensure_default_kinds()
    kinds = {k.code: k for k in services.kinds() if k.code}
    local_now = to_local(now).replace(tzinfo=None)
    lines = []
    for year in (local_now.year - 1, local_now.year):
        if _already_seeded(town, year):
            continue
        rows = [
            (i, row[0], _in_year(row[1], year), *row[2:])
            for i, row in enumerate(SESSIONS)
            if _in_year(row[1], year).date() < local_now.date()
        ]
        person_times = 0
        with track(rows, f"载入{year}年集中学习") as bar:
            for i, code, when, topic, laws, categories, count, lecturer in bar:
                person_times += _seed_session(
                    town, kinds[code], when, topic, laws, categories, count, lecturer, offset=i
                )
        if year == local_now.year:
            person_times += _seed_today(town, kinds[KindCode.TOPIC], local_now, keep_open)
            rows.append(None)
        lines.append(f"已载入{year}年集中学习{len(rows)}场，参训{person_times}人次。")
    return lines


def _seed_today(town, kind, local_now: datetime, keep_open) -> int:
    """A session for everyone that began at the last half hour and runs two hours, so
    sign-in is open now; a few early comers (not the demo logins) have signed in."""
    starts = local_now.replace(minute=local_now.minute // 30 * 30, second=0, microsecond=0)
    session = _create(town, kind, starts, TODAY_TOPIC, "《中华人民共和国行政复议法》")
    people = [
        p
        for p in db.session.scalars(audience_module.people_select(session.audience))
        if p.id not in keep_open
    ]
    now = local_to_utc(local_now)
    early = _spread(people, 12, 0)
    for n, person in enumerate(early):
        signed = min(now, local_to_utc(starts) - timedelta(minutes=10) + timedelta(seconds=37 * n))
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=signed)
    return len(early)


def _link_laws(text: str) -> tuple[list[int], str]:
    """The laws of the library named in ``text`` (《…》、《…》), and what is left."""
    law_ids, rest = [], []
    for part in text.split("、"):
        law = find_current(part) if part.startswith("《") else None
        if law is not None:
            law_ids.append(law.id)
        else:
            rest.append(part)
    return law_ids, "、".join(rest)


def _create(town, kind, when: datetime, topic, laws, categories=WITH_LIAISONS, lecturer=""):
    starts = local_to_utc(when)
    law_ids, laws = _link_laws(laws)
    return services.create_session(
        town,
        services.SessionData(
            kind_id=kind.id,
            topic=topic,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="镇政府三楼会议室",
            lecturer=lecturer or "司法所所长",
            lecturer_external=kind.code is KindCode.EXPERT,
            laws=laws,
            law_ids=law_ids,
            hours=Decimal(2),
            audience={"units": [town.id], "categories": categories},
        ),
        actor=SYSTEM,
    )


def _seed_session(town, kind, when, topic, laws, categories, count, lecturer, *, offset) -> int:
    session = _create(town, kind, when, topic, laws, categories, lecturer)
    starts = session.starts_at
    people = list(db.session.scalars(audience_module.people_select(session.audience)))
    chosen = _spread(people, count, offset)
    for n, person in enumerate(chosen):
        if n == len(chosen) - 1 and offset % 4 == 1:
            attendance.mark(session, person, "忘带手机", actor=SYSTEM, now=starts)
        else:
            signed = starts - timedelta(minutes=10) + timedelta(seconds=37 * n)
            attendance.sign_in(session, person, method=AttendanceMethod.QR, now=signed)
    return len(chosen)
