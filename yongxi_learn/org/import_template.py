"""The people import template: the 人员 sheet to fill in and the 填写说明 sheet."""

import io

import xlsxwriter

from .import_file import HEADERS, HELP_SHEET, SHEET, Limits, megabytes
from .models import CATEGORY_LABELS

# Column widths in Excel units; a CJK character takes about two.
WIDTHS = (12, 16, 30, 20, 20)
EXAMPLE_UNIT = "雍溪镇/石佛村"

COLUMN_NOTES = (
    ("姓名", "必填", "本人姓名，不超过50个字；生僻字可直接输入。", "张三"),
    (
        "手机号",
        "必填",
        "11位中国大陆手机号，作为登录账号（本列已设为文本格式）。"
        "系统中已有该手机号的人员时，按本行更新其姓名、单位、人员类别和职务。",
        "13800000000",
    ),
    (
        "单位",
        "必填",
        "单位树中显示的单位名称；有同名单位时填写完整路径，用“/”分隔。",
        f"石佛村 或 {EXAMPLE_UNIT}",
    ),
    ("人员类别", "必填", "从下拉列表中选择：" + "、".join(CATEGORY_LABELS.values()), "机关干部"),
    ("职务", "选填", "不超过50个字。", "村委会主任"),
)


def build_template(unit_paths: list[str], limits: Limits) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    _people_sheet(workbook, limits)
    _help_sheet(workbook, unit_paths, limits)
    workbook.close()
    return out.getvalue()


def _people_sheet(workbook, limits: Limits) -> None:
    sheet = workbook.add_worksheet(SHEET)
    header = workbook.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1})
    # Text format keeps phones from turning into 1.38E+10 and names into dates.
    text = workbook.add_format({"num_format": "@"})
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width, text)
    sheet.write_row(0, 0, HEADERS, header)
    sheet.freeze_panes(1, 0)
    sheet.data_validation(
        1,
        HEADERS.index("人员类别"),
        limits.max_rows,
        HEADERS.index("人员类别"),
        {
            "validate": "list",
            "source": list(CATEGORY_LABELS.values()),
            "error_title": "人员类别",
            "error_message": "请从下拉列表中选择人员类别",
        },
    )
    sheet.activate()


def _help_sheet(workbook, unit_paths: list[str], limits: Limits) -> None:
    sheet = workbook.add_worksheet(HELP_SHEET)
    bold = workbook.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    # Notes and unit paths run on across the empty cells to their right.
    plain = workbook.add_format()
    sheet.set_column(0, 0, 12, wrap)
    sheet.set_column(1, 1, 10, wrap)
    sheet.set_column(2, 2, 60, wrap)
    sheet.set_column(3, 3, 24, wrap)
    sheet.write_row(0, 0, ("列名", "是否必填", "填写要求", "示例"), bold)
    for row, note in enumerate(COLUMN_NOTES, start=1):
        sheet.write_row(row, 0, note)
    row = len(COLUMN_NOTES) + 2
    sheet.write(row, 0, "注意事项", bold)
    for offset, text in enumerate(_general_notes(limits), start=1):
        sheet.write(row + offset, 0, f"{offset}. {text}", plain)
    row += len(_general_notes(limits)) + 2
    sheet.write(row, 0, "可导入的单位", bold)
    for offset, path in enumerate(unit_paths, start=1):
        sheet.write(row + offset, 0, path, plain)


def _general_notes(limits: Limits) -> list[str]:
    return [
        f"在「{SHEET}」工作表中每行填写一人，从第2行开始；空行会被跳过。",
        f"请勿修改第1行表头和工作表名称「{SHEET}」；单元格中不能使用公式。",
        f"一次最多导入{limits.max_rows}人，文件不超过{megabytes(limits.max_bytes)}。",
        "上传后先预览；只要有一行有错误，全部不导入，请修改文件后重新上传。",
        "新增人员由系统生成初始密码，导入完成后只显示一次；本人首次登录时须修改密码。",
    ]
