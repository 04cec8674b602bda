"""A law's full text → its 编/章/节 headings and its 条, as pure functions.

The text is what the national laws database publishes (or what an admin pastes):
a title and promulgation notes, often a 目录, then headings and articles. Articles
start a line with 第X条 (Chinese or Arabic numerals, 之一 for inserted articles);
their text runs until the next article or heading. Full-width spaces, blank lines
and Windows line ends are normalised; the 目录 is skipped; what comes before the
first heading or article (title, notes, a 序言) is kept aside as the preamble.
"""

import re
import unicodedata
from dataclasses import dataclass, field

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL = r"[零〇一二两三四五六七八九十百千\d]+"
# Heading levels: a 编 resets 分编, 章 and 节 under it, and so on.
LEVELS = {"编": 0, "分编": 1, "章": 2, "节": 3}
HEADING = re.compile(rf"^第({NUMERAL})(分编|编|章|节)(?:\s+(.*))?$")
ARTICLE = re.compile(rf"^第({NUMERAL})条(?:之({NUMERAL}))?(\s*)(.*)$")
HEADING_MAX = 60  # a longer line is a sentence, not a heading
NUMBER_MAX = 9999  # no law has more articles; larger numbers are not article numbers
MAX_ARTICLES = 5000  # 民法典 has 1260
HEADING_SEP = " / "


class LawParseError(ValueError):
    """The text holds no law that can be split into articles; the message says why."""


@dataclass
class ParsedArticle:
    number: int
    suffix: int
    label: str  # canonical: 第一百零二条, 第十条之一
    heading: str  # "第一章 总则 / 第一节 一般规定"
    text: str


@dataclass
class ParsedLaw:
    preamble: list[str]
    articles: list[ParsedArticle]
    headings: list[tuple[int, str]] = field(default_factory=list)  # (level, "第一章 总则")
    warnings: list[str] = field(default_factory=list)

    @property
    def suggested_title(self) -> str:
        return self.preamble[0] if self.preamble and len(self.preamble[0]) <= 100 else ""

    @property
    def numbered_whole(self) -> bool:
        """Its articles are numbered 第一条 to the last without a gap (之一 articles
        aside): a whole text may be this, an excerpt rarely is."""
        return numbered_whole(self.articles)


# ---------------------------------------------------------------- numerals and labels


def chinese_number(text: str) -> int:
    """一百零二 → 102, 十 → 10, 两千 → 2000, 12 → 12; ValueError if not a number."""
    text = unicodedata.normalize("NFKC", text)
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:
            raise ValueError(text)
    return total + (digit or 0)


def to_chinese(number: int) -> str:
    """102 → 一百零二, 10 → 十, 110 → 一百一十 (as laws print them)."""
    if number == 0:
        return "零"
    names = "零一二三四五六七八九"
    parts: list[str] = []
    zero = False
    for unit, value in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        parts.append(names[digit] + value)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def article_label(number: int, suffix: int = 0) -> str:
    label = f"第{to_chinese(number)}条"
    return f"{label}之{to_chinese(suffix)}" if suffix else label


def parse_label(text: str) -> tuple[int, int]:
    """ "第十条之一", "十条之一", "第10条", "10" → (number, suffix); ValueError otherwise."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    match = re.fullmatch(rf"第?({NUMERAL})条?(?:之({NUMERAL}))?", text)
    if not match:
        raise ValueError(text)
    number = chinese_number(match.group(1))
    suffix = chinese_number(match.group(2)) if match.group(2) else 0
    if not (0 < number <= NUMBER_MAX and suffix <= NUMBER_MAX):
        raise ValueError(text)
    return number, suffix


# ---------------------------------------------------------------- lines


def normalise(text: str) -> list[str]:
    """The text's non-blank lines, stripped, with every kind of space made one space."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for raw in text.split("\n"):
        line = re.sub(r"[\s\u3000\u00a0\u2000-\u200b\ufeff]+", " ", raw).strip()
        if line:
            lines.append(line)
    return lines


def _fold(line: str) -> str:
    return line.replace(" ", "")


def _heading(line: str) -> tuple[int, str] | None:
    """(level, "第一章 总则") for a heading line."""
    if len(line) > HEADING_MAX:
        return None
    match = HEADING.match(line)
    if not match:
        # "第一章总则" without a space: only when what follows is short.
        match = re.match(rf"^第({NUMERAL})(分编|编|章|节)(.{{0,20}})$", line)
        if not match:
            return None
    title = (match.group(3) or "").replace(" ", "")
    return LEVELS[match.group(2)], f"第{match.group(1)}{match.group(2)} {title}".strip()


# ---------------------------------------------------------------- the whole text


@dataclass
class _State:
    preamble: list[str] = field(default_factory=list)
    articles: list[ParsedArticle] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    path: dict[int, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the current article's paragraphs
    started: bool = False

    def heading_path(self) -> str:
        return HEADING_SEP.join(self.path[level] for level in sorted(self.path))

    def close_article(self) -> None:
        if self.articles and self.lines:
            self.articles[-1].text = "\n".join(self.lines)
        self.lines = []


def parse_text(text: str) -> ParsedLaw:
    """Split a law's text; LawParseError when no article (第X条) is found."""
    lines = _skip_contents(normalise(text))
    state = _State()
    for line in lines:
        _take(state, line)
    state.close_article()
    if not state.articles:
        raise LawParseError(
            "没有找到任何条文（“第一条”“第二条”……），请确认粘贴或上传的是法规全文，"
            "且每一条都另起一行、以“第X条”开头"
        )
    if len(state.articles) > MAX_ARTICLES:
        raise LawParseError(f"条文过多（超过{MAX_ARTICLES}条），请确认文件内容")
    empty = [a.label for a in state.articles if not a.text]
    if empty:
        raise LawParseError(f"{'、'.join(empty[:5])}没有内容，请检查文本是否完整")
    return ParsedLaw(state.preamble, state.articles, state.headings, _warnings(state.articles))


def _take(state: _State, line: str) -> None:
    heading = _heading(line)
    if heading is not None:
        state.close_article()
        level, title = heading
        state.path = {k: v for k, v in state.path.items() if k < level}
        state.path[level] = title
        state.headings.append((level, title))
        state.started = True
        return
    article = _article(line, state)
    if article is not None:
        state.close_article()
        number, suffix, rest = article
        state.articles.append(
            ParsedArticle(number, suffix, article_label(number, suffix), state.heading_path(), "")
        )
        state.lines = [rest] if rest else []
        state.started = True
        return
    if state.articles:
        state.lines.append(line)
    else:
        # Text between a heading and the first article (rare) joins the preamble.
        state.preamble.append(line)


def _article(line: str, state: _State) -> tuple[int, int, str] | None:
    match = ARTICLE.match(line)
    if not match:
        return None
    try:
        number = chinese_number(match.group(1))
        suffix = chinese_number(match.group(2)) if match.group(2) else 0
    except ValueError:
        return None
    if not (0 < number <= NUMBER_MAX and suffix <= NUMBER_MAX):
        return None
    rest = match.group(4).strip()
    # "第一条为了……" (no space) is an article only where the numbering expects one:
    # a paragraph may well begin "第十条规定的……".
    if not match.group(3) and rest and not _expected(number, suffix, state):
        return None
    return number, suffix, rest


def _expected(number: int, suffix: int, state: _State) -> bool:
    if not state.articles:
        return number == 1
    last = state.articles[-1]
    return (number, suffix) in ((last.number + 1, 0), (last.number, last.suffix + 1))


def _skip_contents(lines: list[str]) -> list[str]:
    """Drop a 目录 (the line itself and the headings listed under it)."""
    for index, line in enumerate(lines):
        if _fold(line) == "目录":
            return lines[:index] + _after_contents(lines[index + 1 :])
    return lines


def _after_contents(lines: list[str]) -> list[str]:
    listed: list[str] = []
    for index, line in enumerate(lines):
        if ARTICLE.match(line) and not _heading(line):
            return lines[index:]
        key = _fold(line)
        if listed and key == listed[0]:
            return lines[index:]  # the first heading again: the body starts
        listed.append(key)
    return lines


def numbered_whole(articles: list[ParsedArticle]) -> bool:
    numbers = {article.number for article in articles if article.suffix == 0}
    return bool(numbers) and numbers == set(range(1, max(numbers) + 1))


def _warnings(articles: list[ParsedArticle]) -> list[str]:
    warnings: list[str] = []
    seen: set[tuple[int, int]] = set()
    previous = 0
    for article in articles:
        key = (article.number, article.suffix)
        if key in seen:
            warnings.append(f"{article.label}出现了不止一次")
        elif article.suffix == 0 and article.number != previous + 1:
            warnings.append(
                f"{article_label(previous) if previous else '开头'}之后是{article.label}"
            )
        seen.add(key)
        previous = max(previous, article.number)
    return warnings[:20]
