"""Towns as tenants: the district admin opens a town with its first admin and its units
from an XLSX (preview, then all or nothing), hands it over, retires it; settings a town
inherits from the district unless it sets its own."""

import html as html_lib
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.org.helpers import xlsx
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, OrgUnit, Role, RoleGrant, UnitKind, User

TOWNS = "/admin/towns/"
NEW = "/admin/towns/new"


def units_xlsx(rows) -> bytes:
    return xlsx(rows, headers=("单位名称", "单位类型"), sheet="单位")


def text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def open_town(client, content=None, **fields):
    data = {
        "name": "宝兴镇",
        "admin_name": "周小平",
        "admin_phone": "13987650001",
        "admin_post": "党政办主任",
        **fields,
    }
    if content is not None:
        data["file"] = (io.BytesIO(content), "宝兴镇单位.xlsx")
    return client.post(NEW, data=data, content_type="multipart/form-data")


def confirm(client, preview):
    html = preview.get_data(as_text=True)
    action = re.search(r'action="(/admin/towns/[^"]+/confirm[^"]*)"', html)
    assert action, "no confirm button on the page"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields = {k: html_lib.unescape(v) for k, v in fields.items()}
    return client.post(html_lib.unescape(action.group(1)), data=fields)


def unit(name) -> OrgUnit | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == name))


@pytest.fixture
def district_admin(make_user, tree):
    return make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])


@pytest.fixture
def as_district(client, login, district_admin):
    login(district_admin)
    return client


# ---------------------------------------------------------------- opening a town


def test_district_admin_opens_a_town_with_its_units_and_first_admin(as_district, app, login):
    content = units_xlsx([("党政办公室", "科室/站所"), ("宝兴村", "村/社区"), ("新桥社区", "社区")])
    preview = open_town(as_district, content)
    page = text(preview)
    assert "宝兴镇" in page and "科室/站所 1 个，村/社区 2 个" in page
    assert unit("宝兴镇") is None  # nothing written by the preview

    done = text(confirm(as_district, preview))
    assert "已开通宝兴镇" in done
    password = re.search(r'class="secret">([^<]+)<', done).group(1)
    town = unit("宝兴镇")
    assert town.kind is UnitKind.TOWN and town.parent.name == "大足区"
    kids = {u.name: u.kind for u in town.children}
    assert kids == {
        "党政办公室": UnitKind.OFFICE,
        "宝兴村": UnitKind.VILLAGE,
        "新桥社区": UnitKind.VILLAGE,
    }
    admin = db.session.scalar(sa.select(User).where(User.phone == "13987650001"))
    assert admin.unit_id == town.id and admin.must_change_password
    assert [(g.role, g.unit_id) for g in admin.grants] == [(Role.ADMIN, town.id)]
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "town.open"))

    # The new admin logs in with the one-time password and manages only the new town.
    other = app.test_client()
    login(admin, password=password, client=other)
    new = "Baoxing2026zhen"
    other.post("/password", data={"current": password, "new": new, "confirm": new})
    units_page = text(other.get("/admin/units"))
    assert "宝兴村" in units_page and "石佛村" not in units_page and "宝顶镇" not in units_page


def test_a_town_without_a_file_is_opened_with_its_admin_only(as_district):
    done = text(confirm(as_district, open_town(as_district)))
    assert "已开通宝兴镇" in done and "下设单位 0 个" in done


def test_every_problem_is_listed_and_nothing_is_written(as_district, make_user, tree):
    make_user("已有人员", tree["office"], phone="13987650001")
    content = units_xlsx(
        [("石门村", "村/社区"), ("石门村", "村/社区"), ("农服中心", "合作社"), ("", "科室/站所")]
    )
    before = count_rows(OrgUnit), count_rows(User)
    page = text(open_town(as_district, content, name="宝顶镇"))
    assert "同一上级单位下已有名为“宝顶镇”的单位" in page
    assert "管理员手机号：手机号13987650001已被其他人员使用" in page
    assert "第3行：与第2行的单位名称重复" in page
    assert "第4行：单位类型应为“科室/站所”或“村/社区”" in page
    assert "第5行：单位名称不能为空" in page
    assert "确认开通</button>" not in page
    assert (count_rows(OrgUnit), count_rows(User)) == before


def test_a_file_that_is_not_xlsx_is_refused_in_chinese(as_district):
    page = text(open_town(as_district, b"not a spreadsheet"))
    assert "文件不是有效的 .xlsx 文件" in page or "文件内容无法读取" in page
    assert unit("宝兴镇") is None


def test_a_town_taken_between_preview_and_confirm_writes_nothing(as_district, tree):
    from yongxi_learn.org import services

    preview = open_town(as_district, units_xlsx([("宝兴村", "村/社区")]))
    services.create_unit("宝兴镇", UnitKind.TOWN, tree["district"], actor=services.SYSTEM)
    db.session.commit()
    page = text(confirm(as_district, preview))
    assert "同一上级单位下已有名为“宝兴镇”的单位" in page
    assert unit("宝兴村") is None
    assert db.session.scalar(sa.select(User).where(User.phone == "13987650001")) is None


def test_the_unit_template_is_the_sheet_the_upload_reads(as_district):
    response = as_district.get("/admin/towns/template.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["单位", "填写说明"]
    assert [c.value for c in workbook["单位"][1]] == ["单位名称", "单位类型"]


def test_town_admins_and_reviewers_cannot_reach_the_towns(client, login, admin, reviewer, tree):
    for person in (admin, reviewer):
        login(person)
        town_id = tree["other_town"].id
        for url in (
            TOWNS,
            NEW,
            f"/admin/towns/{town_id}/hand-over",
            f"/admin/towns/{town_id}/retire",
        ):
            assert client.get(url).status_code in (403, 404), (person.name, url)
        client.post("/logout")
    assert count_rows(OrgUnit) == 8


# ---------------------------------------------------------------- handing over


def test_hand_over_to_a_person_of_the_town_takes_the_role_from_the_old_admin(
    as_district, make_user, tree
):
    old = make_user("老管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    successor = make_user("接任者", tree["other_village"], phone="13987650002")
    town_id = tree["other_town"].id
    page = text(
        as_district.post(f"/admin/towns/{town_id}/hand-over", data={"phone": "13987650002"})
    )
    assert "宝顶镇管理员已移交给接任者" in page and "已撤销老管理员的本镇管理员权限" in page
    grants = (
        db.session.execute(
            sa.select(RoleGrant.user_id).where(
                RoleGrant.unit_id == town_id, RoleGrant.role == Role.ADMIN
            )
        )
        .scalars()
        .all()
    )
    assert grants == [successor.id]
    assert old.id not in grants
    detail = db.session.scalar(
        sa.select(AuditLog.detail).where(AuditLog.action == "town.hand_over")
    )
    assert "接任者" in detail and "老管理员" in detail


def test_hand_over_to_a_new_phone_creates_the_person_in_the_town(as_district, tree):
    town_id = tree["other_town"].id
    refused = text(
        as_district.post(f"/admin/towns/{town_id}/hand-over", data={"phone": "13987650003"})
    )
    assert "该手机号尚未登记，请填写新管理员的姓名" in refused
    page = text(
        as_district.post(
            f"/admin/towns/{town_id}/hand-over", data={"phone": "13987650003", "name": "新来的"}
        )
    )
    assert "初始密码" in page
    person = db.session.scalar(sa.select(User).where(User.phone == "13987650003"))
    assert person.unit_id == town_id and person.has_role(Role.ADMIN)


def test_hand_over_refuses_a_person_of_another_town(as_district, make_user, tree):
    make_user("雍溪人", tree["village"], phone="13987650004")
    page = text(
        as_district.post(
            f"/admin/towns/{tree['other_town'].id}/hand-over", data={"phone": "13987650004"}
        )
    )
    assert "该手机号对应的人员不在宝顶镇" in page
    assert not db.session.scalar(sa.select(User).where(User.phone == "13987650004")).grants


# ---------------------------------------------------------------- retiring


def test_retiring_a_town_deactivates_its_people_roles_and_units(
    as_district, app, make_user, login, tree
):
    town = tree["other_town"]
    admin_b = make_user("宝顶管理员", tree["other_village"], roles=[(Role.ADMIN, town)])
    learner_b = make_user("宝顶学员", tree["other_village"], category=Category.VILLAGE_CADRE)
    yongxi = make_user("雍溪学员", tree["village"])
    session_b = app.test_client()
    login(learner_b, client=session_b)
    assert session_b.get("/").status_code == 200

    refused = text(
        as_district.post(f"/admin/towns/{town.id}/retire", data={"confirm_name": "宝顶"})
    )
    assert "请输入要撤销的镇（街道）名称“宝顶镇”以确认" in refused
    assert unit("宝顶镇").active

    as_district.post(f"/admin/towns/{town.id}/retire", data={"confirm_name": "宝顶镇"})
    db.session.expire_all()
    assert not unit("宝顶镇").active and not unit("宝林村").active
    assert not db.session.get(User, admin_b.id).active
    assert not db.session.get(User, learner_b.id).active
    assert not db.session.get(User, admin_b.id).grants
    assert db.session.get(User, yongxi.id).active
    assert session_b.get("/", follow_redirects=False).status_code == 302  # logged out
    listing = text(as_district.get(TOWNS))
    assert "已撤销" in listing


# ---------------------------------------------------------------- settings


def _default_pass_score(client) -> str:
    page = client.get("/admin/exams/new").get_data(as_text=True)
    return re.search(r'name="pass_score"[^>]*value="([^"]+)"', page).group(1)


def test_a_town_inherits_the_districts_pass_mark_unless_it_sets_its_own(
    as_district, app, login, admin, tree
):
    district_id, town_id = tree["district"].id, tree["town"].id
    town = app.test_client()
    login(admin, client=town)
    assert _default_pass_score(town) == "60.00"

    as_district.post(
        f"/admin/settings?unit={district_id}", data={"key": "exam.pass_score", "value": "70"}
    )
    assert _default_pass_score(town) == "70.00"
    page = re.sub(r"<[^>]+>", "", text(town.get("/admin/settings")))
    assert "现为 70分" in page and "沿用大足区的设置" in page

    town.post("/admin/settings", data={"key": "exam.pass_score", "value": "80"})
    assert _default_pass_score(town) == "80.00"
    assert _default_pass_score(as_district) == "70.00"

    town.post("/admin/settings", data={"key": "exam.pass_score", "inherit": "1"})
    assert _default_pass_score(town) == "70.00"
    actions = db.session.scalars(
        sa.select(AuditLog.detail).where(AuditLog.action == "unit.setting")
    )
    assert list(actions) == [
        "新建考试的默认及格分：70分",
        "新建考试的默认及格分：80分",
        "新建考试的默认及格分：改为沿用上级",
    ]
    assert town_id


def test_a_bad_setting_is_refused_in_chinese_and_a_town_cannot_set_the_districts(
    client, login, admin, tree
):
    login(admin)
    page = text(
        client.post(
            "/admin/settings",
            data={"key": "exam.pass_score", "value": "abc"},
            follow_redirects=True,
        )
    )
    assert "新建考试的默认及格分应为数字" in page
    # The district is not among a town admin's units: the town's own page answers.
    client.post(
        f"/admin/settings?unit={tree['district'].id}",
        data={"key": "exam.pass_score", "value": "90"},
    )
    from yongxi_learn.org.unit_settings import UnitSetting

    rows = db.session.execute(sa.select(UnitSetting.unit_id, UnitSetting.value)).all()
    assert rows == [(tree["town"].id, "90")]


def test_a_towns_exam_draws_on_the_district_categories_never_another_towns(
    client, login, admin, tree
):
    from yongxi_learn.exams.bank import services as bank
    from yongxi_learn.org.services import SYSTEM

    bank.create_category("区级公共题", tree["district"], actor=SYSTEM)
    bank.create_category("本镇题", tree["town"], actor=SYSTEM)
    bank.create_category("宝顶自编题", tree["other_town"], actor=SYSTEM)
    db.session.commit()
    login(admin)
    page = text(client.get("/admin/exams/new"))
    assert "大足区 / 区级公共题" in page and "雍溪镇 / 本镇题" in page
    assert "宝顶自编题" not in page


def test_a_town_uses_the_districts_report_wording_until_it_has_its_own(
    as_district, app, login, admin, tree
):
    from yongxi_learn.core.time import utcnow
    from yongxi_learn.org.services import Actor
    from yongxi_learn.reports import services as reports

    district = db.session.get(OrgUnit, tree["district"].id)
    wording = reports.DEFAULT_TEMPLATE + "\n全区统一措辞。"
    with app.test_request_context():
        reports.set_template(district, wording, actor=Actor(user=None), year=2025, now=utcnow())
    db.session.commit()
    town = app.test_client()
    login(admin, client=town)
    page = text(town.get(f"/admin/reports/template?unit={tree['town'].id}"))
    assert "本单位没有自定模板，现沿用大足区的模板" in page and "全区统一措辞。" in page
    assert reports.template_for(db.session.get(OrgUnit, tree["town"].id)) == wording


def test_the_towns_list_counts_each_towns_units_and_active_people(make_user, tree):
    from yongxi_learn.org import tenancy

    make_user("在岗甲", tree["village"])
    make_user("在岗乙", tree["town"])
    make_user("已停用", tree["village2"], active=False)
    make_user("宝顶在岗", tree["other_village"])
    make_user("区里的人", tree["district"])
    rows = {row.town.name: (row.units, row.people) for row in tenancy.towns(tree["district"])}
    assert rows == {"雍溪镇": (4, 2), "宝顶镇": (1, 1)}
