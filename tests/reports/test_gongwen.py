"""The 公文 .docx read back with python-docx: layout, fonts, spacing, page numbers."""

import io

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from yongxi_learn.reports import gongwen

WORDING = gongwen.Wording(
    title="雍溪镇2024年法治政府建设情况报告（干部学法部分）",
    paragraphs=[
        "一、推进法治政府建设的主要举措及成效",
        "（一）深入学习习近平法治思想，强化理论武装",
        "一是领导班子带头学。2024年以来，组织开展法治专题学习8次。",
        "（一）强化干部教育，加强法治力量建设。持续完善领导干部学法制度。",
    ],
)


@pytest.fixture(scope="module")
def document():
    return docx.Document(io.BytesIO(gongwen.build(WORDING)))


def _east_asian(run) -> str:
    return run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_a4_with_the_standard_margins(document):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]


def test_title_body_and_headings_name_their_east_asian_fonts_and_sizes(document):
    title, _, heading1, heading2, body, mixed = document.paragraphs
    assert (_east_asian(title.runs[0]), title.runs[0].font.size) == ("方正小标宋简体", Pt(22))
    assert _east_asian(heading1.runs[0]) == "黑体"
    assert _east_asian(heading2.runs[0]) == "楷体_GB2312"
    assert (_east_asian(body.runs[0]), body.runs[0].font.size) == ("仿宋_GB2312", Pt(16))
    assert [(_east_asian(r), r.text) for r in mixed.runs] == [
        ("楷体_GB2312", "（一）强化干部教育，加强法治力量建设。"),
        ("仿宋_GB2312", "持续完善领导干部学法制度。"),
    ]
    assert body.paragraph_format.first_line_indent == Pt(32)


def test_no_theme_fonts_are_left_to_override_the_names(document):
    xml = document.styles.element.xml + document.element.xml
    assert "asciiTheme" not in xml and "eastAsiaTheme" not in xml
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_exact_line_spacing_gives_22_lines_and_28_characters(document):
    fmt = document.styles["Normal"].paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    text_height = document.sections[0].page_height - Pt(0) - document.sections[0].top_margin
    text_height -= document.sections[0].bottom_margin
    assert int(text_height / fmt.line_spacing) == 22
    spacing = document.styles["Normal"].element.rPr.find(qn("w:spacing"))
    per_char = 16 + int(spacing.get(qn("w:val"))) / 20
    section = document.sections[0]
    width = Length(section.page_width - section.left_margin - section.right_margin)
    assert int(width.pt / per_char) == 28


def test_page_numbers_in_both_footers_odd_right_even_left(document):
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((section.footer, 2), (section.even_page_footer, 0)):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert paragraph.text == "— 1 —"
        assert paragraph.alignment == alignment
        assert paragraph.runs[0].font.size == Pt(14)


def test_the_text_equals_the_plain_text_export(document):
    paragraphs = [p.text for p in document.paragraphs]
    assert "\n".join(paragraphs) + "\n" == gongwen.plain_text(WORDING)


def test_control_characters_never_break_the_file():
    wording = gongwen.Wording("标题\x00", ["姓名\x07张三\x1b，\ufffe正文\t结束"])
    document = docx.Document(io.BytesIO(gongwen.build(wording)))
    assert document.paragraphs[-1].text == "姓名张三，正文 结束"
