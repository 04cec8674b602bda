"""The audit log: control characters escaped, never a password, downloads recorded,
no delete path in the app."""

import logging
import re
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import PASSWORD
from yongxi_learn.extensions import db
from yongxi_learn.org import audit, services
from yongxi_learn.org.audit import AuditLog

FORGED = "张三\r\n2026-11-26 09:00:00 登录 成功 管理员"


def entries(action=None) -> list[AuditLog]:
    db.session.expire_all()
    query = sa.select(AuditLog).order_by(AuditLog.id)
    if action:
        query = query.where(AuditLog.action == action)
    return list(db.session.scalars(query))


def all_audit_text() -> str:
    return "\n".join(
        " ".join(str(v) for v in (e.address, e.action, e.object_type, e.result, e.detail))
        for e in entries()
    )


def test_cr_lf_in_a_detail_cannot_forge_a_line(app, admin, caplog):
    with caplog.at_level(logging.INFO, logger="yongxi_learn.audit"):
        audit.record("person.update", actor=admin, address="10.0.0.1\r\nx", detail=FORGED)
        db.session.commit()
    entry = entries("person.update")[0]
    assert "\r" not in entry.detail and "\n" not in entry.detail
    assert entry.detail == "张三\\r\\n2026-11-26 09:00:00 登录 成功 管理员"
    assert entry.address == "10.0.0.1\\r\\nx"
    lines = [r.getMessage() for r in caplog.records if r.name == "yongxi_learn.audit"]
    assert len(lines) == 1 and "\n" not in lines[0] and "\r" not in lines[0]


def test_other_control_characters_and_backslashes_are_escaped(app):
    assert audit.escape_controls("a\x1b[31mb\tc\\n\u2028") == "a\\x1b[31mb\\tc\\\\n\\u2028"
    assert audit.escape_controls("冉晓丽·阿依") == "冉晓丽·阿依"


def test_the_audit_page_shows_the_escaped_text_on_one_line(client, login, admin):
    audit.record("person.update", actor=admin, detail=FORGED)
    db.session.commit()
    login(admin)
    page = client.get("/admin/audit").text
    assert "张三\\r\\n2026-11-26" in page


def test_no_password_is_ever_written_to_the_audit_log(app, client, login, admin, caplog):
    wrong = "WrongGuess123"
    new = "Shifo2024cun"
    with caplog.at_level(logging.INFO, logger="yongxi_learn.audit"):
        client.post("/login", data={"phone": admin.phone, "password": wrong})
        client.post("/login", data={"phone": "13900000000", "password": wrong})
        login(admin)
        client.post("/password", data={"current": PASSWORD, "new": new, "confirm": new})
        person, initial = services.create_person(
            name="李四",
            phone="13811112222",
            unit=admin.unit,
            category=admin.category,
            actor=services.Actor(admin),
        )
        reset = services.reset_password(person, actor=services.Actor(admin))
        db.session.commit()
    stored = all_audit_text()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert {"login", "password.change", "person.create", "person.reset_password"} <= {
        e.action for e in entries()
    }
    for secret in (wrong, new, PASSWORD, initial, reset):
        assert secret not in stored
        assert secret not in logged


def test_question_bank_export_is_recorded(client, login, admin):
    login(admin)
    response = client.get("/admin/questions/export.xlsx")
    assert response.status_code == 200
    response.close()
    (entry,) = entries("questions.export")
    assert entry.actor_id == admin.id and entry.detail.endswith(".xlsx")


def test_every_recorded_action_has_a_chinese_label():
    source = Path(audit.__file__).parents[1]
    used = set()
    for path in source.rglob("*.py"):
        used |= set(
            re.findall(
                r'(?:record|record_download|_audit|audit_\w+)\(\s*[\w.]*,?\s*"([a-z_]+\.[a-z_]+|login|lockout)"',
                path.read_text(),
            )
        )
    assert used, "no audit calls found"
    assert used <= set(audit.ACTION_LABELS), used - set(audit.ACTION_LABELS)


def test_the_app_has_no_way_to_change_or_delete_audit_records(app, client, login, admin):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or "audit" in rule.endpoint:
            # The one POST is the search form (a phone typed in it stays out of URLs).
            allowed = {"GET", "HEAD", "OPTIONS"} | (
                {"POST"} if rule.rule == "/admin/audit" else set()
            )
            assert rule.methods <= allowed, rule
    login(admin)
    before = [(e.id, e.action, e.at, e.detail) for e in entries()]
    client.post("/admin/audit", data={"action": "login", "delete": "y", "id": before[0][0]})
    assert [(e.id, e.action, e.at, e.detail) for e in entries()] == before
    source = Path(audit.__file__).parents[1]
    deleting = [
        path.name
        for path in source.rglob("*.py")
        if re.search(
            r"delete\(\s*AuditLog|AuditLog\)\.delete|update\(\s*AuditLog", path.read_text()
        )
    ]
    assert deleting == ["audit_cli.py"]
