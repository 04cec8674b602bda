"""Creating, editing, cancelling and listing sessions, and the kinds."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.training.helpers import session_form
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Role
from yongxi_learn.org.permissions import PermissionDenied
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.training import services
from yongxi_learn.training.models import (
    KindCode,
    SessionLaw,
    SessionStatus,
    TrainingKind,
    TrainingSession,
)
from yongxi_learn.training.services import TrainingError

from .conftest import NOON


def test_an_admin_creates_a_session_in_beijing_time(client, login, admin, kinds, tree):
    login(admin)
    response = client.post(
        "/admin/training/new", data=session_form(kinds, tree), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "已保存" in page and "新修订《行政复议法》解读" in page
    session = db.session.scalar(sa.select(TrainingSession))
    assert session.starts_at.hour == 6 and session.starts_at.minute == 30  # 14:30 Beijing
    assert (session.year, session.hours, session.lecturer_external) == (2024, Decimal(2), True)
    assert session.audience == {
        "units": [tree["town"].id],
        "categories": ["official", "leader"],
        "people": [],
    }
    assert "training.create" in db.session.scalars(sa.select(AuditLog.action)).all()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"topic": "  "}, "请输入学习主题"),
        ({"ends_at": "2024-06-12T14:00"}, "结束时间须晚于开始时间"),
        ({"hours": "0"}, "学时须大于0"),
        ({"audience_phones": "13900000000"}, "不存在或不在本单位范围内"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, login, admin, kinds, tree, overrides, message):
    login(admin)
    response = client.post("/admin/training/new", data=session_form(kinds, tree, **overrides))
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_an_audience_outside_the_organiser_is_refused(make_session, tree):
    with pytest.raises(TrainingError, match="不在本单位范围内"):
        make_session(owner=tree["village"], audience={"units": [tree["village2"].id]})


def test_editing_changes_the_session(client, login, admin, kinds, tree, make_session):
    session = make_session()
    login(admin)
    form_page = client.get(f"/admin/training/{session.id}/edit").get_data(as_text=True)
    assert session.topic in form_page
    client.post(
        f"/admin/training/{session.id}/edit",
        data=session_form(kinds, tree, topic="改后的主题", owner_unit_id=session.owner_unit_id),
    )
    db.session.refresh(session)
    assert session.topic == "改后的主题"


def test_cancelling_keeps_the_record_with_the_reason(client, login, admin, make_session):
    session = make_session()
    login(admin)
    response = client.post(
        f"/admin/training/{session.id}/cancel", data={"reason": "台风停课"}, follow_redirects=True
    )
    assert "已取消本次学习" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.status is SessionStatus.CANCELLED and session.cancel_reason == "台风停课"
    with pytest.raises(TrainingError, match="已取消"):
        services.update_session(
            session,
            services.SessionData(session.kind_id, "x", session.starts_at, session.ends_at),
            actor=SYSTEM,
        )


def test_the_list_filters_by_year_kind_and_unit(client, login, admin, make_session, kinds, tree):
    make_session(topic="二〇二四年专题学习")
    make_session(topic="中心组学习", kind=KindCode.CENTRE_GROUP)
    make_session(
        topic="村里的以案释法",
        owner=tree["village"],
        kind=KindCode.CASE,
        audience={"units": [tree["village"].id]},
    )
    make_session(topic="二〇二三年专题学习", starts_at=NOON.replace(year=2023))
    login(admin)
    page = client.get("/admin/training/?year=2024").get_data(as_text=True)
    assert "二〇二四年专题学习" in page and "二〇二三年专题学习" not in page
    page = client.get(f"/admin/training/?kind={kinds[KindCode.CENTRE_GROUP].id}").get_data(
        as_text=True
    )
    assert "中心组学习" in page and "二〇二四年专题学习" not in page
    page = client.get(f"/admin/training/?unit={tree['village'].id}").get_data(as_text=True)
    assert "村里的以案释法" in page and "中心组学习" not in page


def test_a_village_admin_sees_the_towns_sessions_but_not_another_villages(
    client, login, unit_admin, make_session, tree
):
    make_session(topic="全镇专题学习")
    make_session(
        topic="红岩村自学", owner=tree["village2"], audience={"units": [tree["village2"].id]}
    )
    make_session(
        topic="外镇学习", owner=tree["other_town"], audience={"units": [tree["other_town"].id]}
    )
    login(unit_admin)
    page = client.get("/admin/training/").get_data(as_text=True)
    assert "全镇专题学习" in page
    assert "红岩村自学" not in page and "外镇学习" not in page
    assert "新建集中学习" not in page


def test_learners_and_auditors_change_nothing(
    app, login, learner, reviewer, make_session, kinds, tree
):
    session = make_session()
    for person in (learner, reviewer):
        client = app.test_client()
        login(person, client=client)
        assert client.post("/admin/training/new", data=session_form(kinds, tree)).status_code == 403
        assert (
            client.post(f"/admin/training/{session.id}/cancel", data={"reason": "x"}).status_code
            == 403
        )
    assert client.get(f"/admin/training/{session.id}").status_code == 200  # the auditor reads
    db.session.refresh(session)
    assert session.status is SessionStatus.SCHEDULED


def test_a_topic_with_markup_is_shown_as_text(client, login, admin, make_session):
    session = make_session(topic='<script>alert(1)</script><img src=x onerror="alert(2)">')
    login(admin)
    for path in ("/admin/training/", f"/admin/training/{session.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_admins_add_and_retire_kinds(client, login, admin, kinds, tree):
    login(admin)
    town = tree["town"].id
    client.post("/admin/training/kinds", data={"name": "宪法宣传周活动", "owner_unit_id": town})
    kind = db.session.scalar(sa.select(TrainingKind).where(TrainingKind.name == "宪法宣传周活动"))
    assert (kind.code, kind.owner_unit_id) == (None, town)
    data = {"name": "法治讲堂", "owner_unit_id": town}
    page = client.post("/admin/training/kinds", data=data).get_data(as_text=True)
    assert "已有“法治讲堂”类型" in page
    client.post(f"/admin/training/kinds/{kind.id}/active", data={"active": "0"})
    db.session.refresh(kind)
    assert not kind.active
    assert kind not in services.kinds(tree["town"])


def test_kinds_can_be_added_by_the_service_and_are_audited(kinds, admin, tree):
    services.add_kind("读书分享会", tree["town"], actor=Actor(admin))
    db.session.commit()  # audit rows are written when the transaction commits
    assert "雍溪镇新增类型“读书分享会”" in db.session.scalars(sa.select(AuditLog.detail)).all()


@pytest.fixture
def other_admin(make_user, tree):
    return make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])


def test_a_towns_kind_is_its_own_and_its_villages(kinds, admin, other_admin, tree):
    """Town B's admin cannot see, use, retire or shadow town A's kinds, nor the built-in."""
    ours = services.add_kind("读书分享会", tree["town"], actor=Actor(admin))
    assert ours in services.kinds(tree["village"])  # A's villages use it
    assert ours not in services.kinds(tree["other_village"])
    assert ours not in services.kinds_for(other_admin)
    theirs = services.add_kind("读书分享会", tree["other_town"], actor=Actor(other_admin))
    assert theirs.id != ours.id  # the same name in another town is no clash
    with pytest.raises(TrainingError, match="不能在此停用"):
        services.set_kind_active(ours, False, actor=Actor(other_admin))
    with pytest.raises(TrainingError, match="不能在此停用"):
        services.set_kind_active(kinds[KindCode.TOPIC], False, actor=Actor(other_admin))
    with pytest.raises(PermissionDenied):
        services.add_kind("越权类型", tree["town"], actor=Actor(other_admin))
    assert ours.active and kinds[KindCode.TOPIC].active


def test_a_session_cannot_take_another_towns_kind(client, login, kinds, tree, other_admin, admin):
    ours = services.add_kind("读书分享会", tree["town"], actor=Actor(admin))
    db.session.commit()
    login(other_admin)
    data = session_form(kinds, tree, owner_unit_id=tree["other_town"].id, kind_id=ours.id)
    data["audience_units"] = [tree["other_town"].id]
    client.post("/admin/training/new", data=data)
    assert db.session.scalars(sa.select(TrainingSession)).all() == []
    page = client.get("/admin/training/kinds").get_data(as_text=True)
    assert "读书分享会" not in page
    response = client.post(f"/admin/training/kinds/{ours.id}/active", data={"active": "0"})
    assert response.status_code == 404


# ---------------------------------------------------------------- laws of the library


@pytest.fixture
def law(tree):
    from yongxi_learn.laws.models import Law, LawKind

    law = Law(owner_unit=tree["district"], title="中华人民共和国行政复议法", kind=LawKind.LAW)
    db.session.add(law)
    db.session.commit()
    return law


def test_a_session_links_laws_of_the_library(client, login, admin, kinds, tree, law):
    login(admin)
    client.post("/admin/training/new", data=session_form(kinds, tree, law_ids=[str(law.id)]))
    session = db.session.scalar(sa.select(TrainingSession))
    assert [link.law_id for link in session.law_links] == [law.id]
    page = client.get(f"/admin/training/{session.id}").get_data(as_text=True)
    assert "《中华人民共和国行政复议法》" in page and f"/laws/{law.id}" in page


def test_an_amended_law_flags_the_session_until_it_is_saved_again(
    client, login, admin, kinds, tree, law, make_session
):
    from yongxi_learn.laws import references
    from yongxi_learn.laws.models import LawStatus

    session = make_session()
    services.update_session(
        session,
        services.SessionData(
            session.kind_id,
            session.topic,
            session.starts_at,
            session.ends_at,
            audience=session.audience,
            law_ids=[law.id],
        ),
        actor=Actor(admin),
    )
    db.session.commit()
    law.status = LawStatus.AMENDED
    assert references.flag_references([law.id]) == 1
    db.session.commit()
    login(admin)
    review = client.get("/laws/review").get_data(as_text=True)
    assert session.topic in review and f"/admin/training/{session.id}/edit" in review
    # A new link to a law that is no longer current is refused...
    other = make_session(topic="另一场")
    with pytest.raises(TrainingError, match="现行有效"):
        services.update_session(
            other,
            services.SessionData(
                other.kind_id,
                other.topic,
                other.starts_at,
                other.ends_at,
                audience=other.audience,
                law_ids=[law.id],
            ),
            actor=Actor(admin),
        )
    db.session.rollback()
    # ...while saving the flagged session again confirms its link.
    form = client.get(f"/admin/training/{session.id}/edit").get_data(as_text=True)
    assert "（已修改）" in form
    client.post(
        f"/admin/training/{session.id}/edit",
        data=session_form(
            kinds,
            tree,
            kind_id=session.kind_id,
            topic=session.topic,
            law_ids=[str(law.id)],
            starts_at="2024-06-12T10:00",
            ends_at="2024-06-12T12:00",
        ),
    )
    db.session.refresh(session)
    assert not session.law_links[0].needs_review
    assert session.topic not in client.get("/laws/review").get_data(as_text=True)


def test_another_towns_admin_does_not_see_the_flagged_session(
    app, login, tree, law, make_session, make_user
):
    from yongxi_learn.laws import references
    from yongxi_learn.laws.models import LawStatus

    session = make_session(topic="雍溪镇的专题学习")
    session.law_links.append(SessionLaw(law_id=law.id))
    db.session.commit()
    law.status = LawStatus.AMENDED
    references.flag_references([law.id])
    db.session.commit()
    stranger = make_user(
        "宝顶镇管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])]
    )
    client = app.test_client()
    login(stranger, client=client)
    assert "雍溪镇的专题学习" not in client.get("/laws/review").get_data(as_text=True)


def test_the_home_page_lists_this_weeks_sessions_of_the_persons_audience(
    client, login, make_session, cadre, tree
):
    from yongxi_learn.core.time import utcnow

    soon = utcnow().replace(microsecond=0) + timedelta(days=1)
    make_session(topic="学习《行政复议法》<第一讲>", starts_at=soon, kind=KindCode.EXPERT)
    make_session(
        topic="红岩村村民代表学法", starts_at=soon, audience={"units": [tree["village2"].id]}
    )
    make_session(topic="下个月的学习", starts_at=soon + timedelta(days=30))
    cancelled = make_session(topic="已取消的学习", starts_at=soon)
    services.cancel_session(cancelled, "场地冲突", actor=SYSTEM, now=utcnow())
    db.session.commit()

    login(cadre)
    page = client.get("/").get_data(as_text=True)
    assert "学习《行政复议法》&lt;第一讲&gt;" in page and "专家授课" in page
    assert "红岩村村民代表学法" not in page and "下个月的学习" not in page
    assert "已取消的学习" not in page
