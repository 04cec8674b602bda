"""意见建议: everyone sends, the admins over the sender's town (and the district) answer,
anonymity holds against the town but never against the district admin."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.feedback import services
from yongxi_learn.feedback.models import Feedback, FeedbackKind
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Role


@pytest.fixture
def district_admin(make_user, tree):
    return make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])


def _send(client, text, kind="complaint", anonymous=False):
    page = client.get("/feedback")
    data = {"csrf_token": csrf_token(page.text), "kind": kind, "text": text}
    if anonymous:
        data["anonymous"] = "y"
    return client.post("/feedback", data=data, follow_redirects=True)


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/feedback").text)})


def _item(sender, text="食堂旁的学法宣传栏太旧", *, days_ago=0, anonymous=False):
    item = services.send(
        user=sender,
        kind=FeedbackKind.SUGGESTION,
        text=text,
        anonymous=anonymous,
        now=utcnow() - timedelta(days=days_ago),
    )
    db.session.commit()
    return item


def test_a_learner_sends_a_complaint_and_sees_it_waiting(client, login, learner):
    login(learner)
    reply = _send(client, "考试时间安排在农忙时节，希望调整")
    assert reply.status_code == 200
    assert "已提交" in reply.text
    assert "考试时间安排在农忙时节" in reply.text
    assert "待答复" in reply.text and "已等待 0 天" in reply.text
    item = db.session.scalar(sa.select(Feedback))
    assert (item.kind, item.sender_id, item.anonymous) == (
        FeedbackKind.COMPLAINT,
        learner.id,
        False,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "请填写内容"), ("长" * 1001, "内容不能超过1000字（现有1001字）")],
)
def test_empty_or_too_long_text_is_refused_in_words(client, login, learner, text, message):
    login(learner)
    reply = _send(client, text)
    assert reply.status_code == 400
    assert message in reply.text
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 0


def test_the_town_admin_sees_anonymous_as_such_and_the_district_admin_sees_the_sender(
    client, login, learner, admin, district_admin
):
    _item(learner, "村里的学习资料不够", anonymous=True)
    login(admin)
    page = client.get("/admin/feedback").text
    assert "村里的学习资料不够" in page and "匿名" in page
    assert learner.name not in page
    _logout(client)
    login(district_admin)
    page = client.get("/admin/feedback").text
    assert f"{learner.name}（石佛村）" in page and "匿名提交" in page


def test_open_items_age_and_come_oldest_first(client, login, learner, admin):
    _item(learner, "较新的建议", days_ago=2)
    _item(learner, "最早的建议", days_ago=9)
    login(admin)
    page = client.get("/admin/feedback").text
    assert page.index("最早的建议") < page.index("较新的建议")
    assert "已等待 9 天" in page and "已等待 2 天" in page


def test_an_answer_is_audited_and_shown_to_the_sender_with_who_and_when(
    client, login, learner, admin
):
    item = _item(learner, "希望增加语音朗读", anonymous=True)
    login(admin)
    page = client.get("/admin/feedback").text
    reply = client.post(
        f"/admin/feedback/{item.id}/answer",
        data={"csrf_token": csrf_token(page), "text": "已列入下一版本"},
        follow_redirects=True,
    )
    assert "已答复" in reply.text
    assert "已列入下一版本" in reply.text and f"{admin.name} 于" in reply.text
    assert learner.name not in reply.text  # still 匿名 to the town after answering
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "feedback.answer"))
    assert (entry.actor_id, entry.object_id) == (admin.id, item.id)
    # Sending left no audit record naming the (anonymous) sender.
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.actor_id == learner.id)) is None
    _logout(client)
    login(learner)
    mine = client.get("/feedback").text
    assert "已列入下一版本" in mine and f"{admin.name} 于" in mine and "已答复" in mine


def test_an_item_is_answered_once(client, login, learner, admin):
    item = _item(learner)
    login(admin)
    page = client.get("/admin/feedback").text
    for text in ("第一次答复", "第二次答复"):
        reply = client.post(
            f"/admin/feedback/{item.id}/answer",
            data={"csrf_token": csrf_token(page), "text": text},
            follow_redirects=True,
        )
    assert "该意见建议已答复" in reply.text
    db.session.refresh(item)
    assert item.answer == "第一次答复"


def test_another_towns_admin_neither_sees_nor_answers(client, login, make_user, tree, learner):
    item = _item(learner, "本镇的意见")
    other = make_user("宝顶镇管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    login(other)
    assert "本镇的意见" not in client.get("/admin/feedback").text
    token = csrf_token(client.get("/feedback").text)
    reply = client.post(
        f"/admin/feedback/{item.id}/answer", data={"csrf_token": token, "text": "x"}
    )
    assert reply.status_code == 404


def test_unit_admins_and_reviewers_do_not_answer(client, login, unit_admin, reviewer):
    for person in (unit_admin, reviewer):
        login(person)
        assert client.get("/admin/feedback").status_code == 403
        home = client.get("/feedback").text
        assert "意见建议" in home and "意见处理" not in home
        _logout(client)


def test_the_menu_offers_feedback_to_learners_and_its_handling_to_admins(client, login, admin):
    login(admin)
    page = client.get("/").text
    assert 'href="/feedback"' in page and 'href="/admin/feedback"' in page


def test_the_promise_page_is_public_and_linked_from_the_footer(client):
    page = client.get("/promise")
    assert page.status_code == 200
    for words in ("不强制打卡签到", "不搞积分排名", "不以在线时长考核任何人", "不采集人脸"):
        assert words in page.text
    assert 'href="/promise"' in client.get("/login").text
