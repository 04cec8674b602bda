"""On a phone: a leading cadre chooses 2 + 1 laws; a village cadre reads an assignment,
cannot confirm early, and confirms after the minimum reading time (real time passes)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawArticle, LawKind
from yongxi_learn.org.models import Category, OrgUnit, User
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.study import plans, readings
from yongxi_learn.study.plan_models import ItemKind
from yongxi_learn.study.reading_models import ReadingAssignment, ReadingKind, ReadingProgress

pytestmark = pytest.mark.e2e

MIN_SECONDS = 5  # the smallest minimum the service accepts; real seconds pass


def _town():
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))


def _law(town, title, articles=0):
    law = Law(owner_unit=town, title=title, kind=LawKind.LAW, sample=bool(articles))
    for n in range(1, articles + 1):
        text = f"示例条文{n}：以官方文本为准。"
        law.articles.append(LawArticle(position=n - 1, number=n, label=f"第{n}条", text=text))
    db.session.add(law)
    db.session.flush()
    return law


def create_list(app):
    with app.app_context():
        town = _town()
        settings = plans.ListSettings(
            name="2024年领导干部应知应会党内法规和国家法律清单",
            year=utcnow().year,
            choose_until=utcnow() + timedelta(days=10),
            audience={"units": [town.id], "categories": ["leader"], "people": []},
        )
        lst = plans.create_list(town, settings, actor=SYSTEM)
        items = [
            (ItemKind.REQUIRED, "宪法", []),
            (ItemKind.KEY, "民法典", []),
            (ItemKind.KEY, "行政处罚法", []),
            (ItemKind.KEY, "行政许可法", []),
            (ItemKind.FIELD, "安全生产法", [town.id]),
        ]
        for kind, title, units in items:
            spec = plans.ItemSpec(kind, _law(town, title).id, field_unit_ids=units)
            plans.add_item(lst, spec, actor=SYSTEM)
        db.session.commit()


def create_reading(app) -> int:
    with app.app_context():
        town = _town()
        settings = readings.ReadingSettings(
            title="学习宪法总纲",
            kind=ReadingKind.ARTICLES,
            due_on=None,
            min_seconds=MIN_SECONDS,
            law_id=_law(town, "中华人民共和国宪法", articles=3).id,
            audience={"units": [town.id], "categories": [], "people": []},
        )
        reading = readings.create_reading(town, settings, actor=SYSTEM)
        db.session.commit()
        return reading.id


def test_leading_cadre_chooses_two_plus_one(
    live_server, make_person, page, log_in, assert_fits_phone
):
    make_person()  # makes the tree
    with live_server.app.app_context():
        town_id = _town().id
    phone, password = make_person(
        "冉志明", Category.LEADER, "副镇长", unit_id=town_id, must_change_password=False
    )
    create_list(live_server.app)
    page.goto(live_server.url("/study/"))
    log_in(page, phone, password)
    page.goto(live_server.url("/study/"))
    for title in ("《民法典》", "《行政处罚法》", "《行政许可法》", "《安全生产法》"):
        page.get_by_label(title).check()
    expect(page.locator(".choose-hint")).to_have_text("重点法规多选了1部")
    assert_fits_phone(page)
    page.get_by_role("button", name="保存选学").click()
    expect(page.get_by_role("alert")).to_contain_text("重点法规应选2部，您选了3部")
    # Nothing was saved: the boxes come back empty.
    expect(page.get_by_label("《行政许可法》")).not_to_be_checked()
    for title in ("《民法典》", "《行政处罚法》", "《安全生产法》"):
        page.get_by_label(title).check()
    expect(page.locator(".choose-hint")).to_have_text("选择符合要求，请保存。")
    page.get_by_role("button", name="保存选学").click()
    expect(page.get_by_role("alert")).to_have_text("选学已保存")
    expect(page.locator(".study-item")).to_have_count(4)  # 宪法 + the three chosen
    with live_server.app.app_context():
        leader = db.session.scalar(sa.select(User).where(User.phone == phone))
        titles = sorted(
            i.law.title
            for lst in [db.session.scalar(sa.select(plans.StudyList))]
            for i in lst.items
            if i.id in plans.chosen_ids(lst, leader)
        )
    assert titles == ["安全生产法", "民法典", "行政处罚法"]


def test_village_cadre_reads_and_confirms_after_the_minimum(
    live_server, make_person, page, log_in, assert_fits_phone
):
    phone, password = make_person(must_change_password=False)
    reading_id = create_reading(live_server.app)
    page.goto(live_server.url("/study/readings"))
    log_in(page, phone, password)
    page.goto(live_server.url("/study/readings"))
    page.get_by_role("link", name="学习宪法总纲").click()
    button = page.get_by_role("button", name="我已学习")
    expect(button).to_be_disabled()
    assert_fits_phone(page)
    page.get_by_role("button", name="A+").click()
    # Forcing the form past the disabled button: the server refuses too.
    page.evaluate("document.getElementById('confirm-form').submit()")
    expect(page.get_by_role("alert")).to_contain_text("阅读时间还不够")
    page.locator("#reading-end").scroll_into_view_if_needed()
    expect(button).to_be_enabled(timeout=MIN_SECONDS * 1000 + 15_000)
    expect(page.locator("#confirm-hint")).to_have_text("已满足要求，可以点击“我已学习”。")
    button.click()
    expect(page.get_by_role("alert")).to_have_text("已确认学习，谢谢！")
    expect(page.get_by_text("已学习", exact=True)).to_be_visible()
    with live_server.app.app_context():
        progress = db.session.scalar(
            sa.select(ReadingProgress).where(ReadingProgress.assignment_id == reading_id)
        )
        assert progress.confirmed_at is not None
        assert MIN_SECONDS <= progress.seconds < MIN_SECONDS + 30
        assert db.session.get(ReadingAssignment, reading_id).min_seconds == MIN_SECONDS
