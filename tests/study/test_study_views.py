"""Study pages: the learner's choice and reading, the admin's 未完成名单 scoped to
their subtree, downloads, CSRF on the JSON heartbeat."""

import re

import pytest
import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, Role
from yongxi_learn.study import plans
from yongxi_learn.study.reading_models import ReadingProgress

from ..conftest import PASSWORD, csrf_token
from .conftest import item_of


def test_leader_chooses_two_plus_one_on_the_page(client, login, study_list, leader):
    login(leader)
    page = client.get("/study/?year=2024").get_data(as_text=True)
    assert "重点法规：请选2部" in page and "《土地管理法》" in page
    assert "《治安管理处罚法》" not in page  # another unit's 专业 law is not offered
    picked = [item_of(study_list, t).id for t in ("民法典", "行政处罚法", "行政许可法")]
    page = client.post(
        f"/study/lists/{study_list.id}/choose", data={"item": picked}, follow_redirects=True
    ).get_data(as_text=True)
    assert "重点法规应选2部，您选了3部" in page
    picked = [item_of(study_list, t).id for t in ("民法典", "行政处罚法", "土地管理法")]
    page = client.post(
        f"/study/lists/{study_list.id}/choose", data={"item": picked}, follow_redirects=True
    ).get_data(as_text=True)
    assert "选学已保存" in page and "修改选学" in page


def test_item_page_records_a_reading_its_script_posts_and_finish(client, login, study_list, leader):
    login(leader)
    item = item_of(study_list, "宪法")
    page = client.get(f"/study/items/{item.id}").get_data(as_text=True)
    assert "示例条文1" in page and 'id="reading-count">0<' in page
    assert f'data-opened-url="/study/items/{item.id}/opened"' in page
    assert client.post(f"/study/items/{item.id}/opened").get_json() == {"ok": True, "readings": 1}
    page = client.get(f"/study/items/{item.id}").get_data(as_text=True)
    assert 'id="reading-count">1<' in page
    page = client.post(f"/study/items/{item.id}/finish", follow_redirects=True)
    assert "已确认学完《宪法》" in page.get_data(as_text=True)


def test_learner_cannot_open_an_item_they_did_not_choose(client, login, study_list, leader):
    login(leader)
    assert client.get(f"/study/items/{item_of(study_list, '民法典').id}").status_code == 404


def test_reading_page_and_confirm_refused_early(client, login, reading, learner):
    login(learner)
    page = client.get(f"/study/readings/{reading.id}").get_data(as_text=True)
    assert (
        "学习宪法第一条至第三条" in page
        and "全文完" in page
        and re.search(r"js/reading\.[0-9a-f]+\.js", page)
    )
    page = client.post(f"/study/readings/{reading.id}/confirm", follow_redirects=True)
    assert "阅读时间还不够" in page.get_data(as_text=True)
    progress = db.session.scalar(sa.select(ReadingProgress))
    assert progress.confirmed_at is None


def test_heartbeat_json(client, login, reading, learner):
    login(learner)
    reply = client.post(f"/study/readings/{reading.id}/beat", json={"state": "start"}).get_json()
    assert reply["ok"] and reply["seconds"] == 0 and not reply["can_confirm"]
    bad = client.post(f"/study/readings/{reading.id}/beat", json={"state": "cheat"})
    assert bad.status_code == 400


def test_reading_of_another_town_is_404(client, login, reading, make_user, tree):
    login(make_user("外镇", tree["other_village"]))
    assert client.get(f"/study/readings/{reading.id}").status_code == 404
    assert (
        client.post(f"/study/readings/{reading.id}/beat", json={"state": "start"}).status_code
        == 404
    )


@pytest.fixture
def village2_admin(make_user, tree):
    return make_user("红岩村管理员", tree["village2"], roles=[(Role.UNIT_ADMIN, tree["village2"])])


def test_unit_admin_sees_only_their_villages_people(
    client, login, study_list, unit_admin, make_user, tree
):
    make_user("石佛村干部", tree["village"], category=Category.VILLAGE_CADRE)
    make_user("红岩村干部", tree["village2"], category=Category.VILLAGE_CADRE)
    login(unit_admin)
    page = client.get(f"/admin/study/lists/{study_list.id}/people").get_data(as_text=True)
    assert "石佛村干部" in page and "红岩村干部" not in page
    # Asking for the other village by parameter is refused, not answered.
    url = f"/admin/study/lists/{study_list.id}/people?unit={tree['village2'].id}"
    assert client.get(url).status_code == 404
    csv = client.get(f"/admin/study/lists/{study_list.id}/people?format=csv").get_data(as_text=True)
    assert "石佛村干部" in csv and "红岩村干部" not in csv


def test_unit_admin_reading_people_is_scoped(
    client, login, reading, village2_admin, make_user, tree
):
    make_user("石佛村干部", tree["village"], category=Category.VILLAGE_CADRE)
    make_user("红岩村干部", tree["village2"], category=Category.VILLAGE_CADRE)
    login(village2_admin)
    page = client.get(f"/admin/study/readings/{reading.id}/people").get_data(as_text=True)
    assert "红岩村干部" in page and "石佛村干部" not in page
    assert "【提醒】学习宪法第一条至第三条" in page
    url = f"/admin/study/readings/{reading.id}/people?unit={tree['village'].id}"
    assert client.get(url).status_code == 404
    xlsx = client.get(f"/admin/study/readings/{reading.id}/people?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_learner_cannot_open_admin_pages(client, login, study_list, reading, learner):
    login(learner)
    for url in (
        "/admin/study/",
        "/admin/study/lists/new",
        f"/admin/study/lists/{study_list.id}",
        f"/admin/study/lists/{study_list.id}/people",
        f"/admin/study/readings/{reading.id}/people",
        "/admin/study/readings/new",
    ):
        assert client.get(url).status_code == 403, url


def test_unit_admin_cannot_edit_lists(client, login, study_list, unit_admin):
    login(unit_admin)
    assert client.get(f"/admin/study/lists/{study_list.id}").status_code == 403


def test_admin_creates_a_list_and_adds_an_item(client, login, admin, tree, laws):
    login(admin)
    page = client.post(
        "/admin/study/lists/new",
        data={
            "owner_unit_id": tree["town"].id,
            "name": "2025年机关干部学法清单",
            "year": 2025,
            "key_count": 2,
            "field_count": 1,
            "audience_units": [tree["town"].id],
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "学习清单已创建" in page and "《民法典》" in page  # the law select
    lst = db.session.scalar(sa.select(plans.StudyList))
    page = client.post(
        f"/admin/study/lists/{lst.id}/items",
        data={"item-kind": "key", "item-law_id": laws["民法典"].id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已添加" in page
    assert [i.law.title for i in lst.items] == ["民法典"]


def test_admin_posts_a_text_reading_sanitized(client, login, admin, tree):
    login(admin)
    page = client.post(
        "/admin/study/readings/new",
        data={
            "owner_unit_id": tree["town"].id,
            "title": "以案释法：示例案例",
            "kind": "text",
            "law_id": 0,
            "body": '<p>案情</p><script>alert(1)</script><a href="javascript:x()">链接</a>',
            "min_minutes": 2,
            "audience_units": [tree["town"].id],
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "阅读任务已布置" in page
    from yongxi_learn.study.reading_models import ReadingAssignment

    reading = db.session.scalar(sa.select(ReadingAssignment))
    assert "script" not in reading.body_html and "javascript" not in reading.body_html
    assert reading.min_seconds == 120


def test_admin_changes_a_choice_after_deadline_on_the_page(
    client, login, admin, study_list, leader
):
    from datetime import timedelta

    study_list.choose_until = study_list.choose_until - timedelta(days=60)
    db.session.commit()
    login(admin)
    picked = [item_of(study_list, t).id for t in ("民法典", "行政处罚法", "土地管理法")]
    url = f"/admin/study/lists/{study_list.id}/people/{leader.id}/choice"
    page = client.post(
        url, data={"item": picked, "reason": "本人出差，代为选学"}, follow_redirects=True
    )
    assert "已调整领导甲的选学" in page.get_data(as_text=True)
    assert len(plans.chosen_ids(study_list, leader)) == 3


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_heartbeat_needs_the_csrf_header(self, client, reading, learner):
        page = client.get("/login").get_data(as_text=True)
        client.post(
            "/login",
            data={
                "phone": learner.phone,
                "password": "Passw0rd2024",
                "csrf_token": csrf_token(page),
            },
        )
        page = client.get(f"/study/readings/{reading.id}").get_data(as_text=True)
        url = f"/study/readings/{reading.id}/beat"
        assert client.post(url, json={"state": "start"}).status_code == 400
        ok = client.post(url, json={"state": "start"}, headers={"X-CSRFToken": csrf_token(page)})
        assert ok.status_code == 200 and ok.get_json()["ok"]

    def test_beacon_beat_carries_the_token_in_its_form_body(self, client, reading, learner):
        page = client.get("/login").get_data(as_text=True)
        client.post(
            "/login",
            data={"phone": learner.phone, "password": PASSWORD, "csrf_token": csrf_token(page)},
        )
        token = csrf_token(client.get(f"/study/readings/{reading.id}").get_data(as_text=True))
        url = f"/study/readings/{reading.id}/beat"
        assert client.post(url, data={"state": "hidden"}).status_code == 400
        reply = client.post(url, data={"state": "hidden", "at_end": "1", "csrf_token": token})
        assert reply.status_code == 200 and reply.get_json()["reached_end"]


def test_list_page_links_other_years(client, login, study_list, leader):
    login(leader)
    page = client.get("/study/?year=2023").get_data(as_text=True)
    assert "2023年没有安排给您的学习清单" in page
    assert 'href="/study/?year=2024"' in page


def test_unchosen_filter_lists_who_has_not_chosen(
    client, login, admin, study_list, leader, make_user, tree
):
    late = make_user("领导乙", tree["town"], category=Category.LEADER)
    ids = [item_of(study_list, t).id for t in ("民法典", "行政处罚法", "土地管理法")]
    plans.choose(study_list, leader, ids, actor=plans.Actor(leader), now=study_list.created_at)
    db.session.commit()
    login(admin)
    page = client.get(f"/admin/study/lists/{study_list.id}/people?show=unchosen")
    text = page.get_data(as_text=True)
    assert "未按规则选学名单" in text and late.name in text and "领导甲" not in text


def test_admin_edits_a_list_and_an_item(client, login, admin, study_list, laws, tree):
    login(admin)
    page = client.post(
        f"/admin/study/lists/{study_list.id}",
        data={
            "name": "2024年领导干部学法清单（修订）",
            "year": 2024,
            "key_count": 3,
            "field_count": 1,
            "audience_units": [tree["town"].id],
            "audience_categories": ["leader"],
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已保存" in page and "2024年领导干部学法清单（修订）" in page
    assert study_list.key_count == 3 and study_list.audience["categories"] == ["leader"]
    item = item_of(study_list, "土地管理法")
    page = client.post(
        f"/admin/study/items/{item.id}",
        data={
            "item-kind": "field",
            "item-law_id": laws["土地管理法"].id,
            "item-article_from": 1,
            "item-article_to": 20,
            "item-field_name": "规划建设",
            "item-field_unit_ids": [tree["office"].id],
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已保存" in page and "《土地管理法》第1条至第20条" in page
    assert item.field_unit_ids == [tree["office"].id] and item.field_name == "规划建设"


def test_admin_edits_a_reading_and_clears_its_review_flag(
    client, login, admin, reading, laws, tree
):
    reading.needs_review = True
    db.session.commit()
    login(admin)
    page = client.get(f"/admin/study/readings/{reading.id}").get_data(as_text=True)
    assert "所引法规已修改" in page
    page = client.post(
        f"/admin/study/readings/{reading.id}",
        data={
            "title": "学习宪法第一条至第二条",
            "kind": "articles",
            "law_id": laws["宪法"].id,
            "article_from": 1,
            "article_to": 2,
            "min_minutes": 1,
            "audience_units": [tree["town"].id],
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已保存" in page and "所引法规已修改" not in page
    assert (reading.title, reading.article_to, reading.needs_review) == (
        "学习宪法第一条至第二条",
        2,
        False,
    )


def test_admin_pages_render(client, login, admin, study_list, reading, leader):
    login(admin)
    item = item_of(study_list, "民法典")
    pages = {
        "/admin/study/?year=2024": study_list.name,
        "/admin/study/lists/new": "新建学习清单",
        f"/admin/study/lists/{study_list.id}": "添加法规",
        f"/admin/study/items/{item.id}": "修改条目",
        f"/admin/study/lists/{study_list.id}/people?show=all": "领导甲",
        f"/admin/study/lists/{study_list.id}/people/{leader.id}/choice": "调整领导甲的选学",
        "/admin/study/readings/new": "布置阅读任务",
        f"/admin/study/readings/{reading.id}": reading.title,
        f"/admin/study/readings/{reading.id}/people?show=all": "领导甲",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url


def test_admin_deletes_an_unused_item_but_not_a_chosen_one(
    client, login, admin, study_list, leader
):
    ids = [item_of(study_list, t).id for t in ("民法典", "行政处罚法", "土地管理法")]
    plans.choose(study_list, leader, ids, actor=plans.Actor(leader), now=study_list.created_at)
    db.session.commit()
    login(admin)
    chosen = item_of(study_list, "民法典").id
    page = client.post(f"/admin/study/items/{chosen}/delete", follow_redirects=True)
    assert "已有人选学或学习此条目，不能删除" in page.get_data(as_text=True)
    unused = item_of(study_list, "行政许可法").id
    page = client.post(f"/admin/study/items/{unused}/delete", follow_redirects=True)
    assert "已删除" in page.get_data(as_text=True)
    assert "行政许可法" not in [i.law.title for i in study_list.items]


@pytest.mark.parametrize("kind", ["list", "reading"])
def test_editing_with_an_unknown_phone_says_so_and_changes_nothing(
    client, login, admin, study_list, reading, tree, kind
):
    obj = study_list if kind == "list" else reading
    url = f"/admin/study/{kind}s/{obj.id}"
    data = {
        "name": "改名的清单",
        "year": 2024,
        "key_count": 2,
        "field_count": 1,
        "title": "改名的阅读",
        "kind": reading.kind.value,
        "body": "<p>案情</p>",
        "min_minutes": 1,
        "audience_units": [tree["town"].id],
        "audience_phones": "13900000000",
    }
    login(admin)
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "手机号13900000000不存在或不在本单位范围内" in response.text
    db.session.expire_all()
    assert "改名的" not in (study_list.name + reading.title)


def test_the_admin_sees_whether_a_reading_is_done_never_the_time_spent(
    client, login, reading, admin, make_user, tree
):
    """减负: a supervisor sees done / not done; the seconds a person read stay theirs."""
    cadre = make_user("石佛村干部", tree["village"], category=Category.VILLAGE_CADRE)
    db.session.add(ReadingProgress(assignment_id=reading.id, user_id=cadre.id, counted_ms=754_000))
    db.session.commit()
    login(admin)
    url = f"/admin/study/readings/{reading.id}/people?show=all"
    page = client.get(url).get_data(as_text=True)
    assert "石佛村干部" in page and "未确认" in page
    # Whole numbers only: a phone number may hold the digits 754.
    assert not re.search(r"(?<!\d)754(?!\d)", page)
    assert "阅读时间" not in page and "秒" not in page
    lines = client.get(url + "&format=csv").get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "单位,姓名,手机号,首次打开,确认学习时间"
    assert not re.search(r"(?<!\d)754(?!\d)", "\n".join(lines))
