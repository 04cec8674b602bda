"""The 备案 information sheet: a .docx for admins, filled from the deployment's settings,
audited, naming no person."""

import io

import docx
import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog


def _text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/feedback").text)})


@pytest.fixture
def app_config():
    return {
        "OPERATOR_NAME": "大足区司法局",
        "OPERATOR_CONTACT": "依法治区办 王科长 023-12345678",
        "PRIVACY_RETENTION_YEARS": 5,
    }


def test_an_admin_downloads_the_sheet_filled_from_the_settings(client, login, admin, learner):
    login(admin)
    assert "下载备案信息表" in client.get("/promise").text
    reply = client.get("/admin/filing.docx")
    assert reply.status_code == 200
    assert "attachment" in reply.headers["Content-Disposition"]
    text = _text(reply.data)
    for words in (
        "政务应用程序备案信息表",
        "大足区司法局",
        "依法治区办 王科长 023-12345678",
        "SITE_ADDRESS",  # not set: the sheet says which setting to fill in
        "姓名、手机号",
        "登录记录（时间、设备类型、失败次数）",
        "停用满5年",
        "flask privacy purge",
        "哈希链",
        "不以在线时长考核任何人",
        "意见建议",
    ):
        assert words in text, words
    assert learner.name not in text and admin.name not in text
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "filing.download"))
    assert entry.actor_id == admin.id


def test_the_sheet_is_for_admins_only(client, login, unit_admin, reviewer, learner):
    for person in (unit_admin, reviewer, learner):
        login(person)
        assert client.get("/admin/filing.docx").status_code == 403
        assert "下载备案信息表" not in client.get("/promise").text
        _logout(client)
