"""The workbook of what was done by hand, each with who and when: 免考 and 不参加补考
with their reasons, 补考 results, 补录 and undone sign-ins, answer-key fixes."""

import re
from datetime import datetime

from ..core.spreadsheets import Sheet
from ..core.time import format_local
from ..exams.models import ExamKind
from ..org.models import OrgUnit
from ..training.models import AttendanceMethod
from . import records

MANUAL = AttendanceMethod.MANUAL


def _exemptions(year: int, unit: OrgUnit) -> Sheet:
    rows = [
        [
            n,
            e.exam.title,
            "不参加补考" if e.exam.kind is ExamKind.MAKEUP else "免考",
            e.unit.name,
            e.user.name,
            e.category.label,
            e.exempt_reason,
            records.exempted_by(e),
            format_local(e.exempted_at),
        ]
        for n, e in enumerate(records.exemptions(year, unit), start=1)
    ]
    return Sheet(
        "免考",
        ["序号", "考试", "类型", "单位（发布时）", "姓名", "人员类别", "原因", "操作人", "时间"],
        rows,
        title=[
            f"{year}年{unit.name}免考及不参加补考人员（{len(rows)}人次）",
            "免考人员不计入应考人数；不参加补考的仍按正式考试计入统计",
        ],
    )


def _makeups(year: int, unit: OrgUnit) -> Sheet:
    rows = []
    for n, r in enumerate(records.makeup_results(year, unit), start=1):
        e, best = r.enrolment, r.best
        if best is None:
            result = "未参加补考"
        else:
            result = (
                "通过" if best.score is not None and best.score >= e.exam.pass_score else "未通过"
            )
        rows.append(
            [
                n,
                e.exam.title,
                e.unit.name,
                e.user.name,
                e.category.label,
                best.score if best else "",
                e.exam.pass_score,
                result,
                format_local(best.finished_at) if best else "",
            ]
        )
    return Sheet(
        "补考成绩",
        [
            "序号",
            "补考",
            "单位（发布时）",
            "姓名",
            "人员类别",
            "补考成绩",
            "及格分",
            "结果",
            "交卷时间",
        ],
        rows,
        title=[f"{year}年{unit.name}补考成绩（{len(rows)}人）", "成绩为补考中最好的一次"],
    )


def _marks(year: int, unit: OrgUnit) -> Sheet:
    rows = [
        [
            n,
            format_local(a.session.starts_at, "%Y-%m-%d"),
            a.session.topic,
            a.unit.name,
            a.user.name,
            a.method.label,
            a.reason,
            a.marked_by.name if a.marked_by else ("系统" if a.method is MANUAL else ""),
            format_local(a.signed_at),
            "已撤销" if a.revoked_at else "有效",
            records.revoked_by(a),
            format_local(a.revoked_at),
            a.revoke_reason,
        ]
        for n, a in enumerate(records.marks(year, unit), start=1)
    ]
    headers = ["序号", "日期", "集中学习", "单位（签到时）", "姓名", "签到方式", "补录原因"]
    headers += ["补录人", "签到/补录时间", "状态", "撤销人", "撤销时间", "撤销原因"]
    return Sheet(
        "补录与撤销签到",
        headers,
        rows,
        title=[
            f"{year}年{unit.name}管理员补录和撤销的签到（{len(rows)}条）",
            "补录=管理员代为签到并注明原因；撤销的签到不计入任何数字",
        ],
    )


KEY_CHANGE = re.compile(r"答案 [A-Z]+ → [A-Z]+")
WITHHELD = "（该题仍在进行中的考试中使用，考试结束后列出）"


def _regrades(year: int, unit: OrgUnit, now: datetime) -> Sheet:
    rows = [
        [
            n,
            format_local(r.entry.at),
            r.entry.actor.name if r.entry.actor else "系统",
            "、".join(r.exams),
            WITHHELD if r.in_open_exam else (r.question.stem if r.question else ""),
            KEY_CHANGE.sub("更正答案", r.entry.detail) + WITHHELD
            if r.in_open_exam
            else r.entry.detail,
        ]
        for n, r in enumerate(records.regrades(year, unit, now), start=1)
    ]
    return Sheet(
        "答案更正",
        ["序号", "时间", "操作人", "涉及考试", "题目", "更正内容"],
        rows,
        title=[
            f"{year}年{unit.name}考试答案更正及重新评分（{len(rows)}次）",
            "更正答案后，用到该题的已交答卷全部按新答案重新评分（来自操作日志）",
        ],
        max_width=50,
    )


def _exam_hand_changes(year: int, unit: OrgUnit) -> Sheet:
    rows = []
    for n, entry in enumerate(records.exam_hand_changes(year, unit), start=1):
        exam = records.exam_of(entry)
        rows.append(
            [
                n,
                format_local(entry.at),
                entry.actor.name if entry.actor else "系统",
                entry.action_label,
                exam.title if exam else "",
                entry.detail,
            ]
        )
    return Sheet(
        "纸质更正与外部成绩",
        ["序号", "时间", "操作人", "操作", "考试", "内容"],
        rows,
        title=[
            f"{year}年{unit.name}纸质试卷答案更正、外部考试成绩计入与取消（{len(rows)}次）",
            "更正后的纸质试卷重新评分；计入考试的外部成绩按该考试的参考、通过统计（来自操作日志）",
        ],
        max_width=50,
    )


def sheets(year: int, unit: OrgUnit, now: datetime) -> list[Sheet]:
    return [
        _exemptions(year, unit),
        _makeups(year, unit),
        _marks(year, unit),
        _regrades(year, unit, now),
        _exam_hand_changes(year, unit),
    ]
