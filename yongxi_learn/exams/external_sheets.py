"""Counting an imported external result sheet in a platform exam (计入本考试, DESIGN §3:
"imported results count where the exam says so").

An admin who manages a formal exam (or its 补考) and the sheet's owner unit attaches a
sheet of the same year (``CountedSheet``). From then on an enrolled, not exempted
person with a result in it has sat the exam, and passed it when the import says
通过 or their best score reaches the pass mark (``counting``); an imported score
competes with the person's online and paper scores as their best. A sheet counted by
the formal exam counts at the first sitting; one counted by a 补考, after the
make-up. Counting and no longer counting are audited, and the tally of the people in
the sheet is recomputed in the same transaction. A counted sheet cannot be deleted
(``external.signals.sheet_deleting``): it is first taken out here.
"""

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..external import signals
from ..external.importing import SheetInUse
from ..external.models import ExternalExam, ExternalResult
from ..org.models import OrgUnit
from ..org.permissions import Perm, can, scope_filter
from ..org.services import Actor
from . import exam_tally
from .counting import families
from .models import CountedSheet, Exam, ExamKind, ExamStatus
from .papers.base import ExamError, audit_exam, ensure_manage


def counted_sheets(exam: Exam) -> list[CountedSheet]:
    """The sheets ``exam`` itself counts, oldest first."""
    return list(
        db.session.scalars(
            sa.select(CountedSheet).where(CountedSheet.exam_id == exam.id).order_by(CountedSheet.id)
        )
    )


def countable_sheets(exam: Exam, *, actor: Actor) -> list[ExternalExam]:
    """The sheets of the exam's year in the actor's MANAGE_EXAMS subtrees that its
    family (the formal exam and its 补考) does not count yet."""
    if not _countable_exam(exam):
        return []
    formal_id = exam_tally.formal_id_of(exam)
    query = (
        sa.select(ExternalExam)
        .join(OrgUnit, ExternalExam.owner_unit_id == OrgUnit.id)
        .where(
            ExternalExam.year == exam.year,
            scope_filter(actor.user, Perm.MANAGE_EXAMS),
            ExternalExam.id.not_in(_family_sheets(formal_id)),
        )
        .order_by(ExternalExam.id.desc())
    )
    return list(db.session.scalars(query))


def count_sheet(exam: Exam, sheet: ExternalExam, *, actor: Actor, now: datetime) -> CountedSheet:
    """计入本考试: ``exam`` counts the results of ``sheet`` from now on."""
    _ensure_manage_both(actor, exam, sheet)
    if not _countable_exam(exam):
        raise ExamError("只有正式考试和补考可以计入外部考试成绩")
    if sheet.year != exam.year:
        raise ExamError(f"外部考试「{sheet.title}」是{sheet.year}年度的，本考试是{exam.year}年度的")
    formal_id = exam_tally.formal_id_of(exam)
    if sheet.id in set(db.session.scalars(_family_sheets(formal_id))):
        raise ExamError(f"「{sheet.title}」已计入本考试或其补考")
    link = CountedSheet(exam=exam, external_exam=sheet, attached_by_id=_user_id(actor))
    link.attached_at = now
    db.session.add(link)
    db.session.flush()
    people = _people(sheet)
    exam_tally.people_changed(formal_id, people)
    audit_exam(actor, "exam.sheet_counted", exam, _describe(sheet, people))
    return link


def uncount_sheet(exam: Exam, sheet: ExternalExam, *, actor: Actor) -> None:
    """取消计入: the figures go back to what they were without the sheet."""
    _ensure_manage_both(actor, exam, sheet)
    link = db.session.scalar(
        sa.select(CountedSheet).where(
            CountedSheet.exam_id == exam.id, CountedSheet.external_exam_id == sheet.id
        )
    )
    if link is None:
        raise ExamError(f"「{sheet.title}」没有计入本考试")
    db.session.delete(link)
    db.session.flush()
    people = _people(sheet)
    formal_id = exam_tally.formal_id_of(exam)
    if formal_id is not None:
        exam_tally.people_changed(formal_id, people)
    audit_exam(actor, "exam.sheet_uncounted", exam, _describe(sheet, people))


@signals.sheet_deleting.connect
def _refuse_deleting_counted(sheet: ExternalExam, **_) -> None:
    titles = db.session.scalars(
        sa.select(Exam.title)
        .join(CountedSheet, CountedSheet.exam_id == Exam.id)
        .where(CountedSheet.external_exam_id == sheet.id)
        .order_by(Exam.id)
    ).all()
    if titles:
        exams = "、".join(f"「{t}」" for t in titles)
        raise SheetInUse(f"该成绩已计入考试{exams}，请先在考试的“外部成绩”页取消计入，再删除")


def _ensure_manage_both(actor: Actor, exam: Exam, sheet: ExternalExam) -> None:
    ensure_manage(actor, exam)
    if actor.user is not None and not can(actor.user, Perm.MANAGE_EXAMS, sheet.owner_unit):
        raise ExamError("只能计入或取消您管理范围内导入的外部考试成绩")


def _countable_exam(exam: Exam) -> bool:
    return (
        exam.kind in (ExamKind.FORMAL, ExamKind.MAKEUP)
        and not exam.personal
        and exam.status is not ExamStatus.CANCELLED
        and exam_tally.formal_id_of(exam) is not None
    )


def _family_sheets(formal_id: int):
    """The ids of the sheets counted by a formal exam or one of its 补考 (a select)."""
    family = families([formal_id])[formal_id]
    return sa.select(CountedSheet.external_exam_id).where(CountedSheet.exam_id.in_(family))


def _people(sheet: ExternalExam) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(ExternalResult.user_id).where(ExternalResult.exam_id == sheet.id)
        )
    )


def _describe(sheet: ExternalExam, people: set[int]) -> str:
    return f"{sheet.year}年度「{sheet.title}」（{sheet.owner_unit.name}导入，{len(people)}人）"


def _user_id(actor: Actor) -> int | None:
    return actor.user.id if actor.user is not None else None
