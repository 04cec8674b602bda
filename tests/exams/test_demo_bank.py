"""The demo question bank is well-formed data: counts, answers, options, texts."""

import csv
import re
import unicodedata
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import yongxi_learn
from tests.conftest import count_rows
from yongxi_learn.core.pending_import import PendingImport
from yongxi_learn.exams.bank.demo import (
    CATEGORIES,
    LAW_CATEGORIES,
    QUESTIONS,
    SAMPLE_NOTICE,
    SAMPLE_TAG,
    load_bank,
)
from yongxi_learn.exams.grading import LETTERS, normalise_letters
from yongxi_learn.exams.models import JUDGE_OPTIONS, Question, QuestionType
from yongxi_learn.extensions import db

TYPE_COUNTS = Counter(q.type for q in QUESTIONS)
ARTICLE = re.compile(r"第[一二三四五六七八九十百千零]+条")
# An article's first line in the law texts: "第十条 …" (or "第十条之一 …").
NUMERAL = "[一二三四五六七八九十百千零]+"
LAW_ARTICLE = re.compile(rf"(第{NUMERAL}条(?:之{NUMERAL})?)\s+(.*)")


def _texts(q):
    return [q.stem, q.explanation, q.law, q.article, q.category, *q.options]


def test_the_bank_has_at_least_140_questions_of_each_type_in_proportion():
    assert len(QUESTIONS) >= 140
    assert TYPE_COUNTS[QuestionType.SINGLE] >= 70
    assert TYPE_COUNTS[QuestionType.MULTI] >= 25
    assert TYPE_COUNTS[QuestionType.JUDGE] >= 35


def test_the_bank_covers_enough_questions_for_the_annual_paper_twice_over():
    # 25 单选 + 10 多选 + 15 判断 are drawn per person; people should see different papers.
    assert TYPE_COUNTS[QuestionType.SINGLE] >= 2 * 25
    assert TYPE_COUNTS[QuestionType.MULTI] >= 2 * 10
    assert TYPE_COUNTS[QuestionType.JUDGE] >= 2 * 15


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.stem[:12])
def test_every_answer_is_canonical_and_within_its_options(q):
    assert 2 <= len(q.options) <= 6
    assert q.answer == normalise_letters(q.answer)
    assert set(q.answer) <= set(LETTERS[: len(q.options)])
    if q.type is QuestionType.SINGLE:
        assert len(q.answer) == 1
    elif q.type is QuestionType.MULTI:
        assert len(q.answer) >= 2
    else:
        assert list(q.options) == JUDGE_OPTIONS
        assert q.answer in ("A", "B")


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.stem[:12])
def test_every_question_has_its_texts_filled_and_clean(q):
    assert q.stem.strip() and q.explanation.strip() and q.law
    assert q.difficulty in (1, 2, 3)
    assert all(option.strip() for option in q.options)
    assert len(set(q.options)) == len(q.options)
    assert ARTICLE.fullmatch(q.article)
    for text in _texts(q):
        assert text == text.strip()
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def test_choice_stems_have_a_blank_and_judge_stems_do_not():
    for q in QUESTIONS:
        assert ("（  ）" in q.stem) == (q.type is not QuestionType.JUDGE), q.stem


def test_no_two_questions_share_a_stem():
    stems = Counter(re.sub(r"\s+", "", q.stem) for q in QUESTIONS)
    assert [s for s, n in stems.items() if n > 1] == []


def test_every_category_is_used_and_every_question_has_a_known_one():
    assert {q.category for q in QUESTIONS} == set(CATEGORIES)
    assert all(LAW_CATEGORIES[q.law] == q.category for q in QUESTIONS)


def test_both_judge_answers_occur_and_multi_answers_vary():
    judge = Counter(q.answer for q in QUESTIONS if q.type is QuestionType.JUDGE)
    assert judge["A"] >= 10 and judge["B"] >= 10
    single = Counter(q.answer for q in QUESTIONS if q.type is QuestionType.SINGLE)
    assert len(single) == 4


def test_the_bank_is_marked_as_sample_content():
    import yongxi_learn.exams.bank.demo as module

    assert SAMPLE_NOTICE == "示例题目，仅供演示，以官方文本为准"
    assert SAMPLE_NOTICE in module.__doc__


def _shipped_laws() -> dict[str, dict[str, str]]:
    """The newest text of each law shipped as demo data (or, until it is, the shared
    copy): short name -> article label -> its text."""
    folder = Path(yongxi_learn.__file__).parent / "demo_data" / "laws"
    if not (folder / "manifest.csv").exists():
        folder = Path(__file__).parents[3] / "shared" / "laws"
    with (folder / "manifest.csv").open(encoding="utf-8") as f:
        manifest = sorted(csv.DictReader(f), key=lambda row: row["version_date"])
    laws = {}
    for row in manifest:  # oldest first, so the newest version of a law wins
        articles, label = {}, None
        for line in (folder / row["file"]).read_text(encoding="utf-8").splitlines():
            found = LAW_ARTICLE.match(line)
            if found:
                label = found.group(1)
                articles[label] = found.group(2)
            elif label and line.strip():
                articles[label] += "\n" + line.strip()
        laws[row["short_name"]] = articles
    return laws


LAWS = _shipped_laws()


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.stem[:12])
def test_every_question_cites_an_article_of_a_shipped_law(q):
    assert q.law in LAWS, q.law
    assert q.article in LAWS[q.law], f"{q.law}{q.article}"


def test_the_bank_file_loads_through_the_importer_as_samples(app, tree):
    """The upload path (plan, stage, confirm) as the system: every row imported, into
    the file's categories, marked as samples, and nothing left staged."""
    load_bank(tree["town"], datetime(2024, 11, 1))
    db.session.commit()
    stored = db.session.scalars(sa.select(Question)).all()
    assert len(stored) == len(QUESTIONS)
    assert {q.tags for q in stored} == {SAMPLE_TAG}
    assert {q.category.name for q in stored} == set(CATEGORIES)
    assert count_rows(PendingImport) == 0
    assert load_bank(tree["town"], datetime(2024, 11, 2)) == 0  # only into an empty bank
