"""A session's 签到表 to print and sign: A4, the session's particulars, a table of
everyone expected or signed in (when and how: 扫码, 签到码, or 补录 with its reason and
who marked it), the counts, and lines for the organiser's signature and seal."""

from collections import Counter
from datetime import datetime

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..core.time import format_local
from ..reports.gongwen import clean, save, set_fonts
from ..training.models import AttendanceMethod, TrainingSession
from . import records

TITLE_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
# 序号, 单位, 姓名, 人员类别, 签到时间, 签到方式, 备注: 180 mm, the A4 width less margins.
COLUMNS = [
    ("序号", 11),
    ("单位", 32),
    ("姓名", 22),
    ("人员类别", 24),
    ("签到时间", 30),
    ("签到方式", 22),
    ("备注", 39),
]


def _run(paragraph, text: str, font: str, size: float, bold: bool = False):
    run = paragraph.add_run(clean(text))
    run.font.size = Pt(size)
    run.bold = bold
    set_fonts(run._r, font)
    return run


def _line(document, text: str, size: float = 12, font: str = BODY_FONT, align=None):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(2)
    if align is not None:
        paragraph.alignment = align
    _run(paragraph, text, font, size)
    return paragraph


def _cell(cell, text: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    _run(paragraph, text, TABLE_FONT, 10.5, bold)


def _repeat_header(row) -> None:
    """The header row printed again at the top of every page."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def method_of(sign_in: records.SignIn) -> str:
    a = sign_in.attendance
    if a is None:
        return ""
    return {AttendanceMethod.QR: "扫码", AttendanceMethod.CODE: "签到码"}.get(a.method, "补录")


def counts(rows: list[records.SignIn]) -> str:
    signed = [r for r in rows if r.attendance is not None]
    by = Counter(method_of(r) for r in signed)
    expected = sum(1 for r in rows if r.attendance is None or not r.attendance.walk_in)
    return (
        f"应参加{expected}人，签到{len(signed)}人（扫码{by['扫码']}人，签到码{by['签到码']}人，"
        f"补录{by['补录']}人），未签到{len(rows) - len(signed)}人。"
    )


def build(session: TrainingSession, stamp: datetime) -> bytes:
    rows = records.sign_ins(session)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(18)
    section.left_margin = section.right_margin = Mm(15)
    _line(document, "集中学习签到表", 18, TITLE_FONT, WD_ALIGN_PARAGRAPH.CENTER)
    lecturer = session.lecturer + ("（外请专家）" if session.lecturer_external else "")
    for text in (
        f"主题：{session.topic}",
        f"类型：{session.kind.name}　　组织单位：{session.owner_unit.name}",
        f"时间：{format_local(session.starts_at)}至{format_local(session.ends_at, '%H:%M')}"
        f"　　地点：{session.place or '—'}",
        f"主讲人：{lecturer or '—'}　　学时：{session.hours.normalize():f}",
        counts(rows),
    ):
        _line(document, text)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, (title, width) in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.width = Mm(width)
        _cell(cell, title, bold=True)
    _repeat_header(table.rows[0])
    for number, row in enumerate(rows, start=1):
        a = row.attendance
        values = [
            str(number),
            row.unit.name,
            row.person.name,
            row.person.category.label,
            format_local(a.signed_at) if a else "未签到",
            method_of(row),
            row.note,
        ]
        cells = table.add_row().cells
        for cell, value, (_title, width) in zip(cells, values, COLUMNS, strict=True):
            cell.width = Mm(width)
            _cell(cell, value)
    document.add_paragraph()
    _line(document, "经办人（签字）：＿＿＿＿＿＿　　负责人（签字）：＿＿＿＿＿＿　　（盖章）")
    _line(document, "日期：＿＿＿＿年＿＿月＿＿日")
    _line(
        document,
        "说明：本表由平台按签到记录生成。扫码=扫描现场二维码签到；签到码=输入现场6位签到码；"
        "补录=管理员代为签到，备注中写明原因和补录人；已撤销的签到不列入。",
        10.5,
    )
    return save(document, stamp)


def file_name(number: int, session: TrainingSession) -> str:
    return f"{number:02d}-{format_local(session.starts_at, '%Y%m%d')}-{session.topic[:30]}.docx"
