"""Grading as pure functions: no database, no Flask, easy to test exhaustively.

Answers are strings of canonical option letters ("B", "AC"); 判断 questions use
"A" for 正确 and "B" for 错误. 多选 is all-or-nothing, as in the provincial exams.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .models import QuestionType

LETTERS = "ABCDEF"


def normalise_letters(letters: Iterable[str]) -> str:
    """Canonical form of a set of option letters: unique, upper-case, sorted."""
    return "".join(sorted({letter.upper() for letter in letters}))


def is_correct(qtype: QuestionType, key: str, response: str) -> bool:
    if not response:
        return False
    if qtype is QuestionType.MULTI:
        return normalise_letters(response) == normalise_letters(key)
    return len(response) == 1 and response.upper() == key.upper()


@dataclass(frozen=True)
class Item:
    qtype: QuestionType
    key: str
    response: str
    score: Decimal


@dataclass(frozen=True)
class Graded:
    correct: bool
    awarded: Decimal


@dataclass(frozen=True)
class Result:
    items: tuple[Graded, ...]
    score: Decimal
    max_score: Decimal
    passed: bool


def grade_item(item: Item) -> Graded:
    ok = is_correct(item.qtype, item.key, item.response)
    return Graded(ok, item.score if ok else Decimal(0))


def grade(items: Sequence[Item], pass_score: Decimal) -> Result:
    graded = tuple(grade_item(item) for item in items)
    score = sum((g.awarded for g in graded), Decimal(0))
    max_score = sum((item.score for item in items), Decimal(0))
    return Result(graded, score, max_score, score >= pass_score)


def shown_to_canonical(shown: str, option_order: list[int]) -> str:
    """Letters as the person saw them ("A" = first shown option) → canonical letters."""
    return normalise_letters(LETTERS[option_order[LETTERS.index(s)]] for s in shown.upper())


def canonical_to_shown(canonical: str, option_order: list[int]) -> str:
    return normalise_letters(LETTERS[option_order.index(LETTERS.index(c))] for c in canonical)


@lru_cache(maxsize=1024)  # 2 to 6 options: at most 872 orders
def parse_order(text: str) -> tuple[int, ...]:
    """An option order read as its JSON text ("[2, 0, 1, 3]"): a sheet's orders are a
    few permutations, so each is parsed once, not once per row (the hot paths)."""
    return tuple(json.loads(text))
