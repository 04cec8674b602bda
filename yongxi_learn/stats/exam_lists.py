"""The people behind an exam figure (应考名单, 未参考名单 ...), the score histogram and
the item analysis, for a formal exam and a unit subtree. Exported through stats.exams."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..core.labels import LabelledEnum
from ..core.time import utcnow
from ..exams import counting
from ..exams.models import Enrolment, Exam
from ..exams.papers import monitor
from ..exams.papers.services import paper_total
from ..extensions import db
from ..org.models import Category, OrgUnit, User
from ..org.ordering import people_order
from ..org.permissions import Perm
from .common import ensure_view
from .exam_sql import enrolment_base
from .exams import exam_family, formal_exam, overdue_at

__all__ = [
    "NAME_LIST_LABELS",
    "Bin",
    "NameList",
    "item_analysis",
    "names_count",
    "names_select",
    "remark",
    "remark_of",
    "result_label",
    "result_of",
    "score_histogram",
]


class NameList(LabelledEnum):
    ALL = "all", "全部人员"  # everyone enrolled, 免考 too: the 明细 of a download
    ENROLLED = "enrolled", "应考名单"
    SAT = "sat", "参考名单"
    ABSENT = "absent", "未参考名单"
    PASSED = "passed", "通过名单"
    FAILED = "failed", "未通过名单"
    EXEMPT = "exempt", "免考名单"
    SAT_FIRST = "sat_first", "首考参考名单"  # the first sitting: the formal exam alone
    PASSED_FIRST = "passed_first", "首考通过名单"


NAME_LIST_LABELS = NameList.labels()


def _condition(kind: NameList, best, formal):
    counted = ~Enrolment.exempt
    sat, passed = counting.sat(best), counting.passed(best, formal)
    return {
        NameList.ALL: sa.true(),
        NameList.ENROLLED: counted,
        NameList.SAT: sa.and_(counted, sat),
        NameList.ABSENT: sa.and_(counted, ~sat),
        NameList.PASSED: sa.and_(counted, passed),
        NameList.FAILED: sa.and_(counted, sat, ~passed),
        NameList.EXEMPT: Enrolment.exempt,
        NameList.SAT_FIRST: sa.and_(counted, counting.sat(best, first=True)),
        NameList.PASSED_FIRST: sa.and_(counted, counting.passed(best, formal, first=True)),
    }[kind]


def _flag(condition):
    return sa.case((condition, 1), else_=0)


def names_select(
    exam: Exam,
    unit: OrgUnit,
    kind: NameList,
    *,
    user: User | None,
    categories=(),
    now: datetime | None = None,
) -> sa.Select:
    """The people of one list, by unit then name. Each row: enrolment_id, name, phone,
    unit_name, unit_path, parent_name (the frozen unit and its parent), category, post, active,
    current_unit (where the person is now), first, best, paper (a sitting on paper),
    imported (an imported result counted), sat, passed, passed_first (1 or 0, as the
    figures count them), exempt, exempt_reason. Attempts
    overdue at ``now`` (default: now) count as finalized."""
    ensure_view(user, unit)
    formal = formal_exam(exam, unit)
    late = overdue_at(now or utcnow())
    base, best, formal_alias = enrolment_base([formal.id], unit, categories, user, late)
    parent = sa.orm.aliased(OrgUnit, name="parent_unit")
    now_unit = sa.orm.aliased(OrgUnit, name="current_unit")
    return (
        base.add_columns(
            Enrolment.id.label("enrolment_id"),
            User.name,
            User.phone,
            OrgUnit.name.label("unit_name"),
            OrgUnit.path.label("unit_path"),
            parent.name.label("parent_name"),
            Enrolment.category,
            User.post,
            User.active,
            now_unit.name.label("current_unit"),
            (User.unit_id != Enrolment.unit_id).label("moved"),
            best.c.first,
            best.c.best,
            sa.func.coalesce(best.c.paper, 0).label("paper"),
            _flag(best.c.imported.is_not(None)).label("imported"),
            _flag(counting.sat(best)).label("sat"),
            _flag(counting.passed(best, formal_alias)).label("passed"),
            _flag(counting.passed(best, formal_alias, first=True)).label("passed_first"),
            Enrolment.exempt,
            Enrolment.exempt_reason,
        )
        .join(User, Enrolment.user_id == User.id)
        .outerjoin(parent, OrgUnit.parent_id == parent.id)
        .join(now_unit, User.unit_id == now_unit.id)
        .where(_condition(kind, best, formal_alias))
        .order_by(*people_order(Enrolment.unit_id))
    )


def names_count(query: sa.Select) -> int:
    counted = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    return db.session.scalar(counted)


def result_label(row) -> str:
    return result_of(row.exempt, row.sat, row.passed, row.passed_first)


def result_of(exempt: bool, sat, passed, passed_first) -> str:
    """``result_label`` from the values (a 20,000-row export reads them by position)."""
    if exempt:
        return "免考"
    if not sat:
        return "未参考"
    if not passed:
        return "未通过"
    if passed_first:
        return "通过"
    return "补考通过"


def remark(row) -> str:
    return remark_of(
        row.exempt,
        row.exempt_reason,
        row.active,
        row.moved,
        row.current_unit,
        row.paper,
        row.imported,
    )


def remark_of(
    exempt: bool, reason: str, active: bool, moved: bool, current_unit: str, paper=0, imported=0
) -> str:
    notes = []
    if paper and not exempt:
        notes.append("纸质作答")
    if imported and not exempt:
        notes.append("外部导入")
    if exempt and reason:
        notes.append(f"免考：{reason}")
    if not active:
        notes.append("账号已停用")
    if moved:
        notes.append(f"现属{current_unit}")
    return "；".join(notes)


# ---------------------------------------------------------------- histogram

BINS = 10


@dataclass(frozen=True)
class Bin:
    low: Decimal
    high: Decimal  # inclusive for the last bin only
    count: int
    passing: bool  # the whole bin lies at or above the pass mark

    @property
    def label(self) -> str:
        return f"{_plain(self.low)}–{_plain(self.high)}"


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def score_histogram(
    exam: Exam, unit: OrgUnit, *, user: User | None, categories=(), now: datetime
) -> list[Bin]:
    """The best scores of those who sat, in ten equal bins of the paper's total."""
    ensure_view(user, unit)
    formal = formal_exam(exam, unit)
    total = paper_total(formal) or Decimal(100)
    edges = [(total * i / BINS).quantize(Decimal("0.01")) for i in range(BINS + 1)]
    base, best, _ = enrolment_base([formal.id], unit, categories, user, overdue_at(now))
    score = best.c.best
    number = sa.case(*((score >= edges[i], i) for i in range(BINS - 1, 0, -1)), else_=0)
    rows = db.session.execute(
        base.add_columns(number.label("bin"), sa.func.count())
        .where(~Enrolment.exempt, score.is_not(None))
        .group_by(number)
    ).all()
    counts = dict(rows)
    return [
        Bin(edges[i], edges[i + 1], counts.get(i, 0), edges[i] >= formal.pass_score)
        for i in range(BINS)
    ]


# ---------------------------------------------------------------- item analysis


def item_analysis(
    exam: Exam, unit: OrgUnit, *, user: User | None, categories=(), now: datetime
) -> list[monitor.ItemStats]:
    """Per question of the exam and its make-ups, answered by people of ``unit``'s
    subtree: correct rate and the most chosen wrong answer, hardest first."""
    ensure_view(user, unit)
    formal = formal_exam(exam, unit)
    return monitor.item_analysis(
        formal,
        user,
        now=now,
        perm=Perm.VIEW_STATS,
        exam_ids=[formal.id, *(m.id for m in exam_family(formal))],
        unit=unit,
        categories=[Category(c) for c in categories],
    )
