"""The workbook behind the report's text: one sheet per figure found in it (the same
traces that link each number of the preview to its people), titled with the sentence
it backs, whose rows count to the figure — 参考率: the 应考名单 with who sat; "200余人次":
every sign-in; "2+1": every leading cadre's choice — and a 目录 sheet first.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..core.credit import hours_text
from ..core.formatting import NO_FIGURE, Rate
from ..core.spreadsheets import Sheet
from ..core.time import format_local
from ..exams.models import Exam
from ..exams.papers import keys
from ..extensions import db
from ..org.models import Category, OrgUnit, UnitKind
from ..org.ordering import unit_order
from ..reports import phrasing
from ..reports.figures import main_exam
from ..reports.trace import Found
from ..stats import credits, queries
from ..stats.laws import law_name
from ..stats.training_section import GROUPS
from ..study.plan_models import StudyListItem, StudySelection
from . import records

WITHHELD = "（该题仍在进行中的考试中使用，考试结束后列出）"


@dataclass(frozen=True)
class Backing:
    """The rows behind one figure and how they give it ("参考196人/应考199人")."""

    headers: list[str]
    rows: list[list]
    tally: str
    percent_columns: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Scope:
    year: int
    unit: OrgUnit
    now: datetime
    # The year's main exam (the report's), found once for the several figures of it.
    found: dict = field(default_factory=dict, compare=False)

    def main_exam(self):
        if "exam" not in self.found:
            self.found["exam"] = main_exam(self.year, self.unit, user=None, now=self.now)
        return self.found["exam"]


# ---------------------------------------------------------------- training


def _sessions(scope: Scope, code: str) -> Backing:
    rows = [
        [
            n,
            format_local(s.starts_at),
            s.topic,
            s.kind.name,
            s.lecturer + ("（外请专家）" if s.lecturer_external else ""),
            s.place,
            s.hours,
            s.owner_unit.name,
        ]
        for n, s in enumerate(records.sessions(scope.year, scope.unit, code), start=1)
    ]
    headers = ["序号", "时间", "主题", "学习类型", "主讲人", "地点", "学时", "组织单位"]
    return Backing(headers, rows, f"共{len(rows)}场，即{len(rows)}次（签到表见“3-签到表”）")


def _person_times(scope: Scope) -> Backing:
    rows = [
        [
            n,
            format_local(a.session.starts_at, "%Y-%m-%d"),
            a.session.topic,
            a.unit.name,
            a.user.name,
            a.category.label,
            format_local(a.signed_at),
            a.method.label,
            a.reason,
        ]
        for n, a in enumerate(records.counted_sign_ins(scope.year, scope.unit), start=1)
    ]
    headers = ["序号", "日期", "集中学习", "单位（签到时）", "姓名", "人员类别"]
    headers += ["签到时间", "签到方式", "补录原因"]
    n = len(rows)
    return Backing(headers, rows, f"共{n}条签到记录，即参训{n}人次（报告按“{_approx(n)}人次”写）")


def _approx(n: int) -> str:
    return phrasing.approx(n)


def _group_rows(scope: Scope, key: str) -> tuple[list[list], int]:
    """A coverage group's people: those who signed in (once each, at the unit and
    category they signed in with) and those who did not; (rows, covered)."""
    label, categories, kinds = GROUPS[key]
    cats = [c.value for c in categories]
    rows, seen = [], set()
    attended = db.session.execute(queries.training_attendees_select(scope.year, scope.unit, cats))
    for person, unit, category, times, _hours, manual, _home in attended:
        if unit.kind not in kinds or person.id in seen:
            continue
        seen.add(person.id)
        note = f"含补录{manual}次" if manual else ""
        rows.append(
            [label, unit.name, person.name, Category(category).label, "已参训", times, note]
        )
    uncovered = queries.training_uncovered_select(
        scope.year, scope.unit, cats, [k.value for k in kinds]
    )
    for person in db.session.scalars(uncovered):
        rows.append([label, person.unit.name, person.name, person.category.label, "未参训", 0, ""])
    return rows, len(seen)


def _coverage(scope: Scope, keys: list[str]) -> Backing:
    rows, covered = [], 0
    for key in keys:
        group, n = _group_rows(scope, key)
        rows += group
        covered += n
    numbered = [[i, *row] for i, row in enumerate(rows, start=1)]
    headers = ["序号", "群体", "单位", "姓名", "人员类别", "是否参训", "参训次数", "备注"]
    rate = Rate(covered, len(rows))
    tally = f"已参训{covered}人/年内在岗{len(rows)}人=覆盖率{rate}"
    return Backing(headers, numbered, tally)


# ---------------------------------------------------------------- study


def _choices(list_id: int) -> dict[int, list[str]]:
    """{person id: the 重点 and 专业 laws they chose} of one list."""
    rows = db.session.execute(
        sa.select(StudySelection.user_id, StudyListItem)
        .join(StudyListItem, StudySelection.item_id == StudyListItem.id)
        .where(StudySelection.list_id == list_id)
        .order_by(StudySelection.user_id, StudyListItem.position, StudyListItem.id)
    )
    out: dict[int, list[str]] = {}
    for user_id, item in rows:
        out.setdefault(user_id, []).append(f"{item.kind.label}：《{item.law.title}》")
    return out


def _study(scope: Scope, which: str) -> Backing:
    rows, people, counted = [], 0, 0
    for lst in queries.lists_covering(scope.year, scope.unit):
        chosen_laws = _choices(lst.id)
        select = queries.study_people_select(lst, scope.unit, Category.LEADER)
        for r in db.session.execute(select).mappings():
            people += 1
            counted += r[which]
            rows.append(
                [
                    people,
                    lst.name,
                    r["unit_name"],
                    r["name"],
                    "；".join(chosen_laws.get(r["user_id"], [])) or "未选",
                    "是" if r["chosen"] else "否",
                    f"{r['done_n']}/{r['planned']}",
                    "是" if r["completed"] else "否",
                ]
            )
    headers = ["序号", "学习清单", "单位", "姓名", "所选法规", "已选定“2+1”", "已学完/应学"]
    headers.append("学习完成")
    what = "已选定“2+1”" if which == "chosen" else "学习完成"
    tally = f"{what}{counted}人/领导干部{people}人={Rate(counted, people)}"
    return Backing(headers, rows, tally)


# ---------------------------------------------------------------- exams

EXAM_HEADERS = ["序号", "单位（发布时）", "姓名", "人员类别", "职务", "首考成绩", "最终成绩"]
EXAM_HEADERS += ["是否参考", "结果", "备注"]


def _exam_rows(scope: Scope, kind: "queries.NameList"):
    report = scope.main_exam()
    if report is None:
        return None, []
    select = queries.names_select(report.exam, scope.unit, kind, user=None, now=scope.now)
    rows = [
        [
            n,
            r.unit_name,
            r.name,
            Category(r.category).label,
            r.post,
            r.first,
            r.best,
            "参考" if r.sat else "未参考",
            queries.result_label(r),
            queries.remark(r),
        ]
        for n, r in enumerate(db.session.execute(select), start=1)
    ]
    return report, rows


def _enrolled(scope: Scope, what: str) -> Backing:
    report, rows = _exam_rows(scope, queries.NameList.ENROLLED)
    sat = sum(1 for r in rows if r[7] == "参考")
    passed = sum(1 for r in rows if r[8] in ("通过", "补考通过"))
    title = report.exam.title if report else ""
    if what == "participation":
        tally = f"{title}：参考{sat}人/应考{len(rows)}人=参考率{Rate(sat, len(rows))}（含补考）"
    elif what == "both":
        tally = (
            f"{title}：参考{sat}人/应考{len(rows)}人=参考率{Rate(sat, len(rows))}，"
            f"通过{passed}人/参考{sat}人=通过率{Rate(passed, sat)}（含补考）"
        )
    else:
        tally = f"{title}：应考{len(rows)}人（免考人员不在其中，见“4-免考、补考、补录与更正”）"
    return Backing(EXAM_HEADERS, rows, tally)


def _sat(scope: Scope) -> Backing:
    report, rows = _exam_rows(scope, queries.NameList.SAT)
    passed = sum(1 for r in rows if r[8] in ("通过", "补考通过"))
    title = report.exam.title if report else ""
    tally = f"{title}：通过{passed}人/参考{len(rows)}人=通过率{Rate(passed, len(rows))}（含补考）"
    return Backing(EXAM_HEADERS, rows, tally)


def _weak(scope: Scope, law: str) -> Backing:
    report = scope.main_exam()
    items, hidden = [], records.open_exam_questions(scope.now)
    if report is not None:
        items = [
            s
            for s in queries.item_analysis(report.exam, scope.unit, user=None, now=scope.now)
            if law_name(s.question) == law
        ]
    rows = [
        [
            n,
            s.question.type.label,
            *_question(s.question, hidden),
            s.answered,
            s.correct,
            s.correct_rate.value if s.correct_rate.value is not None else NO_FIGURE,
        ]
        for n, s in enumerate(items, start=1)
    ]
    answered, correct = sum(s.answered for s in items), sum(s.correct for s in items)
    headers = ["序号", "题型", "题目", "法律依据", "作答人次", "答对人次", "正确率"]
    tally = f"答对{correct}次/作答{answered}次=正确率{Rate(correct, answered)}"
    return Backing(headers, rows, tally, frozenset({6}))


# ---------------------------------------------------------------- a district's towns


@dataclass(frozen=True)
class _OneExam:
    """A town's shortfall on one exam: the exam the rows are of (as ``main_exam`` is)."""

    exam: Exam


def _villages(scope: Scope) -> Backing:
    args = (scope.year, scope.unit, UnitKind.VILLAGE, [Category.VILLAGE_CADRE.value])
    missed = {u.id for u in queries.units_not_reached(*args)}
    villages = db.session.scalars(
        sa.select(OrgUnit)
        .where(
            OrgUnit.path.startswith(scope.unit.path, autoescape=True),
            OrgUnit.kind == UnitKind.VILLAGE,
            OrgUnit.active,
        )
        .order_by(unit_order(OrgUnit.id))
    ).all()
    rows = [
        [n, v.name, "未参加" if v.id in missed else "有“两委”干部参加"]
        for n, v in enumerate(villages, start=1)
    ]
    rate = queries.units_reached(*args)
    reached, total = rate.numerator, rate.denominator
    tally = f"有“两委”干部参加集中学习的村（社区）{reached}个/村（社区）{total}个={rate}"
    return Backing(["序号", "村（社区）", "集中学习"], rows, tally)


def _town(key: str, scope: Scope) -> Backing | None:
    """``towns.<town id>.<threshold>.<exam id>``: a town's shortfall in a district's
    text, backed as the town's own figure is, over the town's subtree."""
    _, town_id, what, exam_id = key.split(".")
    town = db.session.get(OrgUnit, int(town_id))
    if town is None or not scope.unit.contains(town):
        return None
    found = {}
    if int(exam_id):
        found["exam"] = _OneExam(db.session.get(Exam, int(exam_id)))
    town_scope = Scope(scope.year, town, scope.now, found)
    builders: dict[str, Callable[[], Backing]] = {
        "participation": lambda: _enrolled(town_scope, "participation"),
        "pass_rate": lambda: _sat(town_scope),
        "villages": lambda: _villages(town_scope),
        "leaders": lambda: _study(town_scope, "chosen"),
    }
    return builders[what]() if what in builders else None


EXTERNAL_HEADERS = ["序号", "姓名", "单位", "成绩", "结果", "考试日期", "来源"]


def _external(key: str, scope: Scope) -> Backing | None:
    """``external.<id>.people`` / ``.pass_rate``: an imported exam's 参考名单 over the
    unit's subtree (来源：导入), and how it gives the number."""
    _, exam_id, what = key.split(".")
    exam = db.session.get(queries.ExternalExam, int(exam_id))
    if exam is None or exam not in queries.exams_of_year(scope.year, scope.unit):
        return None
    query = queries.external_names_select(exam, scope.unit, queries.ExternalList.SAT)
    rows = [
        [
            n,
            r.name,
            r.unit_name,
            r.score if r.score is not None else NO_FIGURE,
            "通过" if r.passed else "未通过",
            r.sat_on.isoformat() if r.sat_on else "",
            queries.EXTERNAL_SOURCE,
        ]
        for n, r in enumerate(db.session.execute(query), start=1)
    ]
    passed = sum(1 for r in rows if r[4] == "通过")
    if what == "pass_rate":
        tally = f"{exam.title}：通过{passed}人/参考{len(rows)}人=通过率{Rate(passed, len(rows))}"
    else:
        tally = f"{exam.title}：参考{len(rows)}人（{queries.EXTERNAL_SOURCE}，没有应考名单）"
    return Backing(EXTERNAL_HEADERS, rows, tally)


CREDIT_HEADERS = ["序号", "姓名", "单位", "人员类别", "年度学时", "目标学时", "结果"]


def _credits(scope: Scope) -> Backing:
    """``credits.rate``: everyone with a 学时 target in the subtree, their year's 学时
    and whether it reaches the target."""
    found = credits.names(scope.year, scope.unit, met=None, user=None)
    rows = [
        [
            n,
            s.name,
            s.unit.name,
            s.category.label,
            hours_text(s.hours),
            hours_text(s.target),
            "达标" if s.met else "未达标",
        ]
        for n, s in enumerate(found, start=1)
    ]
    met = sum(1 for s in found if s.met)
    tally = f"达标{met}人/应达标{len(found)}人=学时达标率{Rate(met, len(found))}"
    return Backing(CREDIT_HEADERS, rows, tally)


def _question(question, hidden: frozenset[int]) -> list[str]:
    """The stem and the law cited; while an exam still open may ask the question (the
    pack's reader may sit it), only the law."""
    if keys.root_of(question) in hidden:
        return [WITHHELD, question.law_ref]
    return [question.stem, f"{question.law_ref} {question.article_ref}".strip()]


def backing(key: str, scope: Scope) -> Backing | None:
    """The rows behind the figure ``key`` (reports.figures names them)."""
    builders: dict[str, Callable[[], Backing]] = {
        "training.person_times": lambda: _person_times(scope),
        "training.coverage.officials": lambda: _coverage(scope, ["officials"]),
        "training.coverage.village": lambda: _coverage(scope, ["village"]),
        "training.coverage.all": lambda: _coverage(scope, list(GROUPS)),
        "study.chosen": lambda: _study(scope, "chosen"),
        "study.completed": lambda: _study(scope, "completed"),
        "exam.audience": lambda: _enrolled(scope, "audience"),
        "exam.participation": lambda: _enrolled(scope, "participation"),
        "exam.both": lambda: _enrolled(scope, "both"),
        "exam.pass_rate": lambda: _sat(scope),
        "credits.rate": lambda: _credits(scope),
    }
    if key in builders:
        return builders[key]()
    if key.startswith("towns."):
        return _town(key, scope)
    if key.startswith("external."):
        return _external(key, scope)
    if key.startswith("exam.weak."):
        return _weak(scope, key.removeprefix("exam.weak."))
    code = key.removeprefix("training.")
    if code in {c.value for c in queries.KindCode}:
        return _sessions(scope, code)
    return None


# ---------------------------------------------------------------- the workbook

SENTENCE_END = "。\n"
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\'：]")


def sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding the span start..end, with its full stop."""
    left = max(text.rfind(ch, 0, start) for ch in SENTENCE_END) + 1
    ends = [i for i in (text.find(ch, end) for ch in SENTENCE_END) if i >= 0]
    right = min(ends) if ends else len(text)
    if right < len(text) and text[right] == "。":
        right += 1
    return text[left:right].strip()


def label_of(figure: dict) -> str:
    """ "参考率=参考人数/应考人数（未参考名单）" → "参考率=参考人数/应考人数"."""
    label = figure.get("label", "") or figure.get("key", "")
    return label[: label.rindex("（")] if label.endswith("）") and "（" in label else label


def sheet_name(number: int, figure: dict) -> str:
    short = SHEET_FORBIDDEN.sub("", label_of(figure).split("=")[0])
    return f"{number:02d} {short}"[:31]


@dataclass(frozen=True)
class FigureSheet:
    number: int
    found: Found
    sentence: str
    backing: Backing | None

    @property
    def name(self) -> str:
        return sheet_name(self.number, self.found.figure)

    @property
    def checked(self) -> str:
        f = self.found
        if f.current is not None:
            return f"稿中为{f.figure['text']}，记录现为{f.current}，请核对"
        return "与记录一致"


def figure_sheets(text: str, found: list[Found], scope: Scope) -> list[FigureSheet]:
    return [
        FigureSheet(n, f, sentence(text, f.start, f.end), backing(f.figure["key"], scope))
        for n, f in enumerate(found, start=1)
    ]


def sheets(sheets_: list[FigureSheet], heading: str) -> list[Sheet]:
    """目录 first, then a sheet per figure."""
    index = Sheet(
        "目录",
        ["序号", "工作表", "报告中的数字", "所在句子", "名单行数", "如何得出", "核对"],
        [
            [
                s.number,
                s.name,
                f"{s.found.figure['text']}（{label_of(s.found.figure)}）",
                s.sentence,
                len(s.backing.rows) if s.backing else "—",
                s.backing.tally if s.backing else "该数字没有对应的名单",
                s.checked,
            ]
            for s in sheets_
        ],
        title=[
            heading,
            "报告正文中的每个数字一张表，第一行是它所在的句子，名单行数即数字的来源",
        ],
        max_width=50,
    )
    out = [index]
    for s in sheets_:
        backing = s.backing or Backing(["说明"], [["该数字没有对应的名单"]], "")
        figure = s.found.figure
        out.append(
            Sheet(
                s.name,
                backing.headers,
                backing.rows,
                title=[
                    s.sentence,
                    f"报告中的数字：{figure['text']}（{label_of(figure)}）；{s.checked}",
                    f"名单{len(backing.rows)}行：{backing.tally}",
                ],
                max_width=50,
                percent_columns=backing.percent_columns,
            )
        )
    return out
