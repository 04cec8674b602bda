"""Reading an uploaded result sheet (the 考试信息 and 成绩 sheets) through the safe reader
in core/spreadsheets, and writing its template (with a 填写说明 sheet).

Nothing here touches the database."""

import io

import xlsxwriter

from ..core.spreadsheets import ImportRejected, Limits, RawRow, SheetSpec, megabytes, read_rows

INFO_SHEET = "考试信息"
RESULTS_SHEET = "成绩"
HELP_SHEET = "填写说明"
INFO_HEADERS = ("考试名称", "年度", "组织单位", "合格分数")
HEADERS = ("手机号", "姓名", "成绩", "是否通过", "考试日期")
# Columns a sheet may leave out (files made from the first template have none).
OPTIONAL = ("学时",)
COLUMNS = HEADERS + OPTIONAL
PASSED_WORDS = ("通过", "未通过")

INFO_NOTES = (
    ("考试名称", "必填", "外部考试的名称，不超过100个字。", "2025年度全市国家工作人员学法考试"),
    ("年度", "必填", "考试所属年度，4位数字；成绩计入该年度的统计。", "2025"),
    ("组织单位", "选填", "组织考试的单位或平台，不超过100个字。", "重庆市国家工作人员学法考试"),
    ("合格分数", "选填", "有合格分数时填写；填写后可只填成绩，系统按合格分数判定是否通过。", "60"),
)
RESULT_NOTES = (
    (
        "手机号",
        "必填",
        "11位手机号（本列为文本格式），须为您管理范围内已登记的人员。",
        "13800000000",
    ),
    ("姓名", "选填", "填写时须与系统中该手机号人员的姓名一致，用于核对。", "张三"),
    ("成绩", "选填", "0～1000的数字，最多两位小数。成绩与是否通过至少填一项。", "86"),
    ("是否通过", "选填", "填“通过”或“未通过”；未填合格分数时必填。", "通过"),
    ("考试日期", "选填", "如 2025-06-15；须在考试所属年度内。", "2025-06-15"),
    ("学时", "选填", "外部平台计给该人的学时，0～99.9，最多一位小数；计入年度学时。", "2"),
)


def read_info(content: bytes, limits: Limits) -> RawRow:
    rows = read_rows(content, limits, SheetSpec(name=INFO_SHEET, headers=INFO_HEADERS))
    if len(rows) != 1:
        raise ImportRejected(f"「{INFO_SHEET}」工作表应在第2行填写一场考试的信息（只填一行）")
    return rows[0]


def read_results(content: bytes, limits: Limits) -> list[RawRow]:
    rows = read_rows(
        content,
        limits,
        SheetSpec(name=RESULTS_SHEET, headers=HEADERS, unit="人", optional=OPTIONAL),
    )
    if not rows:
        raise ImportRejected(f"「{RESULTS_SHEET}」工作表中没有成绩数据")
    return rows


def build_template(limits: Limits) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1})
    text = book.add_format({"num_format": "@"})
    info = book.add_worksheet(INFO_SHEET)
    for col, width in enumerate((36, 8, 30, 10)):
        info.set_column(col, col, width, text)
    info.write_row(0, 0, INFO_HEADERS, header)
    results = book.add_worksheet(RESULTS_SHEET)
    for col, width in enumerate((16, 12, 8, 10, 14, 8)):
        results.set_column(col, col, width, text)
    results.write_row(0, 0, COLUMNS, header)
    results.freeze_panes(1, 0)
    column = HEADERS.index("是否通过")
    results.data_validation(
        1,
        column,
        limits.max_rows,
        column,
        {"validate": "list", "source": list(PASSED_WORDS), "error_message": "请填写通过或未通过"},
    )
    _help(book, header, limits)
    info.activate()
    book.close()
    return out.getvalue()


def _help(book, bold, limits: Limits) -> None:
    sheet = book.add_worksheet(HELP_SHEET)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    plain = book.add_format()
    for col, width in enumerate((12, 10, 60, 30)):
        sheet.set_column(col, col, width, wrap)
    row = 0
    for title, notes in ((INFO_SHEET, INFO_NOTES), (RESULTS_SHEET, RESULT_NOTES)):
        sheet.write(row, 0, f"「{title}」工作表", bold)
        sheet.write_row(row + 1, 0, ("列名", "是否必填", "填写要求", "示例"), bold)
        for offset, note in enumerate(notes, start=2):
            sheet.write_row(row + offset, 0, note)
        row += len(notes) + 3
    sheet.write(row, 0, "注意事项", bold)
    for offset, note in enumerate(general_notes(limits), start=1):
        sheet.write(row + offset, 0, f"{offset}. {note}", plain)


def general_notes(limits: Limits) -> list[str]:
    return [
        f"「{INFO_SHEET}」工作表只填第2行：一个文件导入一场外部考试的成绩。",
        f"「{RESULTS_SHEET}」工作表每行填写一人，从第2行开始；空行会被跳过；同一手机号只能出现一次。",
        "请勿修改表头和工作表名称；单元格中不能使用公式。",
        f"一次最多导入{limits.max_rows}人，文件不超过{megabytes(limits.max_bytes)}。",
        "按手机号匹配您管理范围内的人员；上传后先预览，只要有一行有错误，全部不导入。",
        "导入的成绩在统计中单独列出（来源：导入），只统计参考人数、通过人数和通过率，"
        "不计入本平台考试的参考率。",
    ]
