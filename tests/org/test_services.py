"""Units and people changed through the services: rules, scope, audit."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, count_rows
from yongxi_learn.auth.models import LoginSession
from yongxi_learn.auth.passwords import check_password
from yongxi_learn.auth.sessions import start_session
from yongxi_learn.core.time import local_today, utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org import services
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, OrgUnit, Role, RoleGrant, UnitKind, User
from yongxi_learn.org.permissions import Perm, PermissionDenied

pytestmark = pytest.mark.usefixtures("app")  # make_unit and tree alone push no app context


def actor(user):
    return services.Actor(user=user, address="127.0.0.1")


def audit_actions(obj=None):
    db.session.commit()  # audit rows are written when the transaction commits
    query = sa.select(AuditLog.action).order_by(AuditLog.id)
    if obj is not None:
        query = query.where(
            AuditLog.object_type == type(obj).__name__, AuditLog.object_id == obj.id
        )
    return list(db.session.scalars(query))


def new_person(unit, name="李四", phone="13800138000", by=services.SYSTEM, **kwargs):
    person, password = services.create_person(
        name=name, phone=phone, unit=unit, category=Category.OFFICIAL, actor=by, **kwargs
    )
    db.session.commit()
    return person, password


# ---------------------------------------------------------------- units


def test_created_unit_path_extends_its_parents_path(tree, admin):
    unit = services.create_unit("五星村", UnitKind.VILLAGE, tree["town"], actor=actor(admin))
    assert unit.path == f"{tree['town'].path}{unit.id}/"
    assert unit.path.startswith(tree["district"].path)
    assert audit_actions(unit) == ["unit.create"]


@pytest.mark.parametrize(
    ("parent", "kind", "message"),
    [
        ("district", UnitKind.VILLAGE, "区下不能设立村/社区"),
        ("district", UnitKind.OFFICE, "区下不能设立科室/站所"),
        ("town", UnitKind.TOWN, "镇/街道下不能设立镇/街道"),
        ("office", UnitKind.OFFICE, "科室/站所下不能设立科室/站所"),
        ("village", UnitKind.VILLAGE, "村/社区下不能设立村/社区"),
    ],
)
def test_unit_kind_not_allowed_under_parent_is_refused(tree, parent, kind, message):
    before = count_rows(OrgUnit)
    with pytest.raises(services.OrgError, match=message):
        services.create_unit("新单位", kind, tree[parent], actor=services.SYSTEM)
    assert count_rows(OrgUnit) == before


def test_duplicate_sibling_unit_name_is_refused(tree, admin):
    with pytest.raises(services.OrgError, match="同一上级单位下已有名为“石佛村”的单位"):
        services.create_unit("石佛村", UnitKind.VILLAGE, tree["town"], actor=actor(admin))


def test_same_unit_name_under_another_parent_is_allowed(tree):
    unit = services.create_unit(
        "石佛村", UnitKind.VILLAGE, tree["other_town"], actor=services.SYSTEM
    )
    assert unit.parent == tree["other_town"]


def test_unit_name_with_control_characters_is_refused(tree):
    with pytest.raises(services.OrgError, match="单位名称含有控制字符或不可见字符"):
        services.create_unit(
            "石佛\u200b村", UnitKind.VILLAGE, tree["other_town"], actor=services.SYSTEM
        )


def test_long_unit_name_up_to_a_hundred_characters_is_accepted(tree):
    name = "重庆市大足区雍溪镇" + "综合" * 40  # 89 characters
    unit = services.create_unit(name, UnitKind.OFFICE, tree["town"], actor=services.SYSTEM)
    assert unit.name == name


def test_unit_name_over_a_hundred_characters_is_refused(tree):
    with pytest.raises(services.OrgError, match="单位名称不能超过100个字"):
        services.create_unit("办" * 101, UnitKind.OFFICE, tree["town"], actor=services.SYSTEM)


def test_unit_admin_cannot_create_units(tree, unit_admin):
    with pytest.raises(PermissionDenied):
        services.create_unit("五星村", UnitKind.VILLAGE, tree["town"], actor=actor(unit_admin))


def test_admin_cannot_create_units_outside_their_subtree(tree, admin):
    with pytest.raises(PermissionDenied):
        services.create_unit("宝山村", UnitKind.VILLAGE, tree["other_town"], actor=actor(admin))


def test_renamed_unit_keeps_its_path_and_is_audited(tree, admin):
    village = tree["village"]
    path = village.path
    services.rename_unit(village, "石佛社区", actor=actor(admin))
    db.session.commit()
    assert (village.name, village.path) == ("石佛社区", path)
    assert audit_actions(village)[-1] == "unit.rename"


def test_rename_to_a_siblings_name_is_refused(tree, admin):
    with pytest.raises(services.OrgError, match="已有名为“红岩村”的单位"):
        services.rename_unit(tree["village"], "红岩村", actor=actor(admin))


def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree(tree, make_user):
    district2 = services.create_unit("荣昌区", UnitKind.DISTRICT, None, actor=services.SYSTEM)
    person = make_user("石佛村民", tree["village"])
    town = tree["town"]
    services.move_unit(town, district2, actor=services.SYSTEM)
    db.session.commit()
    assert town.parent == district2
    assert town.path == f"{district2.path}{town.id}/"
    for key in ("office", "justice", "village", "village2"):
        assert tree[key].path == f"{district2.path}{town.id}/{tree[key].id}/"
    assert person.unit.path.startswith(district2.path)
    assert tree["other_village"].path.startswith(tree["district"].path)


def test_moved_unit_follows_its_new_parents_admin_scope(tree, make_user, admin):
    other_admin = make_user(
        "宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])]
    )
    district_admin = make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])
    services.move_unit(tree["village"], tree["other_town"], actor=actor(district_admin))
    db.session.commit()
    village = db.session.get(OrgUnit, tree["village"].id)
    assert village in services.units_in_scope(other_admin, Perm.MANAGE_UNITS)
    assert village not in services.units_in_scope(admin, Perm.MANAGE_UNITS)


def test_unit_cannot_move_under_its_own_subtree(tree):
    with pytest.raises(services.OrgError, match="不能把单位移到它自己或它的下级单位之下"):
        services.move_unit(tree["town"], tree["office"], actor=services.SYSTEM)
    with pytest.raises(services.OrgError, match="不能把单位移到它自己或它的下级单位之下"):
        services.move_unit(tree["town"], tree["town"], actor=services.SYSTEM)


def test_unit_cannot_move_under_a_parent_of_the_wrong_kind(tree):
    with pytest.raises(services.OrgError, match="科室/站所下不能设立村/社区"):
        services.move_unit(tree["village"], tree["office"], actor=services.SYSTEM)


def test_unit_cannot_move_next_to_a_sibling_of_the_same_name(tree, make_unit):
    make_unit("石佛村", UnitKind.VILLAGE, tree["other_town"])
    with pytest.raises(services.OrgError, match="已有名为“石佛村”的单位"):
        services.move_unit(tree["village"], tree["other_town"], actor=services.SYSTEM)


def test_unit_cannot_move_under_an_inactive_parent(tree):
    services.set_unit_active(tree["other_town"], False, actor=services.SYSTEM)
    db.session.commit()
    with pytest.raises(services.OrgError, match="单位“宝顶镇”已停用"):
        services.move_unit(tree["village"], tree["other_town"], actor=services.SYSTEM)
    db.session.rollback()
    assert tree["village"].parent == tree["town"]


def test_unit_with_active_people_cannot_be_deactivated(tree, make_user, admin):
    make_user("在岗甲", tree["village"])
    make_user("在岗乙", tree["village"])
    with pytest.raises(services.OrgError, match="仍有2名在岗人员"):
        services.set_unit_active(tree["village"], False, actor=actor(admin))
    db.session.rollback()
    assert tree["village"].active


def test_active_people_below_a_unit_block_its_deactivation(tree, make_user):
    make_user("在岗甲", tree["other_village"])
    with pytest.raises(services.OrgError, match="仍有1名在岗人员"):
        services.set_unit_active(tree["other_town"], False, actor=services.SYSTEM)


def test_deactivating_a_unit_deactivates_its_subtree(tree, make_user):
    make_user("已离岗", tree["other_village"], active=False)
    services.set_unit_active(tree["other_town"], False, actor=services.SYSTEM)
    db.session.commit()
    assert not db.session.get(OrgUnit, tree["other_town"].id).active
    assert not db.session.get(OrgUnit, tree["other_village"].id).active
    assert db.session.get(OrgUnit, tree["town"].id).active
    assert "unit.deactivate" in audit_actions(tree["other_town"])


def test_unit_under_an_inactive_parent_cannot_be_reactivated(tree):
    services.set_unit_active(tree["other_town"], False, actor=services.SYSTEM)
    db.session.commit()
    village = db.session.get(OrgUnit, tree["other_village"].id)
    with pytest.raises(services.OrgError, match="上级单位已停用"):
        services.set_unit_active(village, True, actor=services.SYSTEM)


def test_top_unit_cannot_be_deactivated(tree):
    with pytest.raises(services.OrgError, match="不能停用顶级单位"):
        services.set_unit_active(tree["district"], False, actor=services.SYSTEM)


def test_people_cannot_be_added_to_an_inactive_unit(tree):
    services.set_unit_active(tree["other_village"], False, actor=services.SYSTEM)
    db.session.commit()
    with pytest.raises(services.OrgError, match="单位“宝林村”已停用"):
        new_person(db.session.get(OrgUnit, tree["other_village"].id))


# ---------------------------------------------------------------- people


@pytest.mark.parametrize("name", ["𠈌", "王䶮", "阿卜杜拉·艾买提", "⼀", "ＡＢＣ"])
def test_person_name_is_stored_exactly_as_typed(tree, name):
    person, _ = new_person(tree["office"], name=name)
    db.session.expire_all()
    assert db.session.get(User, person.id).name == name


def test_person_name_sort_key_is_pinyin(tree):
    person, _ = new_person(tree["office"], name="曾小明")
    assert person.name_sort == "zeng xiao ming"


def test_person_phone_is_stored_normalised(tree):
    person, _ = new_person(tree["office"], phone="+86 １３８-0013-8000")
    assert person.phone == "13800138000"


def test_new_person_gets_a_one_time_password_to_change_at_first_login(tree):
    person, password = new_person(tree["office"])
    assert person.must_change_password
    assert person.active and person.active_from == local_today()
    assert password not in person.password_hash
    assert check_password(person.password_hash, password)


def test_taken_phone_is_refused_for_a_new_person(tree, make_user):
    make_user("张三", tree["office"], phone="13800138000")
    before = count_rows(User)
    with pytest.raises(services.OrgError, match="手机号13800138000已被其他人员使用"):
        new_person(tree["village"], name="李四", phone="138 0013 8000")
    assert count_rows(User) == before


@pytest.mark.parametrize(
    ("name", "phone", "post", "message"),
    [
        ("李\x07四", "13800138000", "", "姓名含有控制字符或不可见字符"),
        ("李四", "12345", "", "手机号应为11位中国大陆手机号码"),
        ("李四", "13800138000", "科员\x1b[2J", "职务含有控制字符或不可见字符"),
    ],
)
def test_invalid_person_is_refused_with_a_chinese_message(tree, name, phone, post, message):
    with pytest.raises(services.OrgError, match=message):
        new_person(tree["office"], name=name, phone=phone, post=post)
    assert count_rows(User) == 0


def test_taken_phone_is_refused_when_editing_and_nothing_changes(tree, make_user, admin):
    make_user("张三", tree["office"], phone="13800138000")
    person = make_user("李四", tree["office"], phone="13900139000")
    with pytest.raises(services.OrgError, match="已被其他人员使用"):
        services.update_person(
            person,
            name="李四四",
            phone="13800138000",
            unit=tree["office"],
            category=Category.OFFICIAL,
            post="",
            actor=actor(admin),
        )
    db.session.rollback()
    assert (person.name, person.phone) == ("李四", "13900139000")


def test_updated_person_gets_a_new_sort_key_and_an_audit_record(tree, make_user, admin):
    person = make_user("李四", tree["office"])
    services.update_person(
        person,
        name="单雪",
        phone=person.phone,
        unit=tree["justice"],
        category=Category.LEADER,
        post="所长",
        actor=actor(admin),
    )
    db.session.commit()
    assert (person.name_sort, person.unit, person.category) == (
        "shan xue",
        tree["justice"],
        Category.LEADER,
    )
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "person.update"))
    assert entry.actor == admin
    assert entry.detail == "name,category,post,unit"


def test_deactivated_person_keeps_their_row_and_loses_their_sessions(tree, make_user, admin):
    person = make_user("李四", tree["office"])
    start_session(person, address="", user_agent="")
    db.session.commit()
    services.set_person_active(person, False, actor=actor(admin))
    db.session.commit()
    assert db.session.get(User, person.id) is not None
    assert not person.active and person.active_until == local_today()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                LoginSession.user_id == person.id, LoginSession.ended_at.is_(None)
            )
        )
        == 0
    )


def test_reactivated_person_starts_a_new_active_period(tree, make_user, admin):
    person = make_user("李四", tree["office"], active=False)
    services.set_person_active(person, True, actor=actor(admin))
    db.session.commit()
    assert person.active
    assert (person.active_from, person.active_until) == (local_today(), None)


def test_person_in_an_inactive_unit_cannot_be_reactivated(tree, make_user):
    person = make_user("李四", tree["other_village"], active=False)
    services.set_unit_active(tree["other_village"], False, actor=services.SYSTEM)
    db.session.commit()
    with pytest.raises(services.OrgError, match="所在单位“宝林村”已停用"):
        services.set_person_active(person, True, actor=services.SYSTEM)
    assert not person.active


def test_admin_cannot_deactivate_themselves(admin):
    with pytest.raises(services.OrgError, match="不能停用自己的账号"):
        services.set_person_active(admin, False, actor=actor(admin))


def test_reset_password_replaces_the_old_one_and_forces_a_change(tree, make_user, admin):
    person = make_user("李四", tree["office"])
    person.failed_logins, person.locked_until = 3, utcnow() + timedelta(minutes=10)
    db.session.commit()
    password = services.reset_password(person, actor=actor(admin))
    db.session.commit()
    assert check_password(person.password_hash, password)
    assert not check_password(person.password_hash, PASSWORD)
    assert person.must_change_password
    assert (person.failed_logins, person.locked_until) == (0, None)
    assert "person.reset_password" in audit_actions(person)


def test_reset_passwords_differ_each_time(tree, make_user, admin):
    person = make_user("李四", tree["office"])
    first = services.reset_password(person, actor=actor(admin))
    second = services.reset_password(person, actor=actor(admin))
    assert first != second
    assert len(second) >= 8


# ---------------------------------------------------------------- scope


def test_unit_admin_cannot_change_people_of_another_unit(tree, make_user, unit_admin):
    person = make_user("李四", tree["village2"])
    with pytest.raises(PermissionDenied):
        services.reset_password(person, actor=actor(unit_admin))
    with pytest.raises(PermissionDenied):
        services.set_person_active(person, False, actor=actor(unit_admin))


def test_unit_admin_cannot_move_their_person_to_another_unit(tree, make_user, unit_admin):
    person = make_user("李四", tree["village"])
    with pytest.raises(PermissionDenied):
        services.update_person(
            person,
            name=person.name,
            phone=person.phone,
            unit=tree["village2"],
            category=person.category,
            post="",
            actor=actor(unit_admin),
        )


def test_unit_admin_cannot_take_over_an_admin_living_in_their_unit(tree, make_user, unit_admin):
    town_admin = make_user("镇管理员", tree["village"], roles=[(Role.ADMIN, tree["town"])])
    for change in (
        lambda: services.reset_password(town_admin, actor=actor(unit_admin)),
        lambda: services.set_person_active(town_admin, False, actor=actor(unit_admin)),
        lambda: services.update_person(
            town_admin,
            name=town_admin.name,
            phone="13911112222",
            unit=tree["village"],
            category=town_admin.category,
            post="",
            actor=actor(unit_admin),
        ),
    ):
        with pytest.raises(PermissionDenied):
            change()
    db.session.rollback()
    assert town_admin.active and not town_admin.must_change_password


def test_unit_admin_cannot_reset_a_fellow_unit_admin_of_their_unit(tree, make_user, unit_admin):
    # Resetting a password is taking the account over: only wider grants may.
    peer = make_user("村管理员二", tree["village"], roles=[(Role.UNIT_ADMIN, tree["village"])])
    with pytest.raises(services.OrgError, match="只有权限更大的管理员"):
        services.reset_password(peer, actor=actor(unit_admin))
    assert services.reset_password(peer, actor=services.SYSTEM)  # flask reset-password


def test_people_outside_the_scope_are_not_found(tree, make_user, admin):
    stranger = make_user("宝顶人", tree["other_village"])
    with pytest.raises(services.NotFound):
        services.get_person(stranger.id, user=admin, perm=Perm.VIEW_PEOPLE)
    with pytest.raises(services.NotFound):
        services.get_unit(tree["other_town"].id, user=admin, perm=Perm.MANAGE_UNITS)


def visible_names(user, **query):
    select = services.people_select(user, services.PeopleQuery(**query))
    return list(db.session.scalars(select.with_only_columns(User.name)))


def test_admin_of_one_town_does_not_see_another_towns_people(tree, make_user, admin):
    make_user("宝顶人", tree["other_village"])
    make_user("石佛人", tree["village"])
    assert "宝顶人" not in visible_names(admin)
    assert "石佛人" in visible_names(admin)


def test_unit_admin_sees_only_their_units_people(tree, make_user, unit_admin):
    make_user("红岩人", tree["village2"])
    make_user("石佛人", tree["village"])
    assert visible_names(unit_admin) == ["村管理员", "石佛人"]


def test_people_are_listed_in_unit_tree_order_then_pinyin(tree, make_user, make_unit):
    district_admin = make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])
    # Created last, but first among 雍溪镇's units in sort order? No: siblings keep
    # their creation order; a later unit goes last.
    make_unit("五星村", UnitKind.VILLAGE, tree["town"])
    make_user("翟敏", tree["village"])
    make_user("曾小明", tree["village"])
    make_user("宝顶甲", tree["other_village"])
    make_user("司法乙", tree["justice"])
    make_user("党政丙", tree["office"])
    make_user("镇领导", tree["town"])
    assert visible_names(district_admin) == [
        "区管理员",
        "镇领导",
        "党政丙",
        "司法乙",
        "曾小明",
        "翟敏",
        "宝顶甲",
    ]


def test_search_finds_people_by_name_phone_and_unit(tree, make_user, admin):
    make_user("王丽", tree["office"], phone="13812345678")
    make_user("陈红", tree["village"], phone="13987654321")
    assert visible_names(admin, text="王") == ["王丽"]
    assert visible_names(admin, text="138-1234") == ["王丽"]
    assert visible_names(admin, text="１３９８７") == ["陈红"]
    assert visible_names(admin, text="石佛") == ["陈红"]
    assert visible_names(admin, text="%") == []


def test_inactive_people_are_listed_only_on_request(tree, make_user, admin):
    make_user("离岗人", tree["office"], active=False)
    assert "离岗人" not in visible_names(admin)
    assert "离岗人" in visible_names(admin, include_inactive=True)


# ---------------------------------------------------------------- roles


def test_granted_role_gives_its_permissions_and_is_audited(tree, make_user, admin):
    person = make_user("李四", tree["village2"])
    services.grant_role(person, Role.UNIT_ADMIN, tree["village2"], actor=actor(admin))
    db.session.commit()
    assert person.has_role(Role.UNIT_ADMIN)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "role.grant"))
    assert (entry.actor, entry.object_id, entry.detail) == (admin, person.id, "单位管理员@红岩村")


def test_same_role_cannot_be_granted_twice(tree, unit_admin, admin):
    with pytest.raises(services.OrgError, match="村管理员已是石佛村的单位管理员"):
        services.grant_role(unit_admin, Role.UNIT_ADMIN, tree["village"], actor=actor(admin))


def test_role_over_a_unit_outside_the_admins_scope_cannot_be_granted(tree, make_user, admin):
    person = make_user("李四", tree["village"])
    with pytest.raises(PermissionDenied):
        services.grant_role(person, Role.ADMIN, tree["district"], actor=actor(admin))


def test_revoked_role_is_removed_and_audited(tree, unit_admin, admin):
    grant = unit_admin.grants[0]
    services.revoke_role(grant, actor=actor(admin))
    db.session.commit()
    assert count_rows(RoleGrant) == 1  # the admin's own
    assert not unit_admin.has_role(Role.UNIT_ADMIN)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "role.revoke"))
    assert (entry.actor, entry.detail) == (admin, "单位管理员@石佛村")


def test_admin_cannot_revoke_their_own_admin_role(admin):
    with pytest.raises(services.OrgError, match="不能撤销自己的管理员权限"):
        services.revoke_role(admin.grants[0], actor=actor(admin))
