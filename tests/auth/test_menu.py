"""The navigation offers what the person may do, rendered once per set of
permissions: an admin's menu, once rendered, never reaches a learner, and a role
granted or taken away shows at the next page."""

import pytest

from yongxi_learn.extensions import db
from yongxi_learn.org.models import Role, RoleGrant
from yongxi_learn.org.permissions import Perm, can, held

ADMIN_LINKS = ("统计", "报告", "学习管理", "集中学习", "考试管理", "题库", "人员", "单位", "日志")
UNIT_ADMIN_LINKS = ("统计", "报告", "学习管理", "集中学习", "考试管理", "人员")


def menu_of(page) -> str:
    html = page.get_data(as_text=True)
    start = html.index('<nav class="nav"')
    return html[start : html.index("</nav>", start)]


def links(menu: str, names) -> set[str]:
    return {name for name in names if f">{name}</a>" in menu}


def test_an_admins_menu_never_reaches_a_learner(app, client, login, admin, make_user, tree):
    learner = make_user("学员甲", tree["office"])
    login(admin)
    assert links(menu_of(client.get("/")), ADMIN_LINKS) == set(ADMIN_LINKS)
    learner_client = app.test_client()
    login(learner, client=learner_client)
    menu = menu_of(learner_client.get("/"))
    assert "我的学习" in menu and "学法档案" in menu
    assert links(menu, ADMIN_LINKS) == set()
    assert "管理" not in menu


def test_a_unit_admin_sees_the_links_of_their_role(client, login, unit_admin):
    login(unit_admin)
    menu = menu_of(client.get("/"))
    assert links(menu, ADMIN_LINKS) == set(UNIT_ADMIN_LINKS)


def test_a_role_granted_shows_at_the_next_page(client, login, make_user, tree):
    person = make_user("学员乙", tree["office"])
    login(person)
    assert links(menu_of(client.get("/")), ADMIN_LINKS) == set()
    db.session.add(RoleGrant(user=person, role=Role.REVIEWER, unit=tree["town"]))
    db.session.commit()
    assert links(menu_of(client.get("/")), ADMIN_LINKS) == {
        "统计",
        "报告",
        "学习管理",
        "集中学习",
        "考试管理",
        "人员",
    }


@pytest.mark.parametrize("role", list(Role))
def test_held_is_can_for_every_permission(make_user, tree, role):
    person = make_user("学员丙", tree["office"], roles=[(role, tree["town"])])
    assert held(person) == {perm for perm in Perm if can(person, perm)}
    tree["town"].active = False
    assert held(person) == {perm for perm in Perm if can(person, perm)} == set()
