"""学时 in the year overview (统计总览) and its download: the district's targets, the
达标率 of the subtree by category and by child unit, with the names behind
(stats.credits)."""

from ..core.credit import hours_text
from .credits import Attainment, Standing, attainment, names
from .sections import Scope, Section, register_section
from .tables import Table, title_lines

DEFINITION = (
    "学时达标率=年度学时达到本人员类别目标的人数/有学时目标的人员类别的在职人数；"
    "学时来自完成：集中学习按实际学时，阅读任务、学习清单条目、网络课程按完成时的学时，"
    "正式考试（含补考）通过计学时，外部考试按导入的学时；只按完成计，与在线多久无关。"
)
ORDER_NOTE = "各单位按名称排列，与数字高低无关。"
NAME_HEADERS = ["姓名", "单位", "人员类别", "年度学时", "目标学时", "结果"]


def _build(scope: Scope) -> Attainment:
    return attainment(scope.year, scope.unit, user=scope.user)


def name_rows(found: list[Standing]) -> list[list]:
    return [
        [
            s.name,
            s.unit.name,
            s.category.label,
            hours_text(s.hours),
            hours_text(s.target),
            "达标" if s.met else "未达标",
        ]
        for s in found
    ]


def _tables(scope: Scope, data: Attainment) -> list[Table]:
    if not data.targets:
        return []
    title = title_lines(scope.year, scope.unit, "学时达标情况")
    title[1] = f"学时目标：{data.targets_text}。{DEFINITION}{ORDER_NOTE}"
    summary = [["合计", data.total.numerator, data.total.denominator, data.total]]
    summary += [[f"其中：{c.label}", r.numerator, r.denominator, r] for c, r in data.by_category]
    summary += [
        [row.label, row.rate.numerator, row.rate.denominator, row.rate] for row in data.rows
    ]
    people = names(scope.year, scope.unit, met=None, user=scope.user)
    return [
        Table(
            "学时达标",
            ["单位", "达标人数", "应达标人数", "学时达标率"],
            summary,
            title,
            frozenset({3}),
        ),
        Table("学时明细", NAME_HEADERS, name_rows(people), title),
    ]


def register() -> None:
    register_section(Section("credits", "学时", _build, "stats/_credit_section.html", _tables))
