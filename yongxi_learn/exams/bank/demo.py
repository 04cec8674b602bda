"""The demo question bank: 示例题目，仅供演示，以官方文本为准.

The questions live in ``demo_data/questions.xlsx``, the bank's own import template,
and reach a town's bank the way an admin's upload does: planned, staged and
confirmed by bank.importing (core/staging), as the system. Every question cites a
real article (法规 + 条款) of a law shipped in ``demo_data/laws``, so once the demo
library holds those laws each question links to its article. ``QUESTIONS`` is the
file read as plain data, for the exam demo and the tests.
"""

from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import sqlalchemy as sa
from flask import current_app

from ...core.spreadsheets import Limits, read_rows
from ...extensions import db
from ...org.models import OrgUnit
from ...org.services import SYSTEM
from ..models import JUDGE_OPTIONS, Question, QuestionType
from . import importing, rules
from .template import (
    ANSWER,
    ARTICLE,
    CATEGORY,
    DIFFICULTY,
    EXPLANATION,
    LAW,
    OPTION_COLUMNS,
    STEM,
    TYPE,
)

SAMPLE_NOTICE = "示例题目，仅供演示，以官方文本为准"
SAMPLE_TAG = "示例"
FILENAME = "questions.xlsx"


@dataclass(frozen=True)
class DemoQuestion:
    type: QuestionType
    stem: str
    options: tuple[str, ...]
    answer: str  # canonical letters, sorted: "B", "ACD"; 判断: "A" 正确 / "B" 错误
    explanation: str  # 解析
    difficulty: int  # 1 易, 2 中, 3 难
    category: str
    law: str
    article: str


def bank_file() -> bytes:
    return resources.files("yongxi_learn").joinpath("demo_data", FILENAME).read_bytes()


def _read(content: bytes) -> list[DemoQuestion]:
    # Generous limits: this reads the package's own file, outside any request.
    limits = Limits(
        max_bytes=len(content) + 1,
        max_uncompressed=64 << 20,
        max_entries=1000,
        max_rows=10_000,
        pending_minutes=60,
    )
    questions = []
    for raw in read_rows(content, limits, importing.SPEC):
        v = raw.values
        qtype = rules.parse_type(v[TYPE])
        options = [v[c] for c in OPTION_COLUMNS if v[c]]
        if qtype is QuestionType.JUDGE:
            options = list(JUDGE_OPTIONS)
        questions.append(
            DemoQuestion(
                type=qtype,
                stem=v[STEM],
                options=tuple(options),
                answer=rules.parse_answer(v[ANSWER], qtype, len(options)),
                explanation=v[EXPLANATION],
                difficulty=rules.parse_difficulty(v[DIFFICULTY]),
                category=v[CATEGORY],
                law=v[LAW],
                article=v[ARTICLE],
            )
        )
    return questions


QUESTIONS: list[DemoQuestion] = _read(bank_file())
CATEGORIES: list[str] = list(dict.fromkeys(q.category for q in QUESTIONS))
# law (short title, stored as Question.law_ref) -> 题库分类
LAW_CATEGORIES: dict[str, str] = {q.law: q.category for q in QUESTIONS}


def load_bank(town: OrgUnit, now: datetime) -> int:
    """Import the demo file into the town's bank unless it has questions already,
    through the upload's plan → stage → confirm; ``now`` stamps the rows."""
    has_questions = db.session.scalar(
        sa.select(Question.id).where(Question.owner_unit_id == town.id).limit(1)
    )
    if has_questions is not None:
        return 0
    limits = Limits.from_config(current_app.config)
    content = bank_file()
    pending, plan = importing.stage_upload(
        content, FILENAME, owner_unit=town, actor=SYSTEM, limits=limits
    )
    if pending is None:  # the shipped file is checked by tests; say what broke
        raise RuntimeError("示例题库文件未通过导入检查：" + "；".join(plan.messages[:5]))
    result = importing.confirm_import(
        pending.token, plan.digest, owner_unit=town, actor=SYSTEM, limits=limits
    )
    # The template has no 标签 column; the demo's questions are marked as samples.
    db.session.execute(
        sa.update(Question)
        .where(Question.owner_unit_id == town.id)
        .values(tags=SAMPLE_TAG, created_at=now, updated_at=now)
    )
    return result.created
