"""The admin pages for people, units, roles and the audit log, as an admin uses them."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, count_rows
from tests.org.helpers import person_form
from yongxi_learn.auth.passwords import check_password
from yongxi_learn.extensions import db
from yongxi_learn.org import services
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, OrgUnit, Role, RoleGrant, UnitKind, User


def text(response) -> str:
    return response.get_data(as_text=True)


def listed_names(response) -> list[str]:
    return re.findall(r'<td><a href="/admin/people/\d+">([^<]+)</a></td>', text(response))


def shown_password(response) -> str:
    match = re.search(r'<dd class="secret">([^<]+)</dd>', text(response))
    assert match, "no password on the page"
    return match.group(1)


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


@pytest.fixture
def as_unit_admin(client, login, unit_admin):
    login(unit_admin)
    return client


# ---------------------------------------------------------------- the people list


def test_people_list_is_sorted_by_unit_then_pinyin_with_surname_readings(as_admin, tree, make_user):
    for name in ["翟敏", "张伟", "曾小明", "解放", "单雪", "仇英", "区家麟", "朴槿惠", "覃静"]:
        make_user(name, tree["office"])
    make_user("陈红", tree["village"])
    make_user("王丽", tree["town"])
    page = as_admin.get("/admin/people")
    assert listed_names(page) == [
        "王丽",
        "区家麟",
        "朴槿惠",
        "覃静",
        "仇英",
        "单雪",
        "解放",
        "曾小明",
        "翟敏",
        "张伟",
        "管理员甲",
        "陈红",
    ]
    assert "按单位、姓名拼音排序" in text(page)


def test_people_search_by_name(as_admin, tree, make_user):
    make_user("王丽", tree["office"])
    make_user("陈红", tree["village"])
    assert listed_names(as_admin.get("/admin/people?q=王丽")) == ["王丽"]


def test_people_search_by_part_of_a_phone_as_typed(as_admin, tree, make_user):
    make_user("王丽", tree["office"], phone="13812345678")
    make_user("陈红", tree["village"], phone="13987654321")
    assert listed_names(as_admin.get("/admin/people?q=138-1234")) == ["王丽"]


def test_people_search_by_unit_name_and_unit_filter(as_admin, tree, make_user):
    make_user("王丽", tree["office"])
    make_user("陈红", tree["village"])
    assert listed_names(as_admin.get("/admin/people?q=石佛")) == ["陈红"]
    by_unit = as_admin.get(f"/admin/people?unit={tree['office'].id}")
    assert listed_names(by_unit) == ["王丽"]


def test_people_filter_by_category(as_admin, tree, make_user):
    make_user("王丽", tree["office"], category=Category.LEADER)
    make_user("陈红", tree["village"], category=Category.LEGAL_LIAISON)
    page = as_admin.get("/admin/people?category=legal_liaison")
    assert listed_names(page) == ["陈红"]
    assert "法律明白人" in text(page)


def test_people_search_without_match_says_so(as_admin):
    page = as_admin.get("/admin/people?q=不存在的人")
    assert listed_names(page) == []
    assert "没有符合条件的人员" in text(page)


def test_people_list_pages_and_keeps_the_filter(app, as_admin, tree, make_user):
    app.config["PER_PAGE"] = 2
    for name in ["陈一", "陈二", "陈三", "陈四", "陈五"]:
        make_user(name, tree["village"])
    first = as_admin.post("/admin/people", data={"q": "陈"})
    assert "第 1 / 3 页，共 5 条" in text(first)
    # The next-page button submits the search form again, which still holds "陈".
    assert re.search(r'<button[^>]*form="people-search"[^>]*name="page"[^>]*value="2"', text(first))
    assert re.search(r'<input[^>]*name="q"[^>]*value="陈"', text(first))
    third = as_admin.post("/admin/people", data={"q": "陈", "page": 3})
    assert len(listed_names(third)) == 1
    assert set(listed_names(first)).isdisjoint(listed_names(third))


def test_a_phone_searched_for_stays_out_of_every_url(as_admin, tree, make_user):
    make_user("手机查找", tree["village"], phone="13712345678")
    response = as_admin.post("/admin/people", data={"q": "13712345678"})
    assert listed_names(response) == ["手机查找"]
    page = text(response)
    assert re.search(r'<form[^>]*method="post"[^>]*id="people-search"', page)
    links = " ".join(re.findall(r'(?:href|action|src)="([^"]*)"', page))
    assert "13712345678" not in links


def test_deactivated_people_are_hidden_unless_asked_for(as_admin, tree, make_user):
    make_user("离岗人", tree["office"], active=False)
    assert "离岗人" not in listed_names(as_admin.get("/admin/people"))
    page = as_admin.get("/admin/people?inactive=y")
    assert "离岗人" in listed_names(page)
    assert "已停用" in text(page)


# ---------------------------------------------------------------- creating and editing


def test_new_person_page_shows_the_initial_password_once(as_admin, tree):
    created = as_admin.post("/admin/people/new", data=person_form(tree["village"]))
    assert created.status_code == 200
    assert "已新增人员" in text(created)
    password = shown_password(created)
    person = db.session.scalar(sa.select(User).where(User.phone == "13800138000"))
    assert person.must_change_password
    assert check_password(person.password_hash, password)
    assert password not in text(as_admin.get(f"/admin/people/{person.id}"))


def test_new_person_must_change_password_at_first_login(app, as_admin, tree, login):
    password = shown_password(as_admin.post("/admin/people/new", data=person_form(tree["office"])))
    person = db.session.scalar(sa.select(User).where(User.phone == "13800138000"))
    page = login(person, password, client=app.test_client())
    assert page.request.path == "/password"
    assert "请先设置您自己的密码" in text(page)


def test_new_person_phone_is_normalised(as_admin, tree):
    as_admin.post("/admin/people/new", data=person_form(tree["office"], phone="+86 138-0013-8000"))
    assert db.session.scalar(sa.select(User.phone).where(User.name == "李四")) == "13800138000"


@pytest.mark.parametrize("name", ["𠈌", "阿卜杜拉·艾买提", "⼀", "ＡＢＣ"])
def test_new_person_name_is_kept_exactly(as_admin, tree, name):
    page = as_admin.post("/admin/people/new", data=person_form(tree["office"], name=name))
    assert name in text(page)
    assert db.session.scalar(sa.select(User.name).where(User.phone == "13800138000")) == name


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "1380013800"}, "手机号应为11位中国大陆手机号码"),
        ({"phone": "12800138000"}, "手机号应为11位中国大陆手机号码"),
        ({"name": "李\u200b四"}, "姓名含有控制字符或不可见字符"),
        ({"name": ""}, "请输入姓名"),
        ({"phone": ""}, "请输入手机号"),
    ],
)
def test_invalid_new_person_is_refused_in_chinese(as_admin, tree, overrides, message):
    before = count_rows(User)
    page = as_admin.post("/admin/people/new", data=person_form(tree["office"], **overrides))
    assert page.status_code == 200
    assert message in text(page)
    assert count_rows(User) == before


def test_new_person_with_a_taken_phone_is_refused(as_admin, tree, make_user):
    make_user("张三", tree["justice"], phone="13800138000")
    before = count_rows(User)
    page = as_admin.post(
        "/admin/people/new", data=person_form(tree["office"], phone="１３８ ００１３ ８０００")
    )
    assert "手机号13800138000已被其他人员使用" in text(page)
    assert count_rows(User) == before


def test_admin_edits_a_person(as_admin, tree, make_user):
    person = make_user("李四", tree["office"])
    saved = as_admin.post(
        f"/admin/people/{person.id}",
        data=person_form(tree["justice"], name="单雪", phone="139 0000 1111", post="所长"),
        follow_redirects=True,
    )
    assert "已保存" in text(saved)
    person = fresh(person)
    assert (person.name, person.phone, person.unit_id, person.post, person.name_sort) == (
        "单雪",
        "13900001111",
        tree["justice"].id,
        "所长",
        "shan xue",
    )
    assert "person.update" in audit_actions()


def test_editing_a_person_to_a_taken_phone_is_refused(as_admin, tree, make_user):
    make_user("张三", tree["office"], phone="13800138000")
    person = make_user("李四", tree["office"], phone="13900139000")
    page = as_admin.post(
        f"/admin/people/{person.id}", data=person_form(tree["office"], name="李四四")
    )
    assert "手机号13800138000已被其他人员使用" in text(page)
    assert (fresh(person).name, fresh(person).phone) == ("李四", "13900139000")


def test_deactivated_person_stays_on_record(as_admin, tree, make_user):
    person = make_user("李四", tree["office"])
    page = as_admin.post(
        f"/admin/people/{person.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "已停用李四的账号" in text(page)
    assert "停用日期" in text(page)
    assert count_rows(User) == 2
    assert not fresh(person).active


def test_reactivated_person_can_log_in_again(app, as_admin, tree, make_user, login):
    person = make_user("李四", tree["office"], active=False)
    page = as_admin.post(
        f"/admin/people/{person.id}/active", data={"active": "1"}, follow_redirects=True
    )
    assert "已启用李四的账号" in text(page)
    assert "我的学习" in text(login(person, client=app.test_client()))


def test_reset_password_shows_a_new_one_time_password(app, as_admin, tree, make_user, login):
    person = make_user("李四", tree["office"])
    page = as_admin.post(f"/admin/people/{person.id}/reset-password")
    assert "密码已重置" in text(page)
    password = shown_password(page)
    assert password != PASSWORD
    other = app.test_client()
    assert "手机号或密码错误" in text(login(person, PASSWORD, client=other))
    assert login(person, password, client=other).request.path == "/password"
    assert "person.reset_password" in audit_actions()


# ---------------------------------------------------------------- scope


@pytest.fixture
def stranger(make_user, tree):
    """Someone in 红岩村: in 雍溪镇, outside the unit admin's 石佛村."""
    return make_user("红岩人", tree["village2"])


def test_unit_admin_sees_only_their_units_people(as_unit_admin, tree, make_user, stranger):
    make_user("石佛人", tree["village"])
    assert listed_names(as_unit_admin.get("/admin/people")) == ["村管理员", "石佛人"]
    assert listed_names(as_unit_admin.get(f"/admin/people?unit={tree['village2'].id}")) == [
        "村管理员",
        "石佛人",
    ]


def test_unit_admin_gets_not_found_for_another_units_person(as_unit_admin, stranger):
    page = as_unit_admin.get(f"/admin/people/{stranger.id}")
    assert page.status_code == 404
    assert "页面不存在" in text(page)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/people/{id}", {"name": "改名", "phone": "13911112222", "category": "other"}),
        ("/admin/people/{id}/reset-password", {}),
        ("/admin/people/{id}/active", {"active": "0"}),
    ],
)
def test_unit_admin_cannot_change_another_units_person(as_unit_admin, tree, stranger, path, data):
    before = (stranger.name, stranger.phone, stranger.password_hash, stranger.active)
    data = {**data, "unit_id": tree["village"].id} if "name" in data else data
    response = as_unit_admin.post(path.format(id=stranger.id), data=data)
    assert response.status_code == 404
    stranger = fresh(stranger)
    assert (stranger.name, stranger.phone, stranger.password_hash, stranger.active) == before


def test_unit_admin_cannot_move_their_person_to_another_unit(as_unit_admin, tree, make_user):
    person = make_user("石佛人", tree["village"])
    page = as_unit_admin.post(
        f"/admin/people/{person.id}", data=person_form(tree["village2"], name="石佛人")
    )
    assert "不是有效的选择" in text(page)
    assert fresh(person).unit_id == tree["village"].id


def test_unit_admin_cannot_take_over_a_town_admin_in_their_unit(as_unit_admin, tree, make_user):
    town_admin = make_user("镇管理员", tree["village"], roles=[(Role.ADMIN, tree["town"])])
    before = town_admin.password_hash
    page = as_unit_admin.get(f"/admin/people/{town_admin.id}")
    assert "重置密码" not in text(page)
    response = as_unit_admin.post(f"/admin/people/{town_admin.id}/reset-password")
    assert response.status_code == 403
    assert fresh(town_admin).password_hash == before


def test_town_admin_does_not_see_another_towns_people(as_admin, tree, make_user):
    other = make_user("宝顶人", tree["other_village"])
    assert "宝顶人" not in listed_names(as_admin.get("/admin/people"))
    assert as_admin.get(f"/admin/people/{other.id}").status_code == 404
    assert as_admin.get(f"/admin/people?unit={tree['other_village'].id}").status_code == 200


def test_reviewer_sees_people_without_edit_buttons(client, login, reviewer, tree, make_user):
    person = make_user("李四", tree["office"])
    login(reviewer)
    assert "李四" in listed_names(client.get("/admin/people"))
    page = client.get(f"/admin/people/{person.id}")
    assert page.status_code == 200
    assert "保存" not in text(page) and "重置密码" not in text(page)
    assert "新增人员" not in text(client.get("/admin/people"))


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/people/{id}", {"name": "改名", "phone": "13911112222", "category": "other"}),
        ("/admin/people/{id}/reset-password", {}),
        ("/admin/people/{id}/active", {"active": "0"}),
        ("/admin/people/new", {"name": "新人", "phone": "13911112222", "category": "other"}),
    ],
)
def test_reviewer_cannot_change_anything(client, login, reviewer, tree, make_user, path, data):
    person = make_user("李四", tree["office"])
    login(reviewer)
    before = (count_rows(User), person.name, person.password_hash, person.active)
    data = {**data, "unit_id": tree["office"].id} if "name" in data else data
    response = client.post(path.format(id=person.id), data=data)
    assert response.status_code == 403
    assert "无权访问" in text(response)
    person = fresh(person)
    assert (count_rows(User), person.name, person.password_hash, person.active) == before


@pytest.mark.parametrize(
    "path", ["/admin/people", "/admin/people/new", "/admin/units", "/admin/audit"]
)
def test_learner_gets_forbidden_on_admin_pages(client, login, learner, path):
    login(learner)
    response = client.get(path)
    assert response.status_code == 403
    assert "您没有访问此页面或执行此操作的权限" in text(response)


def test_anonymous_visitor_is_sent_to_login_from_admin_pages(client):
    response = client.get("/admin/people")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# ---------------------------------------------------------------- mass assignment


SMUGGLED = {
    "role": "admin",
    "grant-role": "admin",
    "password_hash": "pbkdf2:sha256:1$x$y",
    "must_change_password": "",
    "active": "0",
    "failed_logins": "0",
    "id": "999",
}


def test_fields_the_new_person_form_does_not_offer_are_ignored(as_admin, tree):
    as_admin.post("/admin/people/new", data={**person_form(tree["office"]), **SMUGGLED})
    person = db.session.scalar(sa.select(User).where(User.phone == "13800138000"))
    assert person.id != 999
    assert person.grants == []
    assert person.password_hash != SMUGGLED["password_hash"]
    assert person.must_change_password and person.active


def test_fields_the_edit_form_does_not_offer_are_ignored(as_unit_admin, unit_admin, tree):
    before = unit_admin.password_hash
    as_unit_admin.post(
        f"/admin/people/{unit_admin.id}",
        data={**person_form(tree["village"], name="村管理员", phone=unit_admin.phone), **SMUGGLED},
    )
    person = fresh(unit_admin)
    assert [g.role for g in person.grants] == [Role.UNIT_ADMIN]
    assert person.password_hash == before
    assert person.active and not person.must_change_password


def test_unit_outside_the_choices_is_refused_for_a_new_person(as_admin, tree):
    page = as_admin.post("/admin/people/new", data=person_form(tree["other_village"]))
    assert "不是有效的选择" in text(page)
    assert count_rows(User) == 1


# ---------------------------------------------------------------- roles


def test_admin_grants_a_role_that_opens_the_admin_pages(app, as_admin, tree, make_user, login):
    person = make_user("李四", tree["village2"])
    page = as_admin.post(
        f"/admin/people/{person.id}/grants",
        data={"grant-role": "unit_admin", "grant-unit_id": tree["village2"].id},
        follow_redirects=True,
    )
    assert "已授权" in text(page)
    assert "单位管理员（红岩村）" in text(page)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "role.grant"))
    assert entry.detail == "单位管理员@红岩村"
    other = app.test_client()
    login(person, client=other)
    assert other.get("/admin/people").status_code == 200


def test_admin_revokes_a_role_and_its_pages_close(app, as_admin, unit_admin, login):
    grant = unit_admin.grants[0]
    page = as_admin.post(f"/admin/grants/{grant.id}/revoke", follow_redirects=True)
    assert "已撤销" in text(page)
    assert "role.revoke" in audit_actions()
    other = app.test_client()
    login(unit_admin, client=other)
    assert other.get("/admin/people").status_code == 403


def test_role_over_a_unit_outside_the_admins_scope_is_refused(as_admin, tree, make_user):
    person = make_user("李四", tree["village"])
    page = as_admin.post(
        f"/admin/people/{person.id}/grants",
        data={"grant-role": "admin", "grant-unit_id": tree["district"].id},
        follow_redirects=True,
    )
    assert "不是有效的选择" in text(page)
    assert count_rows(RoleGrant) == 1


def test_unit_admin_cannot_grant_roles(as_unit_admin, tree, make_user):
    person = make_user("石佛人", tree["village"])
    response = as_unit_admin.post(
        f"/admin/people/{person.id}/grants",
        data={"grant-role": "admin", "grant-unit_id": tree["village"].id},
    )
    assert response.status_code == 403
    assert count_rows(RoleGrant) == 1


def test_admin_cannot_revoke_a_grant_outside_their_scope(as_admin, tree, make_user):
    district_admin = make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])
    response = as_admin.post(f"/admin/grants/{district_admin.grants[0].id}/revoke")
    assert response.status_code == 404
    assert count_rows(RoleGrant) == 2


# ---------------------------------------------------------------- units


def test_units_page_shows_the_tree(as_admin):
    page = text(as_admin.get("/admin/units"))
    for name in ["雍溪镇", "党政办公室", "司法所", "石佛村", "红岩村"]:
        assert name in page
    assert "宝顶镇" not in page


def test_admin_creates_a_unit(as_admin, tree):
    page = as_admin.post(
        "/admin/units",
        data={"parent_id": tree["town"].id, "name": "五星村", "kind": "village"},
        follow_redirects=True,
    )
    assert "已新建单位“五星村”" in text(page)
    unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "五星村"))
    assert unit.parent_id == tree["town"].id


@pytest.mark.parametrize(
    ("parent", "name", "kind", "message"),
    [
        ("town", "新镇", "town", "镇/街道下不能设立镇/街道"),
        ("village", "新村", "village", "村/社区下不能设立村/社区"),
        ("town", "石佛村", "village", "同一上级单位下已有名为“石佛村”的单位"),
    ],
)
def test_unit_that_breaks_the_rules_is_refused(as_admin, tree, parent, name, kind, message):
    before = count_rows(OrgUnit)
    page = as_admin.post(
        "/admin/units",
        data={"parent_id": tree[parent].id, "name": name, "kind": kind},
        follow_redirects=True,
    )
    assert message in text(page)
    assert count_rows(OrgUnit) == before


def test_admin_renames_a_unit(as_admin, tree):
    page = as_admin.post(
        f"/admin/units/{tree['village'].id}",
        data={"action": "rename", "rename-name": "石佛社区"},
        follow_redirects=True,
    )
    assert "已保存" in text(page)
    assert fresh(tree["village"]).name == "石佛社区"


def test_district_admin_moves_a_village_to_another_town(client, login, tree, make_user):
    district_admin = make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])
    login(district_admin)
    page = client.post(
        f"/admin/units/{tree['village'].id}",
        data={"action": "move", "move-parent_id": tree["other_town"].id},
        follow_redirects=True,
    )
    assert "上级单位：宝顶镇" in text(page)
    village = fresh(tree["village"])
    assert village.path == f"{tree['other_town'].path}{village.id}/"


def test_unit_cannot_be_moved_under_its_own_subtree(as_admin, tree):
    page = as_admin.post(
        f"/admin/units/{tree['town'].id}",
        data={"action": "move", "move-parent_id": tree["office"].id},
        follow_redirects=True,
    )
    assert "不是有效的选择" in text(page)
    assert fresh(tree["town"]).parent_id == tree["district"].id


def test_unit_with_active_people_is_not_deactivated(as_admin, tree, make_user):
    make_user("石佛人", tree["village"])
    page = as_admin.post(
        f"/admin/units/{tree['village'].id}", data={"action": "deactivate"}, follow_redirects=True
    )
    assert "仍有1名在岗人员" in text(page)
    assert fresh(tree["village"]).active


def test_empty_unit_is_deactivated(as_admin, tree):
    page = as_admin.post(
        f"/admin/units/{tree['village2'].id}", data={"action": "deactivate"}, follow_redirects=True
    )
    assert "已停用" in text(page)
    assert not fresh(tree["village2"]).active


def test_admin_gets_not_found_for_another_towns_unit(as_admin, tree):
    assert as_admin.get(f"/admin/units/{tree['other_town'].id}").status_code == 404


def test_unit_admin_cannot_manage_units(as_unit_admin, tree):
    response = as_unit_admin.post(
        f"/admin/units/{tree['village'].id}", data={"action": "rename", "rename-name": "改名村"}
    )
    assert response.status_code == 403
    assert fresh(tree["village"]).name == "石佛村"


# ---------------------------------------------------------------- audit log


def test_audit_log_shows_who_did_what(as_admin, tree, make_user):
    person = make_user("李四", tree["office"])
    as_admin.post(f"/admin/people/{person.id}/reset-password")
    page = text(as_admin.get("/admin/audit"))
    assert "person.reset_password" in page
    assert "管理员甲" in page


def test_unit_kind_labels_are_chinese(as_admin, tree):
    page = text(as_admin.get(f"/admin/units/{tree['village'].id}"))
    assert UnitKind.VILLAGE.label in page


def test_audit_log_shows_actions_in_chinese(as_admin, tree, make_user):
    person = make_user("李四", tree["office"])
    as_admin.post(f"/admin/people/{person.id}/reset-password")
    assert "重置密码" in text(as_admin.get("/admin/audit"))


def test_town_admin_does_not_see_failed_logins_of_unknown_phones(as_admin, client):
    client.post("/login", data={"phone": "13999999999", "password": "whatever1"})
    page = text(as_admin.get("/admin/audit"))
    assert "139****9999" not in page


def test_district_admin_sees_failed_logins_of_unknown_phones(client, login, make_user, tree):
    district_admin = make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])
    client.post("/login", data={"phone": "13999999999", "password": "whatever1"})
    login(district_admin)
    assert "139****9999" in text(client.get("/admin/audit"))


def test_town_admin_does_not_see_another_towns_audit_entries(as_admin, make_user, tree):
    stranger = make_user("外镇人员", tree["other_village"])
    admin_b = make_user(
        "外镇管理员", tree["other_village"], roles=[(Role.ADMIN, tree["other_town"])]
    )
    services.reset_password(stranger, actor=services.Actor(user=admin_b))
    db.session.commit()
    page = text(as_admin.get("/admin/audit"))
    assert "外镇管理员" not in page
