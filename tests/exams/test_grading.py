"""Grading is pure: right or wrong per type, 多选 all-or-nothing, letters as shown."""

from decimal import Decimal
from itertools import combinations

import pytest

from yongxi_learn.exams.grading import (
    Item,
    canonical_to_shown,
    grade,
    grade_item,
    is_correct,
    normalise_letters,
    shown_to_canonical,
)
from yongxi_learn.exams.models import QuestionType

SINGLE, MULTI, JUDGE = QuestionType.SINGLE, QuestionType.MULTI, QuestionType.JUDGE


def test_letters_are_normalised_to_unique_sorted_upper_case():
    assert normalise_letters("cAa") == "AC"
    assert normalise_letters([]) == ""


@pytest.mark.parametrize(("response", "ok"), [("B", True), ("b", True), ("A", False), ("", False)])
def test_single_choice_is_right_only_with_the_key(response, ok):
    assert is_correct(SINGLE, "B", response) is ok


def test_single_choice_with_two_letters_is_wrong():
    assert not is_correct(SINGLE, "B", "AB")


@pytest.mark.parametrize(("response", "ok"), [("A", True), ("B", False), ("", False)])
def test_judge_is_right_only_with_the_key(response, ok):
    assert is_correct(JUDGE, "A", response) is ok


@pytest.mark.parametrize(
    ("response", "ok"),
    [("AC", True), ("CA", True), ("A", False), ("ABC", False), ("BD", False), ("", False)],
)
def test_multi_choice_is_all_or_nothing(response, ok):
    assert is_correct(MULTI, "AC", response) is ok


def test_a_wrong_item_is_awarded_nothing_and_a_right_one_its_score():
    assert grade_item(Item(SINGLE, "B", "B", Decimal("2.5"))).awarded == Decimal("2.5")
    assert grade_item(Item(MULTI, "AC", "A", Decimal(3))).awarded == Decimal(0)


def test_paper_score_is_the_sum_and_pass_mark_is_inclusive():
    items = [
        Item(SINGLE, "A", "A", Decimal(30)),
        Item(MULTI, "BD", "BD", Decimal(30)),
        Item(JUDGE, "B", "A", Decimal(40)),
    ]
    result = grade(items, pass_score=Decimal(60))
    assert (result.score, result.max_score, result.passed) == (Decimal(60), Decimal(100), True)
    assert [g.correct for g in result.items] == [True, True, False]


def test_paper_below_the_pass_mark_fails():
    assert not grade([Item(SINGLE, "A", "B", Decimal(100))], Decimal(60)).passed


def test_empty_paper_scores_zero():
    result = grade([], Decimal(0))
    assert (result.score, result.max_score) == (Decimal(0), Decimal(0))


def test_shown_letters_map_through_the_option_order():
    order = [2, 0, 3, 1]  # shown A is canonical C, shown B is canonical A ...
    assert shown_to_canonical("A", order) == "C"
    assert shown_to_canonical("bd", order) == "AB"
    assert shown_to_canonical("", order) == ""


def test_canonical_letters_map_back_to_what_was_shown():
    order = [2, 0, 3, 1]
    assert canonical_to_shown("C", order) == "A"
    assert canonical_to_shown("AB", order) == "BD"


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [4, 0, 5, 2, 1, 3]])
def test_conversion_round_trips_for_every_answer(order):
    letters = "ABCDEF"[: len(order)]
    for size in range(1, len(letters) + 1):
        for combo in combinations(letters, size):
            shown = "".join(combo)
            assert canonical_to_shown(shown_to_canonical(shown, order), order) == shown
