"""The audit log: who did what, from where, to what, with what result.

Rows are added in the caller's transaction, so an action and its audit record
are committed (or rolled back) together. Failed logins are the exception: the
auth service commits them itself, since the request that follows fails.

The rows form a hash chain (``flask audit verify``): each stores the hash of the
row before it (in id order) and its own hash over its content. A row recorded is
held back from the transaction's flushes and inserted when the transaction
commits, after everything else, with the chain's head row locked: the ids are
drawn under the lock, so id order is chain order, the lock is held only for the
commit (a login or a download waits for no one's longer work), and it is the
last lock a transaction takes (no deadlock with a row lock taken after it). Each
committed row is then one JSON line on the ``yongxi_learn.audit`` logger, the
copy that leaves the database.
"""

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.time import utcnow
from ..extensions import db
from .models import OrgUnit, User
from .permissions import Perm, scope_filter, scope_units

# Each committed record is also one JSON line here (core.audit_chain): stdout under
# gunicorn, from there to journald or syslog and a central log store.
logger = logging.getLogger("yongxi_learn.audit")

ACTION_LABELS = {
    "login": "登录",
    "lockout": "账号锁定",
    "password.change": "修改密码",
    "person.create": "新增人员",
    "person.update": "修改人员",
    "person.activate": "启用人员",
    "person.deactivate": "停用人员",
    "person.reset_password": "重置密码",
    "person.export": "导出个人数据",
    "certificate.issue": "开具成绩证明",
    "people.import": "批量导入人员",
    "role.grant": "授予权限",
    "role.revoke": "撤销权限",
    "unit.create": "新建单位",
    "unit.rename": "单位改名",
    "unit.move": "移动单位",
    "unit.activate": "启用单位",
    "unit.deactivate": "停用单位",
    "unit.setting": "修改单位设置",
    "town.open": "开通镇（街道）",
    "town.hand_over": "移交镇（街道）管理员",
    "town.retire": "撤销镇（街道）",
    "question.create": "新增题目",
    "question.update": "修改题目",
    "question.version": "题目新版本",
    "question.retire": "停用题目",
    "question.restore": "恢复题目",
    "question.delete": "删除题目",
    "exam.create": "新建考试",
    "exam.update": "修改考试",
    "exam.paper": "设置试卷",
    "exam.publish": "发布考试",
    "exam.paper_printed": "打印纸质试卷",
    "exam.paper_reprinted": "重新打印纸质试卷",
    "exam.paper_entered": "录入纸质试卷答案",
    "exam.paper_corrected": "更正纸质试卷答案",
    "exam.sheet_counted": "外部考试成绩计入考试",
    "exam.sheet_uncounted": "外部考试成绩取消计入考试",
    "exam.extend": "延长考试截止时间",
    "exam.shorten": "提前考试截止时间",
    "exam.cancel": "取消考试",
    "exam.makeup": "创建补考",
    "exam.enrol": "补录应考人员",
    "exam.exempt": "免考",
    "exam.unexempt": "取消免考",
    "exam.makeup_out": "移出补考名单",
    "exam.makeup_in": "恢复补考名单",
    "question.fix_answer": "更正答案并重新评分",
    "question_category.create": "新建题库分类",
    "question_category.rename": "题库分类改名",
    "questions.import": "批量导入题目",
    "external.import": "导入外部考试成绩",
    "external.template": "下载外部考试成绩导入模板",
    "external.delete": "删除导入的外部考试成绩",
    "question.reviewed": "题目复核完成",
    "law.create": "新增法规",
    "law.update": "修改法规信息",
    "law.version": "导入法规新版本",
    "law.repeal": "废止法规",
    "training.create": "新建集中学习",
    "training.update": "修改集中学习",
    "training.cancel": "取消集中学习",
    "training.mark": "补录签到",
    "training.unmark": "撤销签到",
    "training.kind": "学习类型",
    "report.draft": "生成报告草稿",
    "report.save": "修改报告草稿",
    "report.download": "下载报告",
    "report.pack": "下载台账包",
    "report.template": "修改报告模板",
    "stats.export": "下载统计",
    "thresholds.set": "设定达标要求",
    "thresholds.copy_year": "复制达标要求到新年度",
    "year.close": "年度关账",
    "year.reopen": "重新开放年度（更正）",
    "study_list.copy_year": "复制学习清单到新年度",
    "credits.targets": "设定学时目标",
    "reminder.sent": "已发送催办",
    "reminder.export": "下载催办名单",
    "credits.copy_year": "复制学时目标到新年度",
    "study_list.create": "新建学习清单",
    "study_list.update": "修改学习清单",
    "study_list.item": "修改学习清单条目",
    "study.choice_change": "管理员调整选学",
    "reading.create": "布置阅读任务",
    "reading.audio": "上传阅读任务语音讲解",
    "reading.audio_delete": "删除阅读任务语音讲解",
    "law.audio": "上传法条语音讲解",
    "law.audio_delete": "删除法条语音讲解",
    "reading.update": "修改阅读任务",
    "training.export": "下载签到表",
    "questions.export": "导出题库",
    "study.export": "下载学习清单完成情况",
    "reading.export": "下载阅读任务完成情况",
    "course.create": "新建课程",
    "course.update": "修改课程",
    "course.publish": "发布课程",
    "course.part": "修改课程内容",
    "course.media": "上传课程音视频",
    "course.export": "下载课程完成情况",
    "audit.prune": "清理操作日志",
    "feedback.answer": "答复意见建议",
    "filing.download": "下载备案信息表",
    "privacy.purge": "匿名化超期人员数据",
}
RESULT_LABELS = {"ok": "成功", "fail": "失败", "locked": "已锁定"}


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[int | None]
    result: Mapped[str] = mapped_column(sa.String(20), default="ok")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    # The hash chain: the previous row's row_hash (GENESIS for the first) and this
    # row's own (row_digest). Set when the row is committed.
    prev_hash: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    row_hash: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")

    actor = relationship("User", lazy="joined")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result)


def record(
    action: str,
    *,
    actor=None,
    address: str = "",
    obj=None,
    result: str = "ok",
    detail: str = "",
) -> AuditLog:
    """Add an audit row to the current transaction, written when it commits (see the
    module's docstring). Never pass a password in ``detail``."""
    entry = AuditLog(
        at=utcnow(),
        action=action,
        actor_id=getattr(actor, "id", None),
        address=escape_controls(address)[:64],
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        result=result,
        detail=escape_controls(detail),
    )
    db.session.add(entry)
    return entry


def escape_controls(text: str) -> str:
    """CR, LF and other control characters as visible escapes (\\r, \\n, \\x1b), so a
    name or title cannot start a forged line in the log or its exports."""
    return "".join(_escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch == "\\":
        return "\\\\"
    if code >= 0x20 and code != 0x7F and not 0x80 <= code < 0xA0 and ch not in "\u2028\u2029":
        return ch
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def record_download(action: str, *, actor, address: str, obj=None, detail: str = "") -> None:
    """Audit a download from a GET view once its file is built (a build that fails
    leaves no record), committed before the file is sent.

    GET requests run read-only transactions under SQLite (core.db); the record
    needs a writing one, begun afresh. The file is then read in a plain one again:
    while it is built and sent (to a slow phone, seconds) no write lock is held.
    """
    from ..core.db import expect_writes, reads_only

    expect_writes()
    db.session.commit()
    record(action, actor=actor, address=address, obj=obj, detail=detail)
    db.session.commit()
    reads_only()


def visible_entries(user: User) -> sa.Select:
    """Entries by people in the user's VIEW_AUDIT subtrees, newest first. Entries with
    no actor (failed logins of unknown phones, the CLI) belong to no unit, so only
    those who hold the permission over a whole tree (the district) see them."""
    actor_unit = sa.orm.aliased(OrgUnit)
    mine = scope_filter(user, Perm.VIEW_AUDIT, actor_unit.path)
    if any(unit.parent_id is None for unit in scope_units(user, Perm.VIEW_AUDIT)):
        mine = sa.or_(AuditLog.actor_id.is_(None), mine)
    return (
        sa.select(AuditLog)
        .outerjoin(User, AuditLog.actor_id == User.id)
        .outerjoin(actor_unit, User.unit_id == actor_unit.id)
        .where(mine)
        .order_by(AuditLog.id.desc())
    )


# The chain's table and commit hooks (imported last: it builds on AuditLog).
from . import audit_chain  # noqa: E402, F401
