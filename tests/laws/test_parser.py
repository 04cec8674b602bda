"""The article parser on real-shaped text, and reading .txt / .docx uploads."""

import io
import zipfile

import pytest

from tests.laws.law_fixtures import LAW_TEXT, docx_bytes
from yongxi_learn.core.spreadsheets import Limits
from yongxi_learn.laws.files import LawFileError, read_law_file
from yongxi_learn.laws.parser import (
    LawParseError,
    article_label,
    chinese_number,
    parse_label,
    parse_text,
    to_chinese,
)

LIMITS = Limits(
    max_bytes=200_000,
    max_uncompressed=2_000_000,
    max_entries=50,
    max_rows=100,
    pending_minutes=60,
)


def labels(parsed) -> list[str]:
    return [article.label for article in parsed.articles]


# ---------------------------------------------------------------- numerals


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("一百零二", 102),
        ("一百一十", 110),
        ("两千", 2000),
        ("一千二百六十", 1260),
        ("一千零一", 1001),
        ("12", 12),
        ("１２", 12),
    ],
)
def test_chinese_numerals_are_read(text, number):
    assert chinese_number(text) == number


def test_numbers_print_as_laws_print_them():
    assert [to_chinese(n) for n in (10, 15, 102, 110, 1001, 1260)] == [
        "十",
        "十五",
        "一百零二",
        "一百一十",
        "一千零一",
        "一千二百六十",
    ]
    assert article_label(10, 1) == "第十条之一"


@pytest.mark.parametrize("label", ["第十条之一", "十条之一", "第10条之1", " 第 十 条 之 一 "])
def test_an_article_label_is_understood_in_its_usual_spellings(label):
    assert parse_label(label) == (10, 1)


@pytest.mark.parametrize("label", ["", "第条", "总则", "第十章", "第零条", "第99999999999条"])
def test_a_label_that_is_no_article_is_refused(label):
    with pytest.raises(ValueError):
        parse_label(label)


# ---------------------------------------------------------------- the text


def test_real_shaped_text_is_split_into_headings_and_articles():
    parsed = parse_text(LAW_TEXT)
    assert labels(parsed) == [
        "第一条",
        "第二条",
        "第十条",
        "第十条之一",
        "第一百零二条",
        "第一百零三条",
        "第一百零四条",
    ]
    by_label = {a.label: a for a in parsed.articles}
    assert by_label["第一条"].heading == "第一章 总则"
    assert by_label["第十条之一"].heading == "第二章 管理 / 第一节 一般规定"
    assert (by_label["第十条之一"].number, by_label["第十条之一"].suffix) == (10, 1)
    assert by_label["第一百零二条"].number == 102
    assert by_label["第一百零三条"].heading == "第二章 管理 / 第二节 特别规定"
    assert by_label["第一百零四条"].heading == "第三章 附则"
    # Paragraphs stay paragraphs; blank lines and full-width spaces are gone.
    assert by_label["第二条"].text == "本法适用于下列事项：\n（一）甲事项；\n（二）乙事项。"


def test_the_contents_are_skipped_and_the_title_kept_aside():
    parsed = parse_text(LAW_TEXT)
    assert parsed.preamble[0] == "中华人民共和国示例管理法"
    assert parsed.preamble[1].startswith("（2001年1月1日")
    assert parsed.suggested_title == "中华人民共和国示例管理法"
    # Each heading once: the 目录 did not add its own copies.
    assert [title for _, title in parsed.headings] == [
        "第一章 总则",
        "第二章 管理",
        "第一节 一般规定",
        "第二节 特别规定",
        "第三章 附则",
    ]


def test_a_part_resets_the_chapters_under_it():
    text = (
        "第一编　总则\n第一章　基本规定\n第一条　甲。\n"
        "第二编　物权\n第一分编　通则\n第一章　一般规定\n第二条　乙。\n第三条　丙。"
    )
    parsed = parse_text(text)
    assert parsed.articles[0].heading == "第一编 总则 / 第一章 基本规定"
    assert parsed.articles[1].heading == "第二编 物权 / 第一分编 通则 / 第一章 一般规定"


def test_an_article_without_a_space_is_found_where_the_numbering_expects_it():
    text = "第一条为了甲，制定本法。\n第二条本法适用于乙。\n第十条规定的事项除外。"
    parsed = parse_text(text)
    assert labels(parsed) == ["第一条", "第二条"]
    # "第十条规定的……" continues article 2: the numbering did not expect a 第十条.
    assert parsed.articles[1].text == "本法适用于乙。\n第十条规定的事项除外。"


def test_an_absurd_article_number_is_text_not_an_article():
    parsed = parse_text("第一条　甲。\n第99999999999条　乙。")
    assert labels(parsed) == ["第一条"]
    assert parsed.articles[0].text == "甲。\n第99999999999条 乙。"


def test_windows_line_ends_and_no_headings_are_fine():
    parsed = parse_text("第一条　甲。\r\n\r\n第二条　乙。\r\n")
    assert labels(parsed) == ["第一条", "第二条"]
    assert parsed.articles[0].heading == ""
    assert parsed.headings == []


def test_gaps_and_repeats_in_the_numbering_are_warned_about():
    parsed = parse_text("第一条　甲。\n第三条　丙。\n第三条　又一个丙。")
    assert parsed.warnings == ["第一条之后是第三条", "第三条出现了不止一次"]


def test_a_text_without_articles_is_refused_with_a_clear_message():
    with pytest.raises(LawParseError, match="没有找到任何条文"):
        parse_text("关于加强法治宣传教育的通知\n各单位：\n请认真学习。")


def test_an_article_without_text_is_refused():
    with pytest.raises(LawParseError, match="第二条没有内容"):
        parse_text("第一条　甲。\n第二条\n第一章　附则")


# ---------------------------------------------------------------- files


def test_a_docx_file_is_read_paragraph_by_paragraph():
    content = docx_bytes(["中华人民共和国示例法", "第一章　总则", "第一条　甲。", "第二条　乙。"])
    parsed = parse_text(read_law_file(content, "示例法.docx", LIMITS))
    assert labels(parsed) == ["第一条", "第二条"]
    assert parsed.articles[1].heading == "第一章 总则"


@pytest.mark.parametrize(
    ("encoded", "name"),
    [
        ("第一条　甲。".encode("gb18030"), "GBK.txt"),
        ("\ufeff第一条　甲。".encode(), "BOM.TXT"),
        ("第一条　甲。".encode("utf-16"), "Unicode.txt"),
        ("第一条　甲。".encode(), "plain.txt"),
    ],
)
def test_text_files_in_the_usual_encodings_are_read(encoded, name):
    assert parse_text(read_law_file(encoded, name, LIMITS)).articles[0].text == "甲。"


def test_a_txt_without_articles_reads_but_does_not_parse():
    text = read_law_file("会议通知\n明天开会。".encode(), "通知.txt", LIMITS)
    with pytest.raises(LawParseError):
        parse_text(text)


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 200, "坏.docx", "已损坏"),
        (_zip({"a.txt": b"x"}), "非.docx", "不是有效的 .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧.docx", "旧版 .doc"),
        (b"%PDF-1.4", "法规.pdf", "只能上传 .txt 或 .docx"),
        (b"", "空.txt", "文件是空的"),
        ("第一条　甲。".encode() * 30_000, "大.txt", "文件过大"),
        (b"\x80\xff" * 5, "乱码.txt", "无法识别文件的文字编码"),
        (
            _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<not-word/>"}),
            "假.docx",
            "无法读取",
        ),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_chinese_reason(content, name, message):
    with pytest.raises(LawFileError, match=message):
        read_law_file(content, name, LIMITS)


def test_a_zip_bomb_is_refused_before_it_is_parsed():
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"0" * (3 * 1024 * 1024)})
    with pytest.raises(LawFileError, match="解压后过大"):
        read_law_file(bomb, "炸弹.docx", LIMITS)
    roomy = Limits(200_000, 50_000_000, 50, 100, 60)
    with pytest.raises(LawFileError, match="压缩比异常"):
        read_law_file(bomb, "炸弹.docx", roomy)
