"""Helpers for the paper tests: a question bank, exams and attempts inserted directly
(the bank and attempt services are written in parallel). Import explicitly."""

from datetime import datetime, timedelta
from decimal import Decimal

from yongxi_learn.exams.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Exam,
    ExamKind,
    Question,
    QuestionType,
    ReviewPolicy,
)
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.services import Actor

NOW = datetime(2024, 6, 1, 2, 0)  # naive UTC, 10:00 in Beijing


def make_questions(owner, qtype=QuestionType.SINGLE, n=1, *, answer=None, **extra):
    options = ["正确", "错误"] if qtype is QuestionType.JUDGE else ["甲", "乙", "丙", "丁"]
    default = {"single": "A", "multi": "AC", "judge": "A"}[qtype.value]
    questions = [
        Question(
            owner_unit_id=owner.id,
            type=qtype,
            stem=f"{qtype.label}题{i}：{extra.get('law_ref', '')}",
            options=options,
            answer=answer or default,
            score=Decimal(2),
            **extra,
        )
        for i in range(n)
    ]
    db.session.add_all(questions)
    db.session.commit()
    return questions


def settings(**overrides) -> papers.Settings:
    values = {
        "title": "2024年法治理论知识考试",
        "kind": ExamKind.FORMAL,
        "year": 2024,
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=7),
        "time_limit_minutes": 60,
        "pass_score": Decimal(6),
        "max_attempts": 2,
        "review_policy": ReviewPolicy.AFTER_CLOSE,
        "audience": {},
    }
    values.update(overrides)
    return papers.Settings(**values)


def make_exam(owner, admin, *, audience, questions=None, rules=None, **overrides) -> Exam:
    """A draft exam over ``audience``; fixed ``questions`` (2 points each) or ``rules``."""
    actor = Actor(user=admin)
    exam = papers.create_exam(owner, settings(audience=audience, **overrides), actor=actor)
    if rules is not None:
        papers.set_rules(exam, rules, actor=actor)
    else:
        papers.set_fixed_questions(exam, [(q.id, Decimal(2)) for q in questions], actor=actor)
    db.session.commit()
    return exam


def add_attempt(exam, user, responses, *, status=AttemptStatus.SUBMITTED, number=1):
    """An attempt answering ``responses`` = [(question, response)], graded as stored."""
    attempt = Attempt(
        exam_id=exam.id,
        user_id=user.id,
        number=number,
        status=status,
        started_at=NOW,
        finished_at=None if status is AttemptStatus.IN_PROGRESS else NOW + timedelta(minutes=30),
    )
    score = Decimal(0)
    for i, (q, response) in enumerate(responses, start=1):
        correct = response == q.answer if status.finished else None
        awarded = Decimal(2) if correct else Decimal(0)
        score += awarded if status.finished else 0
        attempt.questions.append(
            AttemptQuestion(
                position=i,
                question_id=q.id,
                option_order=list(range(len(q.options))),
                score=Decimal(2),
                response=response,
                correct=correct,
                awarded=awarded if status.finished else None,
            )
        )
    attempt.max_score = Decimal(2) * len(responses)
    if status.finished:
        attempt.score, attempt.passed = score, score >= exam.pass_score
    db.session.add(attempt)
    db.session.commit()
    return attempt


def exam_form(tree, **overrides):
    data = {
        "owner_unit_id": tree["town"].id,
        "title": "2024年度法治理论知识考试",
        "kind": "formal",
        "year": "2024",
        "opens_at": "2024-06-01T09:00",
        "closes_at": "2024-06-07T18:00",
        "time_limit_minutes": "60",
        "pass_score": "4",
        "max_attempts": "2",
        "review_policy": "after_close",
        "audience_units": [str(tree["village"].id)],
        "paper_mode": "rules",
        "rules-0-type": "single",
        "rules-0-count": "3",
        "rules-0-score": "2",
        "rules-0-category_id": "0",
    }
    data.update(overrides)
    return data
