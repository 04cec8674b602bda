"""A .docx laid out as a 公文 (GB/T 9704-2012): A4, the standard margins, 22 lines of 28
characters, 仿宋_GB2312 3号 body, 方正小标宋简体 2号 title, 黑体 / 楷体_GB2312 headings,
"— 1 —" page numbers right on odd pages and left on even ones.

python-docx names only the Latin font; Chinese text takes the East Asian one
(``w:eastAsia``), and the default template's theme fonts would override both, so they
are removed and every style and run names its East Asian font explicitly.
"""

import io
import re
from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..core.archive import rezip

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
NOTICE_COLOUR = RGBColor(0xC0, 0x00, 0x00)

BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
# 22 lines in the 225 mm text height: 28.99 pt a line; a hair less so 22 always fit.
LINE_PITCH = Pt(28.95)
# 28 characters in the 156 mm text width: 15.79 pt a character, so 16 pt type is
# tightened by 0.25 pt (the unit of w:spacing is a twentieth of a point).
CHAR_SPACING_TWIPS = -5

HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")
# XML 1.0 forbids these; a name pasted from elsewhere must not break the file.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text: str) -> str:
    return CONTROL.sub("", (text or "").replace("\t", " "))


@dataclass(frozen=True)
class Wording:
    """What a 公文 says: its title and paragraphs."""

    title: str
    paragraphs: list[str]
    # A warning printed above the title, in red (a draft whose numbers the records no
    # longer bear out); not part of the 公文 itself.
    notice: str = ""


def build(wording: Wording, *, stamp: datetime | None = None) -> bytes:
    """The .docx; with ``stamp`` the same bytes for the same wording (dated ``stamp``
    in its properties and its zip members)."""
    document = Document()
    _page(document)
    _styles(document)
    if wording.notice:
        _notice(document, clean(wording.notice))
    _title(document, wording.title)
    for text in wording.paragraphs:
        _paragraph(document, clean(text))
    _page_numbers(document)
    return save(document, stamp)


def save(document, stamp: datetime | None = None) -> bytes:
    if stamp is not None:
        props = document.core_properties
        props.created = props.modified = stamp
        props.author = props.last_modified_by = ""
        props.revision = 1
    out = io.BytesIO()
    document.save(out)
    return out.getvalue() if stamp is None else rezip(out.getvalue(), stamp)


def plain_text(wording: Wording) -> str:
    """The same text for pasting into an existing document."""
    lines = [clean(wording.title), "", *(clean(p) for p in wording.paragraphs)]
    if wording.notice:
        lines[:0] = [clean(wording.notice), ""]
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- layout


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # The page number sits 7 mm below the text area.
    section.footer_distance = Mm(35 - 7 - 6)
    document.settings.odd_and_even_pages_header_footer = True


def set_fonts(rpr_parent, name: str) -> None:
    """Name ``name`` for every script and drop theme fonts, which would win otherwise."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in THEME_ATTRS:
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def _drop_theme_fonts(styles) -> None:
    """The template's styles name theme fonts, which win over explicit names."""
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in THEME_ATTRS:
            fonts.attrib.pop(qn(f"w:{attr}"), None)


def _styles(document) -> None:
    _drop_theme_fonts(document.styles.element)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if rpr_default is not None:
        rpr = rpr_default.find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if fonts is not None:
            rpr.remove(fonts)
        lang = rpr.find(qn("w:lang")) if rpr is not None else None
        if lang is not None:
            lang.set(qn("w:val"), "zh-CN")
            lang.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element, BODY_FONT)
    rpr = normal.element.get_or_add_rPr()
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_SPACING_TWIPS))
    # Word rejects rPr children out of schema order: w:spacing comes before w:sz.
    rpr.insert_element_before(spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False


def _run(paragraph, text: str, font: str, size=BODY_SIZE):
    run = paragraph.add_run(text)
    run.font.size = size
    set_fonts(run._r, font)
    return run


def _notice(document, text: str) -> None:
    run = _run(document.add_paragraph(), text, HEADING1_FONT)
    run.bold = True
    run.font.color.rgb = NOTICE_COLOUR


def _title(document, title: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(36)
    _run(paragraph, clean(title), TITLE_FONT, TITLE_SIZE)
    document.add_paragraph()  # one blank line between the title and the body


def _paragraph(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    if HEADING1.match(text):
        _run(paragraph, text, HEADING1_FONT)
    elif HEADING2.match(text):
        # "（一）强化干部教育，加强法治力量建设。持续完善……": the heading sentence in 楷体.
        head, dot, rest = text.partition("。")
        if rest:
            _run(paragraph, head + dot, HEADING2_FONT)
            _run(paragraph, rest, BODY_FONT)
        else:
            _run(paragraph, text, HEADING2_FONT)
    else:
        _run(paragraph, text, BODY_FONT)


# ---------------------------------------------------------------- page numbers


def _field(paragraph, instruction: str) -> None:
    def char(kind: str):
        run = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    _run(paragraph, "1", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    char("end")


def _page_number(footer, alignment) -> None:
    paragraph = footer.paragraphs[0]
    paragraph.alignment = alignment
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    # 单页码居右空一字，双页码居左空一字.
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE
    _run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _field(paragraph, "PAGE")
    _run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _page_numbers(document) -> None:
    section = document.sections[0]
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
