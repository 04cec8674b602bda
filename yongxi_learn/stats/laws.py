"""Which laws an exam's questions show people know least: the correct rate of the
answers given, per law the questions test (for the report's 存在的问题)."""

from dataclasses import dataclass
from datetime import datetime

from ..core.formatting import Rate
from ..exams.models import Exam
from ..exams.papers.monitor import item_analysis
from ..org.models import OrgUnit, User
from ..org.permissions import Perm
from .common import ensure_view
from .exams import exam_family, formal_exam

__all__ = ["LawRate", "weak_laws"]


WEAK_BELOW = Rate(8, 10)  # a law is a weak point below 80% correct


@dataclass(frozen=True)
class LawRate:
    law: str  # as the questions cite it, e.g. 《中华人民共和国行政复议法》
    correct: Rate  # correct answers / answers given


def law_name(question) -> str:
    law = getattr(question, "law", None)
    if law is not None:
        return f"《{law.title}》"
    ref = (question.law_ref or "").strip()
    if not ref:
        return ""
    return ref if ref.startswith("《") else f"《{ref}》"


def weak_laws(
    exam: Exam,
    unit: OrgUnit,
    *,
    user: User | None,
    now: datetime,
    limit: int = 2,
    min_answers: int = 10,
    below: Rate = WEAK_BELOW,
) -> list[LawRate]:
    """The ``limit`` laws with the lowest correct rate below ``below`` (80%), over at
    least ``min_answers`` answers, in the exam and its 补考 for ``unit``'s subtree."""
    ensure_view(user, unit)
    formal = formal_exam(exam, unit)
    ids = [formal.id, *(m.id for m in exam_family(formal))]
    totals: dict[str, list[int]] = {}
    items = item_analysis(formal, user, now=now, perm=Perm.VIEW_STATS, exam_ids=ids, unit=unit)
    for item in items:  # one row per question, a few hundred at most
        name = law_name(item.question)
        if name:
            counts = totals.setdefault(name, [0, 0])
            counts[0] += item.correct
            counts[1] += item.answered
    rates = [
        LawRate(name, Rate(correct, answered))
        for name, (correct, answered) in totals.items()
        if answered >= min_answers and correct * below.denominator < answered * below.numerator
    ]
    rates.sort(key=lambda r: (r.correct.value, r.law))
    return rates[:limit]
