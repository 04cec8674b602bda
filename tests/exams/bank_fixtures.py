"""Helpers for the question bank tests (imported explicitly, not shared fixtures)."""

import io
import re
from decimal import Decimal

import sqlalchemy as sa

from tests.org.helpers import xlsx as one_sheet
from yongxi_learn.exams.bank import rules as bank_rules
from yongxi_learn.exams.bank import services as bank
from yongxi_learn.exams.bank.template import HEADERS
from yongxi_learn.exams.models import (
    Attempt,
    AttemptQuestion,
    Exam,
    Question,
    QuestionType,
)
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Role
from yongxi_learn.org.services import SYSTEM, Actor

URL = "/admin/questions/"


def actor_of(user) -> Actor:
    return Actor(user=user, address="test")


def content(
    qtype=QuestionType.SINGLE,
    stem="宪法规定，中华人民共和国的一切权力属于（ ）。",
    options=("人民", "政府", "军队", "法院"),
    answer="A",
    **fields,
) -> bank_rules.QuestionData:
    data = bank_rules.build(qtype=qtype, stem=stem, options=list(options), answer=answer, **fields)
    assert not data.errors, data.errors
    return data


def add_question(owner, *, actor=SYSTEM, category=None, **kwargs) -> Question:
    question = bank.create_question(
        content(**kwargs), owner_unit=owner, category=category, actor=actor
    )
    db.session.commit()
    return question


def use_in_attempt(question: Question, user) -> AttemptQuestion:
    """An attempt by ``user`` that shows ``question``: the question is now in use."""
    exam = Exam(owner_unit_id=question.owner_unit_id, title="年度考试", year=2024)
    attempt = Attempt(exam=exam, user=user)
    shown = AttemptQuestion(
        attempt=attempt,
        position=1,
        question=question,
        option_order=list(range(len(question.options))),
        score=Decimal(2),
    )
    db.session.add_all([exam, attempt, shown])
    db.session.commit()
    return shown


def town_admin(make_user, unit, name="题库管理员"):
    return make_user(name, unit, roles=[(Role.ADMIN, unit)])


def xlsx(rows, headers=HEADERS, sheet="试题") -> bytes:
    return one_sheet(rows, headers=headers, sheet=sheet)


def row(
    qtype="单选",
    stem="宪法规定，中华人民共和国的一切权力属于（ ）。",
    options=("人民", "政府", "军队", "法院", "", ""),
    answer="A",
    explanation="宪法第二条",
    difficulty="中",
    score="2",
    category="宪法",
    law="中华人民共和国宪法",
    article="第二条",
):
    options = list(options) + [""] * (6 - len(options))
    return [qtype, stem, *options, answer, explanation, difficulty, score, category, law, article]


IMPORT = URL + "import"


def upload(client, content: bytes, filename: str = "试题.xlsx"):
    return client.post(
        IMPORT, data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def offers_confirm(html: str) -> bool:
    return "/confirm" in html and "确认导入</button>" in html


def confirm(client, preview):
    html = text(preview)
    action = re.search(r'action="(/admin/questions/import/[^"/]+/confirm)"', html)
    digest = re.search(r'name="plan" value="([0-9a-f]+)"', html)
    unit = re.search(r'name="unit" value="(\d+)"', html)
    assert action and digest and unit, "no confirm button on the page"
    return client.post(action.group(1), data={"plan": digest.group(1), "unit": unit.group(1)})


def questions(unit=None) -> list[Question]:
    db.session.expire_all()
    query = sa.select(Question).order_by(Question.id)
    if unit is not None:
        query = query.where(Question.owner_unit_id == unit.id)
    return list(db.session.scalars(query))


FORM = {
    "type": "single",
    "category_id": "0",
    "stem": "行政处罚的种类不包括（ ）。",
    "option_a": "警告",
    "option_b": "罚款",
    "option_c": "记过",
    "answer": "C",
    "explanation": "记过是政务处分。",
    "difficulty": "2",
    "score": "2",
    "law_ref": "中华人民共和国行政处罚法",
    "article_ref": "第九条",
    "tags": "",
}
