"""Phones and names as people type them, and the pinyin sort key."""

import pytest
from pypinyin import Style, lazy_pinyin

from yongxi_learn.org.names import (
    SURNAME_READINGS,
    InvalidValue,
    clean_name,
    normalise_phone,
    pinyin_key,
)

PHONE_MESSAGE = "手机号应为11位中国大陆手机号码"


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "１３８００１３８０００",  # full-width digits from a Chinese input method
        "138 0013 8000",
        "138-0013-8000",
        "138\u30000013\u30008000",  # ideographic spaces
        " 13800138000\t",
        "+86 138 0013 8000",
        "+86-13800138000",
        "＋８６ １３８００１３８０００",
        "0086 13800138000",
        "8613800138000",
        "86 138-0013-8000",
    ],
)
def test_phone_is_normalised_to_eleven_digits(typed):
    assert normalise_phone(typed) == "13800138000"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12800138000",  # second digit must be 3-9
        "23800138000",
        "1380013800a",
        "86138001380",  # 11 digits starting 86 is not a prefixed number
        "+1 415 555 0100",
        "138—0013—8000",  # em dashes are not separators
        "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits are not mainland phone digits
    ],
)
def test_phone_that_is_not_a_mainland_mobile_is_refused_in_chinese(typed):
    with pytest.raises(InvalidValue, match=PHONE_MESSAGE):
        normalise_phone(typed)


@pytest.mark.parametrize(
    "name",
    [
        "𠈌",  # CJK extension B
        "王䶮",  # CJK extension A
        "阿卜杜拉·艾买提",
        "⼀",  # U+2F00 KANGXI RADICAL ONE: NFKC would turn it into 一
        "ＡＢＣ",  # full-width letters: NFKC would turn them into ABC
        "Ｍａｒｙ　李",
        "张三",
    ],
)
def test_name_is_kept_exactly_as_typed(name):
    assert clean_name(name) == name


def test_name_loses_only_surrounding_whitespace():
    assert clean_name("  欧阳 修 \n") == "欧阳 修"


@pytest.mark.parametrize(
    "name",
    ["张\x00三", "张\n三", "张\u200b三", "张\u202e三", "张\u2028三", "\x7f李"],
)
def test_name_with_control_or_invisible_characters_is_refused(name):
    with pytest.raises(InvalidValue, match="姓名含有控制字符或不可见字符"):
        clean_name(name)


def test_empty_name_is_refused():
    with pytest.raises(InvalidValue, match="姓名不能为空"):
        clean_name(" \u3000 ")


def test_name_over_fifty_characters_is_refused():
    with pytest.raises(InvalidValue, match="姓名不能超过50个字"):
        clean_name("张" * 51)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("曾小明", "zeng xiao ming"),
        ("单雪", "shan xue"),
        ("解放", "xie fang"),
        ("仇英", "qiu ying"),
        ("区家麟", "ou jia lin"),
        ("朴槿惠", "piao jin hui"),
        ("覃静", "qin jing"),
        ("翟敏", "zhai min"),
    ],
)
def test_pinyin_key_uses_the_surname_reading(name, key):
    assert pinyin_key(name) == key


def test_pinyin_key_reads_compound_surname_as_a_whole():
    assert pinyin_key("尉迟恭") == "yu chi gong"


def test_pinyin_key_reads_the_surname_apart_from_the_given_name():
    # As one word 柏林 is "bo lin" (Berlin); as a person it is Bai Lin.
    assert pinyin_key("柏林") == "bai lin"
    assert pinyin_key("单于洋") == "shan yu yang"


def test_pinyin_key_keeps_rare_characters_without_a_reading():
    assert pinyin_key("张𠈌").startswith("zhang ")


def test_names_sort_in_pinyin_order_with_surname_readings():
    names = ["张伟", "翟敏", "曾小明", "解放", "王丽", "单雪", "仇英", "覃静", "朴槿惠", "区家麟"]
    names += ["陈红", "柏林"]
    ordered = sorted(names, key=pinyin_key)
    assert ordered == [
        "柏林",
        "陈红",
        "区家麟",
        "朴槿惠",
        "覃静",
        "仇英",
        "单雪",
        "王丽",
        "解放",
        "曾小明",
        "翟敏",
        "张伟",
    ]


@pytest.mark.parametrize(("surname", "reading"), sorted(SURNAME_READINGS.items()))
def test_surname_table_only_lists_readings_pypinyin_gets_wrong(surname, reading):
    # pinyin_key reads a surname's characters on their own when the table has no entry.
    default = " ".join(lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in surname)
    assert default != reading
