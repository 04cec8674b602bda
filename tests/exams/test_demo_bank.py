"""The demo question bank is well-formed data: counts, answers, options, texts."""

import re
import unicodedata
from collections import Counter

import pytest

from yongxi_learn.exams.demo_bank import (
    CATEGORIES,
    LAW_CATEGORIES,
    QUESTIONS,
    SAMPLE_NOTICE,
)
from yongxi_learn.exams.grading import LETTERS, normalise_letters
from yongxi_learn.exams.models import JUDGE_OPTIONS, QuestionType

TYPE_COUNTS = Counter(q.type for q in QUESTIONS)
ARTICLE = re.compile(r"第[一二三四五六七八九十百千零]+条")


def _texts(q):
    return [q.stem, q.explanation, q.law, q.article, q.category, *q.options]


def test_the_bank_has_at_least_160_questions_of_each_type_in_proportion():
    assert len(QUESTIONS) >= 160
    assert TYPE_COUNTS[QuestionType.SINGLE] >= 85
    assert TYPE_COUNTS[QuestionType.MULTI] >= 30
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
    assert q.article == "" or ARTICLE.fullmatch(q.article)
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
    import yongxi_learn.exams.demo_bank as module

    assert SAMPLE_NOTICE == "示例题目，仅供演示，以官方文本为准"
    assert SAMPLE_NOTICE in module.__doc__
