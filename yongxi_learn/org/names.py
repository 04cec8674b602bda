"""Names and phone numbers as people type them.

Names are kept exactly as typed (no NFKC: 生僻字 and "·" survive); only control
and formatting characters are refused. Phones are normalised (NFKC, spaces and
dashes, a +86 prefix) before they are checked.
"""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
# CJK unified ideographs, the basic block and extensions A to H.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003347f]")
NAME_MAX = 50

# Surnames whose reading, as listed in 现代汉语词典, differs from pypinyin's default
# reading of each character on its own (pinyin_key reads the surname apart from the
# given name). Characters read two ways as surnames (乐 lè/yuè, 盖 gài/gě) are left to
# pypinyin; 覃 and 翟 take their usual surname readings qín and zhái.
SURNAME_READINGS = {
    "尉迟": "yu chi",
    "万俟": "mo qi",
    "澹台": "tan tai",
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "覃": "qin",
    "翟": "zhai",
    "查": "zha",
    "缪": "miao",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "句": "gou",
    "员": "yun",
    "繁": "po",
    "祭": "zhai",
}


class InvalidValue(ValueError):
    """A value a person typed that cannot be used; the message is shown to them."""


def normalise_phone(raw: str) -> str:
    """The 11-digit mainland mobile number in ``raw``, or InvalidValue."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    text = re.sub(r"[\s\-()]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if not PHONE_RE.match(text):
        raise InvalidValue("手机号应为11位中国大陆手机号码")
    return text


_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds control or formatting characters (any length)."""
    return any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in text)


def clean_name(raw: str) -> str:
    """A person's name, trimmed but otherwise exactly as typed."""
    name = str(raw or "").strip()
    if not name:
        raise InvalidValue("姓名不能为空")
    if len(name) > NAME_MAX:
        raise InvalidValue(f"姓名不能超过{NAME_MAX}个字")
    if has_invisible(name):
        raise InvalidValue("姓名含有控制字符或不可见字符")
    return name


def pinyin_key(name: str) -> str:
    """Sort key in pinyin order with surname readings: 曾 → zeng, 单 → shan.

    The surname is read on its own, so the given name cannot change its reading
    through a word (柏林 is "bai lin", not "bo lin").
    """
    head, rest = "", name
    for length in (2, 1):
        reading = SURNAME_READINGS.get(name[:length])
        if reading:
            head, rest = reading, name[length:]
            break
    else:
        if _HAN.match(name):
            head, rest = " ".join(lazy_pinyin(name[0], style=Style.NORMAL)), name[1:]
    tail = lazy_pinyin(rest, style=Style.NORMAL, errors="default") if rest else []
    parts = [head] if head else []
    parts.extend(p.lower() for p in tail if p.strip())
    return " ".join(parts)[:255]
