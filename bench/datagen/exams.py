"""The question bank, formal exams with frozen enrolment and finalized attempts.

Exams go through the real services (create, fixed paper, publish freezes the
enrolment); the attempts and their answers are bulk-inserted, graded the way
``exams.grading`` grades them so every figure is consistent.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from yongxi_learn.exams.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    Question,
    QuestionType,
    ReviewPolicy,
)
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit
from yongxi_learn.org.services import SYSTEM

from .people import BATCH, Progress, batches

PAPER_SIZE = 20
QUESTION_SCORE = Decimal(5)  # 20 x 5 = 100 points
PASS_SCORE = Decimal(60)
LAWS = (
    "中华人民共和国宪法",
    "中华人民共和国行政处罚法",
    "中华人民共和国行政许可法",
    "中华人民共和国民法典",
)
TYPES = [(QuestionType.SINGLE, 6), (QuestionType.MULTI, 2), (QuestionType.JUDGE, 2)]


def add_questions(owner: OrgUnit, count: int, rng: random.Random, now: datetime) -> list[int]:
    rows = [_question(owner, i, rng, now) for i in range(count)]
    for batch in batches(rows, BATCH):
        db.session.execute(sa.insert(Question), batch)
    return list(
        db.session.scalars(
            sa.select(Question.id).where(Question.owner_unit_id == owner.id).order_by(Question.id)
        )
    )


def _question(owner: OrgUnit, i: int, rng: random.Random, now: datetime) -> dict:
    qtype = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    if qtype is QuestionType.JUDGE:
        options, answer = ["正确", "错误"], rng.choice("AB")
    elif qtype is QuestionType.MULTI:
        options, answer = ["甲", "乙", "丙", "丁"], "".join(sorted(rng.sample("ABCD", 2)))
    else:
        options, answer = ["甲", "乙", "丙", "丁"], rng.choice("ABCD")
    law = LAWS[i % len(LAWS)]
    return {
        "owner_unit_id": owner.id,
        "type": qtype,
        "stem": f"压测试题{i + 1}：下列说法正确的是（示例）",
        "options": options,
        "answer": answer,
        "explanation": "",
        "difficulty": 1 + i % 3,
        "score": QUESTION_SCORE,
        "tags": "压测",
        "law_ref": law,
        "article_ref": f"第{1 + i % 50}条",
        "status": "active",
        "version": 1,
        "needs_review": False,
        "created_at": now,
        "updated_at": now,
    }


def create_exam(district: OrgUnit, number: int, question_ids: list[int], year: int, **window):
    """A published formal exam of the whole district with a fixed paper."""
    settings = papers.Settings(
        title=f"{year}年法治理论知识考试（压测第{number}场）",
        kind=ExamKind.FORMAL,
        year=year,
        time_limit_minutes=60,
        pass_score=PASS_SCORE,
        max_attempts=1,
        shuffle_questions=False,
        shuffle_options=False,
        review_policy=ReviewPolicy.AFTER_CLOSE,
        audience={"units": [district.id]},
        **window,
    )
    exam = papers.create_exam(district, settings, actor=SYSTEM)
    papers.set_fixed_questions(exam, [(q, QUESTION_SCORE) for q in question_ids], actor=SYSTEM)
    papers.publish(exam, actor=SYSTEM, now=window["opens_at"] - timedelta(days=1))
    return exam


def add_attempts(exam: Exam, count: int, with_paper: int, rng: random.Random, progress: Progress):
    """``count`` submitted attempts by enrolled people; the first ``with_paper`` of
    them get their AttemptQuestion rows (the answers), the rest only a score."""
    people = list(
        db.session.scalars(sa.select(Enrolment.user_id).where(Enrolment.exam_id == exam.id))
    )
    sitters = rng.sample(people, min(count, len(people)))
    paper = _paper(exam)
    for batch in batches(enumerate(sitters), BATCH):
        rows = [_attempt(exam, user_id, rng, paper, i < with_paper) for i, user_id in batch]
        db.session.execute(sa.insert(Attempt), [r for r, _ in rows])
        _insert_answers(exam, paper, [(r["user_id"], a) for r, a in rows if a])
        progress(len(batch))
    return len(sitters)


def _paper(exam: Exam) -> list[tuple[int, str, QuestionType]]:
    return [(eq.question_id, eq.question.answer, eq.question.type) for eq in exam.fixed_questions]


def _attempt(exam: Exam, user_id: int, rng: random.Random, paper, with_answers: bool):
    ability = min(0.98, max(0.3, rng.gauss(0.8, 0.12)))
    answers = [_response(key, qtype, ability, rng) for _, key, qtype in paper]
    correct = [resp == key for (_, key, _), resp in zip(paper, answers, strict=True)]
    score = QUESTION_SCORE * sum(correct)
    started = exam.opens_at + timedelta(minutes=rng.randrange(0, 24 * 60))
    row = {
        "exam_id": exam.id,
        "user_id": user_id,
        "number": 1,
        "status": AttemptStatus.SUBMITTED,
        "started_at": started,
        "deadline": started + timedelta(minutes=exam.time_limit_minutes),
        "finished_at": started + timedelta(minutes=rng.randrange(10, 55)),
        "score": score,
        "max_score": QUESTION_SCORE * len(paper),
        "passed": score >= exam.pass_score,
    }
    return row, (list(zip(answers, correct, strict=True)) if with_answers else None)


def _response(key: str, qtype: QuestionType, ability: float, rng: random.Random) -> str:
    if rng.random() < ability:
        return key
    wrong = "AB" if qtype is QuestionType.JUDGE else "ABCD"
    choices = [c for c in wrong if c != key] if qtype is not QuestionType.MULTI else ["ABC", "A"]
    return rng.choice([c for c in choices if c != key])


def _insert_answers(exam: Exam, paper, answered: list[tuple[int, list]]) -> None:
    if not answered:
        return
    ids = dict(
        db.session.execute(
            sa.select(Attempt.user_id, Attempt.id).where(
                Attempt.exam_id == exam.id, Attempt.user_id.in_([u for u, _ in answered])
            )
        ).all()
    )
    rows = [
        _answer_row(ids[user_id], pos, paper[pos], resp, ok)
        for user_id, answers in answered
        for pos, (resp, ok) in enumerate(answers)
    ]
    db.session.execute(sa.insert(AttemptQuestion), rows)


def _answer_row(attempt_id: int, pos: int, item, response: str, correct: bool) -> dict:
    qid, _, qtype = item
    options = 2 if qtype is QuestionType.JUDGE else 4
    return {
        "attempt_id": attempt_id,
        "position": pos + 1,
        "question_id": qid,
        "option_order": list(range(options)),
        "score": QUESTION_SCORE,
        "response": response,
        "version": 1,
        "correct": correct,
        "awarded": QUESTION_SCORE if correct else Decimal(0),
    }
