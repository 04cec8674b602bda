"""Exam fixtures built from model rows directly: a question bank, published exams
with frozen enrolment, and a clock."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest

from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import (
    JUDGE_OPTIONS,
    Enrolment,
    Exam,
    ExamKind,
    ExamQuestion,
    ExamRule,
    ExamStatus,
    Question,
    QuestionType,
    ReviewPolicy,
)
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category

_stems = count(1)

# Answers in canonical letters per type; multi answers need at least two options.
DEFAULT_ANSWERS = {QuestionType.SINGLE: "B", QuestionType.MULTI: "AC", QuestionType.JUDGE: "A"}


@pytest.fixture
def make_question(tree):
    def make(
        qtype=QuestionType.SINGLE,
        *,
        owner=None,
        answer=None,
        options=None,
        category=None,
        law_ref="中华人民共和国宪法",
        difficulty=2,
        explanation=None,
        stem=None,
        commit=True,
    ):
        n = next(_stems)
        if options is None:
            options = (
                JUDGE_OPTIONS
                if qtype is QuestionType.JUDGE
                else [f"第{n}题选项{letter}" for letter in "ABCD"]
            )
        question = Question(
            owner_unit=owner or tree["town"],
            type=qtype,
            stem=stem or f"第{n}题：{qtype.label}题题干",
            options=list(options),
            answer=answer or DEFAULT_ANSWERS[qtype],
            explanation=explanation or f"解析内容{n}号，依据相关条文",
            difficulty=difficulty,
            score=Decimal(2),
            category=category,
            law_ref=law_ref,
            article_ref="第一条",
        )
        db.session.add(question)
        if commit:
            db.session.commit()
        return question

    return make


@pytest.fixture
def bank(make_question):
    """雍溪镇's bank: 8 单选, 5 多选, 6 判断."""
    sizes = {QuestionType.SINGLE: 8, QuestionType.MULTI: 5, QuestionType.JUDGE: 6}
    questions = {
        qtype: [make_question(qtype, commit=False) for _ in range(n)] for qtype, n in sizes.items()
    }
    db.session.commit()
    return questions


@pytest.fixture
def make_exam(tree):
    """A published exam, open now unless told otherwise, with its enrolment.

    ``rules``: [(type, count, score)] or [(type, count, score, {filters})];
    ``fixed``: [(question, score)].
    """

    def make(
        *,
        owner=None,
        rules=(),
        fixed=(),
        enrol=(),
        exempt=(),
        title="2024年度法治理论知识考试",
        kind=ExamKind.FORMAL,
        opens_at=None,
        closes_at=None,
        time_limit=60,
        max_attempts=1,
        pass_score=60,
        review=ReviewPolicy.IMMEDIATE,
        shuffle_questions=True,
        shuffle_options=True,
        status=ExamStatus.PUBLISHED,
    ):
        now = utcnow()
        exam = Exam(
            owner_unit=owner or tree["town"],
            title=title,
            kind=kind,
            year=2024,
            status=status,
            opens_at=opens_at or now - timedelta(hours=1),
            closes_at=closes_at if closes_at is not None else now + timedelta(days=7),
            time_limit_minutes=time_limit,
            pass_score=Decimal(pass_score),
            max_attempts=max_attempts,
            shuffle_questions=shuffle_questions,
            shuffle_options=shuffle_options,
            review_policy=review,
            published_at=now,
        )
        for position, rule in enumerate(rules):
            qtype, n, score, *extra = rule
            exam.rules.append(
                ExamRule(
                    position=position,
                    type=qtype,
                    count=n,
                    score=Decimal(score),
                    **(extra or [{}])[0],
                )
            )
        for position, (question, score) in enumerate(fixed):
            exam.fixed_questions.append(
                ExamQuestion(question=question, position=position, score=Decimal(score))
            )
        db.session.add(exam)
        db.session.flush()
        for user in [*enrol, *exempt]:
            db.session.add(
                Enrolment(
                    exam_id=exam.id,
                    user_id=user.id,
                    unit_id=user.unit_id,
                    category=user.category or Category.OTHER,
                    exempt=user in exempt,
                    exempt_reason="病假" if user in exempt else "",
                )
            )
        db.session.commit()
        return exam

    return make


@pytest.fixture
def cadre(make_user, tree):
    return make_user("冉晓丽", tree["village"], category=Category.VILLAGE_CADRE)


@pytest.fixture
def other(make_user, tree):
    return make_user("李四", tree["village2"], category=Category.VILLAGE_CADRE)


STANDARD_RULES = [
    (QuestionType.SINGLE, 4, 10),
    (QuestionType.MULTI, 2, 15),
    (QuestionType.JUDGE, 3, 10),
]  # 40 + 30 + 30 = 100 points


@pytest.fixture
def exam(make_exam, bank, cadre, other):
    """A 100-point rule paper (4 单选 + 2 多选 + 3 判断), pass mark 60, 60 minutes."""
    return make_exam(rules=STANDARD_RULES, enrol=[cadre, other])
