"""学时: each form of learning credits its value on completion only; a person's year is
the sum with the source of every line; the district sets targets per 人员类别; the
达标率 by unit with the names behind shows in the overview, its download, the names
page and the 学法档案."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.stats.helpers import html_tables
from yongxi_learn.core.formatting import Rate
from yongxi_learn.exams.models import Attempt, AttemptStatus, Enrolment, Exam, ExamKind, ExamStatus
from yongxi_learn.extensions import db
from yongxi_learn.external.models import ExternalExam, ExternalResult
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.stats import credits
from yongxi_learn.stats.thresholds import ThresholdError
from yongxi_learn.study.plan_models import (
    ItemKind,
    StudyList,
    StudyListItem,
    StudyProgress,
    StudySelection,
)
from yongxi_learn.study.reading_models import ReadingAssignment, ReadingKind, ReadingProgress
from yongxi_learn.training.models import Attendance, AttendanceMethod

YEAR = 2025
NOW = datetime(2025, 11, 1, 2, 0)  # naive UTC
LEADER, OFFICIAL, CADRE = Category.LEADER, Category.OFFICIAL, Category.VILLAGE_CADRE


def _attend(session, person, *, revoked=False):
    db.session.add(
        Attendance(
            session_id=session.id,
            user_id=person.id,
            unit_id=person.unit_id,
            category=person.category,
            signed_at=session.starts_at,
            method=AttendanceMethod.CODE,
            revoked_at=NOW if revoked else None,
        )
    )


def _reading(owner, title, hours, *, due=date(YEAR, 6, 30)):
    reading = ReadingAssignment(
        owner_unit=owner,
        title=title,
        kind=ReadingKind.TEXT,
        body_html="<p>第一条</p>",
        due_on=due,
        credit_hours=Decimal(hours),
    )
    db.session.add(reading)
    db.session.flush()
    return reading


def _read(reading, person, *, confirmed=True):
    db.session.add(
        ReadingProgress(
            assignment_id=reading.id,
            user_id=person.id,
            counted_ms=600_000,
            confirmed_at=NOW if confirmed else None,
        )
    )


def _exam(owner, title, hours, kind=ExamKind.FORMAL, parent=None):
    exam = Exam(
        owner_unit=owner,
        title=title,
        kind=kind,
        year=YEAR,
        status=ExamStatus.PUBLISHED,
        opens_at=NOW - timedelta(days=30),
        closes_at=NOW - timedelta(days=20),
        time_limit_minutes=60,
        pass_score=Decimal(60),
        credit_hours=Decimal(hours),
        parent_exam_id=parent.id if parent else None,
    )
    db.session.add(exam)
    db.session.flush()
    return exam


def _sat(exam, person, score):
    if exam.kind is not ExamKind.MAKEUP:
        db.session.add(
            Enrolment(
                exam_id=exam.id, user_id=person.id, unit_id=person.unit_id, category=person.category
            )
        )
    db.session.add(
        Attempt(
            exam_id=exam.id,
            user_id=person.id,
            status=AttemptStatus.SUBMITTED,
            started_at=NOW - timedelta(days=25),
            finished_at=NOW - timedelta(days=25),
            score=Decimal(score),
            max_score=Decimal(100),
            passed=score >= 60,
        )
    )


@pytest.fixture
def world(tree, make_user, make_session):
    """雍溪镇: 领导甲 meets the leaders' 6 学时 from every form; 领导乙 has a revoked
    sign-in, a failed exam and an unchosen 重点 item (2 学时); 干部丙 has 1 of the
    officials' 3. 宝顶镇: 领导丁, nothing. A village cadre has no target."""
    town, office, justice = tree["town"], tree["office"], tree["justice"]
    people = {
        "甲": make_user("领导甲", office, LEADER),
        "乙": make_user("领导乙", justice, LEADER),
        "丙": make_user("干部丙", office, OFFICIAL),
        "丁": make_user("领导丁", tree["other_town"], LEADER),
        "村": make_user("村干部", tree["village"], CADRE),
    }
    a, b, c = people["甲"], people["乙"], people["丙"]
    session = make_session(topic="学习《中华人民共和国行政复议法》", starts_at=NOW, hours="2")
    _attend(session, a)
    _attend(session, b)
    other = make_session(topic="宪法宣誓专题学习", starts_at=NOW + timedelta(days=1), hours="3")
    _attend(other, b, revoked=True)
    _attend(other, people["村"])
    reading = _reading(town, "以案释法：行政处罚听证", "1")
    _read(reading, a)
    _read(reading, c)
    _read(_reading(town, "未确认的阅读", "5"), b, confirmed=False)
    _read(_reading(town, "去年的阅读", "5", due=date(YEAR - 1, 6, 30)), a)
    lst = StudyList(owner_unit=town, year=YEAR, name="2025年领导干部应知应会法律清单")
    db.session.add(lst)
    db.session.flush()
    required = StudyListItem(
        list_id=lst.id, kind=ItemKind.REQUIRED, law_id=_law(town), credit_hours=Decimal("1.5")
    )
    key = StudyListItem(list_id=lst.id, kind=ItemKind.KEY, law_id=_law(town), credit_hours=2)
    db.session.add_all([required, key])
    db.session.flush()
    db.session.add(StudySelection(list_id=lst.id, item_id=key.id, user_id=a.id))
    for item, person in ((required, a), (key, a), (key, b)):
        db.session.add(
            StudyProgress(list_id=lst.id, item_id=item.id, user_id=person.id, finished_at=NOW)
        )
    formal = _exam(town, "2025年度法治理论知识考试", "2")
    makeup = _exam(town, "2025年度法治理论知识考试（补考）", "9", ExamKind.MAKEUP, formal)
    practice = _exam(town, "练习", "5", ExamKind.PRACTICE)
    _sat(formal, a, 50)
    _sat(makeup, a, 80)  # passed at the 补考: the formal exam's 2 学时, once
    _sat(formal, b, 40)
    _sat(practice, c, 100)
    external = ExternalExam(owner_unit=town, title="2025年度全市学法考试", year=YEAR)
    external.results.append(
        ExternalResult(
            user_id=a.id,
            score=90,
            passed=True,
            sat_on=date(YEAR, 6, 15),
            credit_hours=Decimal("0.5"),
        )
    )
    db.session.add(external)
    db.session.commit()
    credits.set_targets(tree["district"], YEAR, {LEADER: "6", OFFICIAL: "3"}, actor=SYSTEM, now=NOW)
    db.session.commit()
    return people


def _law(owner) -> int:
    from yongxi_learn.laws.models import Law, LawKind

    law = Law(owner_unit=owner, title="中华人民共和国行政复议法", kind=LawKind.LAW)
    db.session.add(law)
    db.session.flush()
    return law.id


def test_a_year_is_the_sum_of_completed_learning_line_by_line(app, world):
    year = credits.person_year(world["甲"], YEAR)
    assert [(line.source, line.hours) for line in year.lines] == [
        (credits.Source.EXTERNAL, Decimal("0.5")),
        (credits.Source.EXAM, Decimal("2.0")),
        (credits.Source.TRAINING, Decimal("2.0")),
        (credits.Source.READING, Decimal("1.0")),
        (credits.Source.STUDY, Decimal("1.5")),
        (credits.Source.STUDY, Decimal("2.0")),
    ]
    assert year.total == Decimal("9.0")
    assert dict(year.by_source) == {
        credits.Source.TRAINING: Decimal(2),
        credits.Source.READING: Decimal(1),
        credits.Source.STUDY: Decimal("3.5"),
        credits.Source.EXAM: Decimal(2),
        credits.Source.EXTERNAL: Decimal("0.5"),
    }
    titles = {line.title for line in year.lines}
    assert "学习《中华人民共和国行政复议法》" in titles
    assert "2025年度法治理论知识考试" in titles  # the formal exam, not its 补考
    assert "去年的阅读" not in titles
    assert year.target == Decimal(6) and year.met and year.left == 0


def test_nothing_is_credited_without_completion(app, world):
    """乙: the revoked sign-in, the unconfirmed reading, the failed exam and the 重点
    item nobody chose for them give nothing; the practice paper gives 丙 nothing."""
    b = credits.person_year(world["乙"], YEAR)
    assert [(line.source, line.title) for line in b.lines] == [
        (credits.Source.TRAINING, "学习《中华人民共和国行政复议法》")
    ]
    assert b.total == 2 and b.met is False and b.left == 4
    c = credits.person_year(world["丙"], YEAR)
    assert c.total == 1 and c.target == 3
    assert credits.person_year(world["村"], YEAR).target is None


def test_attainment_by_category_and_unit_in_name_order(app, world, tree):
    district = credits.attainment(YEAR, tree["district"], user=None)
    assert district.total == Rate(1, 4)
    assert district.by_category == [(LEADER, Rate(1, 3)), (OFFICIAL, Rate(0, 1))]
    assert [(r.label, r.rate) for r in district.rows] == [
        ("宝顶镇", Rate(0, 1)),
        ("雍溪镇", Rate(1, 3)),
    ]
    town = credits.attainment(YEAR, tree["town"], user=None)
    assert town.set_by.id == tree["district"].id  # the town keeps the district's
    assert [(r.label, r.rate) for r in town.rows] == [
        ("党政办公室", Rate(1, 2)),
        ("红岩村", Rate(0, 0)),
        ("石佛村", Rate(0, 0)),
        ("司法所", Rate(0, 1)),
    ]
    short = credits.names(YEAR, tree["town"], met=False, user=None)
    assert [(s.name, s.hours) for s in short] == [("干部丙", 1), ("领导乙", 2)]


def test_the_overview_names_page_and_download_agree(client, login, admin, world, tree):
    login(admin)
    page = client.get(f"/stats/?year={YEAR}&unit={tree['town'].id}").get_data(as_text=True)
    assert "学时目标：领导干部≥6学时，机关干部≥3学时" in page
    section = page[page.index('id="section-credits"') :]
    table = html_tables(section)[0]
    # 管理员甲 is a 机关干部 of 司法所 with no 学时.
    assert table[1] == ["合计", "1", "4", "25%"]
    assert table[2:4] == [["其中：领导干部", "1", "2", "50%"], ["其中：机关干部", "0", "2", "0%"]]
    url = f"/stats/credits/names?met=0&year={YEAR}&unit={tree['town'].id}"
    assert url.replace("&", "&amp;") in section
    names = html_tables(client.get(url).get_data(as_text=True))[0]
    assert names[1:] == [
        ["干部丙", "党政办公室", "机关干部", "1", "3", "未达标"],
        ["管理员甲", "司法所", "机关干部", "0", "3", "未达标"],
        ["领导乙", "司法所", "领导干部", "2", "6", "未达标"],
    ]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(url.replace("/names?", "/names.xlsx?")).data)
    )
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    header = rows.index(["姓名", "单位", "人员类别", "年度学时", "目标学时", "结果"])
    assert rows[header + 1 :] == names[1:]
    overview = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/stats/export.xlsx?year={YEAR}&unit={tree['town'].id}").data)
    )
    summary = [[c.value for c in row] for row in overview["学时达标"].iter_rows()]
    assert ["合计", 1, 4, 0.25] in summary
    # The names are the town's only: 宝顶镇's 领导丁 is not in its lists.
    everyone = client.get(url.replace("met=0", "met=")).get_data(as_text=True)
    assert "领导丁" not in everyone and "领导甲" in everyone


def test_the_record_shows_progress_and_every_line(app, client, login, world):
    other = app.test_client()
    login(world["乙"], client=other)
    page = other.get(f"/record?year={YEAR}").get_data(as_text=True)
    assert "年度学时：2学时（目标6学时）" in page
    assert "未达到年度目标" in page and "还差4学时" in page
    login(world["甲"])
    page = client.get(f"/record?year={YEAR}").get_data(as_text=True)
    assert "年度学时：9学时（目标6学时）" in page and "已达到年度目标" in page
    assert "集中学习2学时；阅读任务1学时；学习清单3.5学时；考试2学时；外部考试0.5学时" in page
    assert "2025年领导干部应知应会法律清单：中华人民共和国行政复议法" in page


def test_only_the_district_sets_targets_and_every_change_is_audited(
    app, client, login, admin, make_user, world, tree
):
    with pytest.raises(ThresholdError, match="学时目标由区设定"):
        credits.set_targets(tree["town"], YEAR, {LEADER: "1"}, actor=SYSTEM, now=NOW)
    with pytest.raises(ThresholdError, match=r"领导干部的学时目标应在0到99\.9之间"):
        credits.set_targets(tree["district"], YEAR, {LEADER: "120"}, actor=SYSTEM, now=NOW)
    with pytest.raises(ThresholdError, match="最多保留一位小数"):
        credits.set_targets(tree["district"], YEAR, {LEADER: "1.25"}, actor=SYSTEM, now=NOW)
    db.session.rollback()
    login(admin)  # a town's admin
    assert client.get(f"/stats/credits/targets?year={YEAR}").status_code == 403
    district_admin = make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])
    client = app.test_client()
    login(district_admin, client=client)
    form = client.get(f"/stats/credits/targets?year={YEAR}").get_data(as_text=True)
    assert 'value="6"' in form
    response = client.post(
        f"/stats/credits/targets?year={YEAR}&unit={tree['district'].id}",
        data={"year": YEAR, "leader": "8", "official": "", "other": "abc"},
        follow_redirects=True,
    )
    assert "其他的学时目标应为数字" in response.get_data(as_text=True)
    response = client.post(
        f"/stats/credits/targets?year={YEAR}&unit={tree['district'].id}",
        data={"year": YEAR, "leader": "8", "official": ""},
        follow_redirects=True,
    )
    assert "已保存2025年学时目标" in response.get_data(as_text=True)
    assert credits.targets_for(YEAR, tree["town"]) == {LEADER: Decimal(8)}
    detail = db.session.scalar(
        sa.select(AuditLog.detail)
        .where(AuditLog.action == "credits.targets")
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    assert detail == "大足区2025年学时目标：领导干部≥8学时（原：领导干部≥6学时，机关干部≥3学时）"


def test_the_report_gives_the_rate_as_an_achievement_or_a_weak_point(app, admin, world, tree):
    with app.test_request_context():
        _report_and_backing(admin, tree)


def _report_and_backing(admin, tree):
    from yongxi_learn.inspection.figure_sheets import Scope, backing
    from yongxi_learn.org.services import Actor
    from yongxi_learn.reports import services

    text = services.draft(YEAR, tree["town"], actor=Actor(admin), now=NOW).text
    weak = text.partition("三、存在的问题")[2]
    assert (
        "是年度学法学时落实不够。按照年度学时要求（领导干部6学时、机关干部3学时），"
        "年度学法学时达标率为25%（学时达标率=年度学时达到本类人员目标的人数/设有学时目标的人员数）"
    ) in weak
    assert "学时达标率" not in text.partition("三、存在的问题")[0]
    rows = backing("credits.rate", Scope(YEAR, tree["town"], NOW))
    assert rows.tally == "达标1人/应达标4人=学时达标率25%"
    assert [r[1] for r in rows.rows] == ["干部丙", "领导甲", "管理员甲", "领导乙"]
    db.session.rollback()
    credits.set_targets(tree["district"], YEAR, {LEADER: "2"}, actor=SYSTEM, now=NOW)
    db.session.commit()
    text = services.draft(YEAR, tree["town"], actor=Actor(admin), now=NOW).text
    assert "是干部队伍主动学。落实年度学法学时要求（领导干部2学时），年度学法学时达标率100%" in text
    assert "学时落实不够" not in text


def test_the_names_page_costs_the_same_for_more_people_and_units(
    client, login, admin, world, tree, make_user, make_unit, make_session
):
    from tests.conftest import statements_for

    session = make_session(topic="民法典专题学习", starts_at=NOW, hours="4")
    login(admin)
    url = f"/stats/credits/names?year={YEAR}&unit={tree['town'].id}"
    before = statements_for(client, url)
    session = db.session.merge(session)
    town = db.session.merge(tree["town"])
    for n in range(3):
        unit = make_unit(f"新村{n}", parent=town)
        for k in range(3):
            _attend(session, make_user(f"新人{n}{k}", unit, LEADER))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "新人22" in page
    assert statements_for(client, url) == before
