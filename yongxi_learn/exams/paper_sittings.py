"""Paper sittings, for people without a smartphone: an admin who manages the exam
prints personal papers, the people answer on paper, and the admin types each
returned paper's answers against the code printed on it.

A paper sitting is an Attempt of the person with ``mode`` PAPER: it is created (its
sheet drawn exactly like an online attempt's) when the paper is printed, has no
deadline, and is graded by the same grader when its answers are typed in; from then
on it counts in the figures like any finished attempt (``counting`` reads finished
attempts, whatever their mode). Until then it belongs to no one's phone: the taking
pages treat it as missing (``attempts.NOT_ON_PAPER``), but it is one of the tries the
exam allows (``attempts._tries_used``): a person whose last try is a paper waiting to
be typed in cannot also start online (我的考试 says 纸质试卷待录入).

The answer string (``split_answers``), one answer per question in printed order:
- with separators (spaces, commas, 、 or ;), each part is one question's answer:
  ``A B AC √ × -``;
- without separators, each character is one answer and a 多选 answer is bracketed:
  ``AB(AC)√×-``;
- option letters as printed (A–F; full-width letters are read as half-width); 判断:
  √ / 对 / A for 正确, × / X / 错 / B for 错误; ``-`` (or _) for a question left blank.
A string that does not fit the paper is refused with the position, and nothing is saved.
A typed-in paper is corrected by typing its whole string again with a reason
(``correct_answers``): regraded, audited with what changed.
"""

import random
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from ..core.formatting import format_score
from ..extensions import db
from ..org.models import User
from ..org.services import Actor
from . import attempts, exam_tally, grading
from .models import (
    Attempt,
    AttemptMode,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
    QuestionType,
)
from .papers.base import ExamError, audit_exam, ensure_manage, ensure_may_manage

# No 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: a code read off paper is typed back right.
CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"
CODE_LENGTH = 5
MAX_PAPERS = 200  # one print run

_SEPARATORS = re.compile(r"[\s,;、；]+")
_OPEN, _CLOSE = "([", ")]"
_BLANK = {"-", "_"}
_TRUE = {"√", "✓", "✔", "对", "A"}
_FALSE = {"×", "✗", "✘", "X", "错", "B"}
_COUNT_WORDS = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六"}


@dataclass(frozen=True)
class PrintedOption:
    letter: str
    text: str


@dataclass(frozen=True)
class PrintedQuestion:
    position: int
    type: QuestionType
    stem: str
    score: object
    options: list[PrintedOption]


@dataclass(frozen=True)
class Paper:
    """One person's printed paper."""

    attempt: Attempt
    code: str
    name: str
    unit: str
    questions: list[PrintedQuestion]


# ---------------------------------------------------------------- printing


def print_papers(
    exam: Exam,
    user_ids: Sequence[int],
    *,
    actor: Actor,
    now: datetime,
    rng: random.Random | None = None,
) -> list[Attempt]:
    """The paper sittings of these enrolled people, one each: a person's paper still
    waiting to be typed in is printed again (the same questions), else a new sitting
    is drawn. Refused as a whole if one person cannot sit now."""
    ensure_manage(actor, exam)
    _ensure_printable(exam, now)
    ids = sorted(set(user_ids))
    if not ids:
        raise ExamError("请选择要打印试卷的人员")
    if len(ids) > MAX_PAPERS:
        raise ExamError(f"一次最多打印{MAX_PAPERS}份试卷")
    people = _enrolled_people(exam, ids)
    rng = rng or secrets.SystemRandom()
    return [_sitting_for(exam, person, actor, now, rng) for person in people]


def _ensure_printable(exam: Exam, now: datetime) -> None:
    if exam.status is not ExamStatus.PUBLISHED:
        raise ExamError("考试发布后才能打印纸质试卷")
    if exam.kind not in (ExamKind.FORMAL, ExamKind.MAKEUP) or exam.personal:
        raise ExamError("只有正式考试和补考可以打印纸质试卷")
    if exam.closes_at is not None and now >= exam.closes_at:
        raise ExamError("考试已结束，不能再打印试卷")


def _enrolled_people(exam: Exam, ids: list[int]) -> list[User]:
    people = db.session.scalars(
        sa.select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.exam_id == exam.id, Enrolment.exempt.is_(False), User.id.in_(ids))
        .order_by(User.id)
    ).all()
    if len(people) != len(ids):
        raise ExamError("所选人员中有人不在应考名单中或已免考，请重新选择")
    return people


def _sitting_for(exam: Exam, person: User, actor: Actor, now: datetime, rng) -> Attempt:
    waiting = db.session.scalar(
        sa.select(Attempt).where(
            Attempt.exam_id == exam.id,
            Attempt.user_id == person.id,
            Attempt.mode == AttemptMode.PAPER,
            Attempt.status == AttemptStatus.IN_PROGRESS,
        )
    )
    if waiting is not None:
        audit_exam(actor, "exam.paper_reprinted", waiting, waiting.paper_code)
        return waiting
    used, _ = attempts._tries_used(exam, person, open_online=True)
    if attempts.attempts_left(exam, used) <= 0:
        raise ExamError(f"{person.name}的考试次数已用完，不能再打印试卷")
    number = (attempts._last_number(exam, person) or 0) + 1
    try:
        sitting = attempts._new_attempt(exam, person, number, now, rng)
    except attempts.NotEnoughQuestions as exc:
        raise ExamError(str(exc)) from exc
    sitting.mode = AttemptMode.PAPER
    sitting.deadline = None  # answered on paper; finished when typed in
    sitting.paper_code = _new_code(exam, rng)
    db.session.add(sitting)
    db.session.flush()
    audit_exam(actor, "exam.paper_printed", sitting, sitting.paper_code)
    return sitting


def _new_code(exam: Exam, rng) -> str:
    while True:
        code = f"{exam.id}-" + "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(sa.select(Attempt.id).where(Attempt.paper_code == code)) is None:
            return code


def waiting_sittings(exam: Exam) -> list[Attempt]:
    """The exam's printed papers not yet typed in, by person."""
    return db.session.scalars(
        sa.select(Attempt)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.mode == AttemptMode.PAPER,
            Attempt.status == AttemptStatus.IN_PROGRESS,
        )
        .options(orm.joinedload(Attempt.user).joinedload(User.unit))
        .order_by(Attempt.user_id)
    ).all()


def papers_to_print(exam: Exam, attempt_ids: Sequence[int], *, actor: Actor) -> list[Paper]:
    """The printed form of these waiting paper sittings of ``exam`` (others are left out)."""
    ensure_may_manage(actor, exam)  # reading the papers: a closed year's too
    sittings = db.session.scalars(
        sa.select(Attempt)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.id.in_(list(attempt_ids)[:MAX_PAPERS]),
            Attempt.mode == AttemptMode.PAPER,
            Attempt.status == AttemptStatus.IN_PROGRESS,
        )
        .options(
            orm.joinedload(Attempt.user).joinedload(User.unit),
            orm.selectinload(Attempt.questions).joinedload(AttemptQuestion.question),
        )
        .order_by(Attempt.user_id)
    ).all()
    return [_paper(sitting) for sitting in sittings]


def _paper(sitting: Attempt) -> Paper:
    questions = [
        PrintedQuestion(
            position=aq.position,
            type=aq.question.type,
            stem=aq.question.stem,
            score=aq.score,
            options=[
                PrintedOption(grading.LETTERS[shown], aq.question.options[canonical])
                for shown, canonical in enumerate(aq.option_order)
            ],
        )
        for aq in sitting.questions
    ]
    return Paper(sitting, sitting.paper_code, sitting.user.name, sitting.user.unit.name, questions)


# ---------------------------------------------------------------- typing the answers in


def normalise_code(code: str) -> str:
    return unicodedata.normalize("NFKC", code or "").strip().upper().replace(" ", "")


def find_sitting(exam: Exam, code: str) -> Attempt:
    code = normalise_code(code)
    sitting = db.session.scalar(
        sa.select(Attempt).where(
            Attempt.exam_id == exam.id,
            Attempt.mode == AttemptMode.PAPER,
            Attempt.paper_code == code,
        )
    )
    if sitting is None:
        raise ExamError(f"本场考试没有编号为“{code}”的纸质试卷，请核对试卷编号")
    return sitting


def enter_answers(exam: Exam, code: str, answers: str, *, actor: Actor, now: datetime) -> Attempt:
    """Type in a returned paper's answers: graded by the same grader as an online
    attempt and finished now; a string that does not fit the paper saves nothing."""
    ensure_manage(actor, exam)
    sitting = find_sitting(exam, code)
    if sitting.status.finished:
        who = f"试卷{sitting.paper_code}（{sitting.user.name}）"
        raise ExamError(f"{who}的答案已录入，不能重复录入；如有录错，请用“更正答案”")
    responses = read_answers(answers, sitting.questions)
    for aq, response in zip(sitting.questions, responses, strict=True):
        aq.response = response
        aq.version += 1
        aq.answered_at = now if response else None
    attempts._grade(sitting, AttemptStatus.SUBMITTED, now)
    exam_tally.attempts_changed([sitting])
    audit_exam(
        actor,
        "exam.paper_entered",
        sitting,
        f"{sitting.paper_code} {sitting.user.name} 得分{sitting.score}",
    )
    return sitting


def correct_answers(
    exam: Exam, code: str, answers: str, reason: str, *, actor: Actor, now: datetime
) -> tuple[Attempt, object]:
    """Correct a typed-in paper's answers (an admin re-types the whole string, with
    the reason): regraded by the same grader, the figures follow, audited with the
    questions changed and both scores. Returns the sitting and its former score."""
    ensure_manage(actor, exam)
    reason = (reason or "").strip()
    if not reason:
        raise ExamError("请填写更正原因")
    if len(reason) > 200:
        raise ExamError("更正原因不能超过200字")
    sitting = find_sitting(exam, code)
    who = f"试卷{sitting.paper_code}（{sitting.user.name}）"
    if not sitting.status.finished:
        raise ExamError(f"{who}的答案还没有录入，请在“录入答案”中录入")
    responses = read_answers(answers, sitting.questions)
    changes = [
        (aq, response)
        for aq, response in zip(sitting.questions, responses, strict=True)
        if response != aq.response
    ]
    if not changes:
        raise ExamError(f"与{who}已录入的答案相同，没有更正")
    shown = [
        f"第{aq.position}题{_shown(aq.response, aq)}→{_shown(response, aq)}"
        for aq, response in changes
    ]
    old_score = sitting.score
    for aq, response in changes:
        aq.response = response
        aq.version += 1
        aq.answered_at = now if response else None
    attempts._grade(sitting, AttemptStatus.SUBMITTED, sitting.finished_at)
    exam_tally.attempts_changed([sitting])
    audit_exam(
        actor,
        "exam.paper_corrected",
        sitting,
        f"{sitting.paper_code} {sitting.user.name} {'、'.join(shown)}，"
        f"得分{format_score(old_score)}→{format_score(sitting.score)}；原因：{reason}",
    )
    return sitting, old_score


def _shown(response: str, aq: AttemptQuestion) -> str:
    """A stored response as the paper printed it (its letters; 判断 √/×; - blank)."""
    if not response:
        return "-"
    letters = grading.canonical_to_shown(response, aq.option_order)
    if aq.question.type is QuestionType.JUDGE:
        return "√" if letters == "A" else "×"
    return letters


def read_answers(text: str, questions: Sequence[AttemptQuestion]) -> list[str]:
    """The canonical responses of an answer string, or ExamError naming the position."""
    tokens = split_answers(text)
    if len(tokens) != len(questions):
        raise ExamError(f"录入了{len(tokens)}个答案，这份试卷有{len(questions)}题，请逐题核对")
    return [
        _canonical(token, aq.question.type, aq.option_order, aq.position)
        for token, aq in zip(tokens, questions, strict=True)
    ]


def split_answers(text: str) -> list[str]:
    """The answer string as one token per question (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").strip().upper()
    text = text.replace("（", "(").replace("）", ")").replace("【", "[").replace("】", "]")
    if not text:
        raise ExamError("请填写答案")
    if _SEPARATORS.search(text):
        return [_unbracket(part) for part in _SEPARATORS.split(text) if part]
    tokens, group = [], None
    for ch in text:
        if ch in _OPEN:
            if group is not None:
                raise ExamError(f"第{len(tokens) + 1}题：括号没有配对")
            group = ""
        elif ch in _CLOSE:
            if group is None:
                raise ExamError(f"第{len(tokens) + 1}题：括号没有配对")
            tokens.append(group)
            group = None
        elif group is not None:
            group += ch
        else:
            tokens.append(ch)
    if group is not None:
        raise ExamError(f"第{len(tokens) + 1}题：括号没有配对")
    return tokens


def _unbracket(part: str) -> str:
    if part[:1] in _OPEN and part[-1:] in _CLOSE:
        return part[1:-1]
    return part


def _canonical(token: str, qtype: QuestionType, order: list[int], position: int) -> str:
    where = f"第{position}题："
    if token in _BLANK or token == "":
        return ""
    if qtype is QuestionType.JUDGE:
        if token in _TRUE:
            return grading.shown_to_canonical("A", order)
        if token in _FALSE:
            return grading.shown_to_canonical("B", order)
        raise ExamError(where + "判断题请填 √（正确）或 ×（错误）")
    letters = grading.LETTERS[: len(order)]
    if set(token) & (_TRUE | _FALSE) - set(letters):
        raise ExamError(where + "该题不是判断题，请填选项字母")
    bad = [ch for ch in token if ch not in letters]
    if bad:
        count = _COUNT_WORDS.get(len(order), str(len(order)))
        raise ExamError(where + f"该题只有A–{letters[-1]}{count}个选项，没有“{bad[0]}”")
    if len(set(token)) != len(token):
        raise ExamError(where + "同一个选项写了两次")
    if qtype is QuestionType.SINGLE and len(token) != 1:
        raise ExamError(where + "单选题只能有一个答案")
    return grading.shown_to_canonical(token, order)
