"""What makes a question valid, as pure functions shared by the admin form and the import.

Each check returns (field, message) pairs; ``field`` is one of FIELDS, so the form
shows a message under its input and the import names the column. Answers are parsed
from the notations the provincial systems use ("B", "A,C", "A，C", "A、C", "AC",
"A C"; 判断 as 对/错, 正确/错误, √/×, A/B, T/F) into canonical letters.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..grading import LETTERS, normalise_letters
from ..models import DIFFICULTY_LABELS, JUDGE_OPTIONS, QuestionType

MIN_OPTIONS, MAX_OPTIONS = 2, 6
STEM_MAX = 2000
OPTION_MAX = 500
EXPLANATION_MAX = 5000
LAW_MAX, ARTICLE_MAX, TAGS_MAX = 200, 100, 200
SCORE_MAX = Decimal(100)
DEFAULT_SCORE = Decimal(2)
DEFAULT_DIFFICULTY = 2

TYPE_NAMES = {
    "单选": QuestionType.SINGLE,
    "单选题": QuestionType.SINGLE,
    "单项选择": QuestionType.SINGLE,
    "单项选择题": QuestionType.SINGLE,
    "多选": QuestionType.MULTI,
    "多选题": QuestionType.MULTI,
    "多项选择": QuestionType.MULTI,
    "多项选择题": QuestionType.MULTI,
    "判断": QuestionType.JUDGE,
    "判断题": QuestionType.JUDGE,
}
JUDGE_ANSWERS = {
    **dict.fromkeys(("对", "正确", "√", "✓", "✔", "A", "T", "TRUE", "是"), "A"),
    **dict.fromkeys(("错", "错误", "×", "✗", "✘", "X", "B", "F", "FALSE", "否"), "B"),
}
DIFFICULTY_NAMES = {label: level for level, label in DIFFICULTY_LABELS.items()}
# Separators people put between letters: commas, 顿号, spaces, semicolons, slashes.
_SEPARATORS = re.compile(r"[\s,，、;；/]+")


class Invalid(ValueError):
    """One field's problem; the message is Chinese and shown as it is."""


@dataclass
class QuestionData:
    """A question's content as entered, after parsing; what create and edit take."""

    type: QuestionType
    stem: str
    options: list[str]
    answer: str
    explanation: str = ""
    difficulty: int = DEFAULT_DIFFICULTY
    score: Decimal = DEFAULT_SCORE
    law_ref: str = ""
    article_ref: str = ""
    tags: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    # (field, message) the question is saved with, shown to the admin (an article the
    # law library cannot check).
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # The law library's law version and article, when linked (see bank.links).
    law_id: int | None = None
    article_id: int | None = None


def fold(text: str) -> str:
    """NFKC with all whitespace removed: how stems and names are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def option_field(index: int) -> str:
    return f"option_{LETTERS[index].lower()}"


# ---------------------------------------------------------------- parsing one field


def parse_type(text: str) -> QuestionType:
    qtype = TYPE_NAMES.get(fold(text))
    if qtype is None:
        raise Invalid("题型应为“单选”“多选”或“判断”" if text else "请填写题型")
    return qtype


def parse_difficulty(text: str) -> int:
    text = fold(text)
    if not text:
        return DEFAULT_DIFFICULTY
    level = DIFFICULTY_NAMES.get(text) or ({"1": 1, "2": 2, "3": 3}.get(text))
    if level is None:
        raise Invalid("难度应为“易”“中”“难”之一（或1、2、3）")
    return level


def parse_score(text: str) -> Decimal:
    text = fold(text)
    if not text:
        return DEFAULT_SCORE
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise Invalid("分值应为数字，如 2 或 1.5") from None
    if not score.is_finite() or score <= 0 or score > SCORE_MAX:
        raise Invalid(f"分值应大于0且不超过{SCORE_MAX}")
    if score != score.quantize(Decimal("0.01")):
        raise Invalid("分值最多保留两位小数")
    return score


def parse_answer(text: str, qtype: QuestionType, option_count: int) -> str:
    """Canonical letters for ``text``, or Invalid with what is wrong."""
    raw = unicodedata.normalize("NFKC", text).strip().upper()
    if not raw:
        raise Invalid("请填写答案")
    if qtype is QuestionType.JUDGE:
        return _judge_answer(raw)
    letters = _SEPARATORS.sub("", raw)
    if not letters or any(ch not in LETTERS for ch in letters):
        raise Invalid("答案应填写选项字母，如 B 或 A,C")
    answer = normalise_letters(letters)
    missing = [ch for ch in answer if LETTERS.index(ch) >= option_count]
    if missing:
        raise Invalid(f"答案中的选项{'、'.join(missing)}不存在（本题只有{option_count}个选项）")
    if qtype is QuestionType.SINGLE and len(answer) != 1:
        raise Invalid("单选题的答案只能是一个选项")
    if qtype is QuestionType.MULTI and len(answer) < 2:
        raise Invalid("多选题的答案至少应有两个选项")
    return answer


def _judge_answer(raw: str) -> str:
    answer = JUDGE_ANSWERS.get(_SEPARATORS.sub("", raw))
    if answer is None:
        raise Invalid("判断题的答案应为“对”或“错”（也可填 正确/错误、√/×、A/B、T/F）")
    return answer


def format_answer(qtype: QuestionType, answer: str) -> str:
    """The answer as the template writes it: 判断 as 正确/错误, others as letters."""
    if qtype is QuestionType.JUDGE:
        return JUDGE_OPTIONS[LETTERS.index(answer)]
    return answer


# ---------------------------------------------------------------- checking text


def bad_characters(text: str, *, newlines: bool = True) -> bool:
    """Control or invisible format characters (bidi overrides, zero-width ...)."""
    allowed = {"\n"} if newlines else set()
    return any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in allowed for ch in text)


def clean_text(text: str, *, limit: int, name: str, required: bool = False) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise Invalid(f"请填写{name}")
    if len(text) > limit:
        raise Invalid(f"{name}不能超过{limit}个字")
    if bad_characters(text):
        raise Invalid(f"{name}含有控制字符或不可见字符")
    # The import refuses such cells as formulas; refusing them here too keeps every
    # stored question exportable and importable again.
    if text.startswith("="):
        raise Invalid(f"{name}不能以“=”开头")
    return text


def clean_options(raw: list[str], qtype: QuestionType) -> tuple[list[str], list[tuple[str, str]]]:
    """The options as stored, and the problems found (field per option)."""
    if qtype is QuestionType.JUDGE:
        # Blank, or the fixed texts in their places (as an export writes nothing else).
        expected = [*JUDGE_OPTIONS, *[""] * MAX_OPTIONS]
        if any(t and t.strip() != expected[i] for i, t in enumerate(raw)):
            return list(JUDGE_OPTIONS), [("options", "判断题不需要填写选项（固定为“正确”“错误”）")]
        return list(JUDGE_OPTIONS), []
    return _choice_options(raw)


def _choice_options(raw: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    texts = [(t or "").replace("\r\n", "\n").strip() for t in raw[:MAX_OPTIONS]]
    while texts and not texts[-1]:
        texts.pop()
    errors: list[tuple[str, str]] = []
    for index, text in enumerate(texts):
        try:
            clean_text(text, limit=OPTION_MAX, name=f"选项{LETTERS[index]}", required=True)
        except Invalid as exc:
            message = str(exc)
            if not text:
                message = f"选项{LETTERS[index]}为空，但后面还有选项；空白选项只能在最后"
            errors.append((option_field(index), message))
    if len(texts) < MIN_OPTIONS:
        errors.append(("options", f"选择题至少需要{MIN_OPTIONS}个选项"))
    seen: dict[str, int] = {}
    for index, text in enumerate(texts):
        if text and fold(text) in seen:
            first = LETTERS[seen[fold(text)]]
            errors.append((option_field(index), f"选项{LETTERS[index]}与选项{first}相同"))
        seen.setdefault(fold(text), index)
    return texts, errors


# ---------------------------------------------------------------- a whole question


def build(
    *,
    qtype: QuestionType,
    stem: str,
    options: list[str],
    answer: str,
    explanation: str = "",
    difficulty: int = DEFAULT_DIFFICULTY,
    score: Decimal = DEFAULT_SCORE,
    law_ref: str = "",
    article_ref: str = "",
    tags: str = "",
) -> QuestionData:
    """Check every field; the result carries the errors (empty when valid)."""
    data = QuestionData(qtype, "", [], "", difficulty=difficulty, score=score)
    errors = data.errors
    data.stem = _field(errors, "stem", clean_text, stem, limit=STEM_MAX, name="题干", required=True)
    data.options, option_errors = clean_options(options, qtype)
    errors.extend(option_errors)
    if not option_errors:
        data.answer = _field(errors, "answer", parse_answer, answer, qtype, len(data.options))
    data.explanation = _field(
        errors, "explanation", clean_text, explanation, limit=EXPLANATION_MAX, name="解析"
    )
    data.law_ref = _field(errors, "law_ref", clean_text, law_ref, limit=LAW_MAX, name="法规")
    data.article_ref = _field(
        errors, "article_ref", clean_text, article_ref, limit=ARTICLE_MAX, name="条款"
    )
    data.tags = _field(errors, "tags", clean_text, tags, limit=TAGS_MAX, name="标签")
    if difficulty not in DIFFICULTY_LABELS:
        errors.append(("difficulty", "难度应为易、中、难之一"))
    if not (0 < score <= SCORE_MAX):
        errors.append(("score", f"分值应大于0且不超过{SCORE_MAX}"))
    return data


def _field(errors: list, key: str, check, /, *args, **kwargs):
    try:
        return check(*args, **kwargs)
    except Invalid as exc:
        errors.append((key, str(exc)))
        return args[0] if isinstance(args[0], str) else ""
