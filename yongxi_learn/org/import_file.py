"""Reading an uploaded people spreadsheet: the 人员 sheet, through the safe reader in
core/spreadsheets (container checked against the limits before parsing).

Nothing here touches the database; every refusal is an ``ImportRejected`` whose
message is shown to the admin as it is.
"""

from ..core.spreadsheets import (
    OLE2_SIGNATURE,
    ImportRejected,
    Limits,
    RawRow,
    SheetSpec,
    cell_text,
    check_container,
    megabytes,
    read_rows,
)

__all__ = [
    "HEADERS",
    "HELP_SHEET",
    "OLE2_SIGNATURE",
    "SHEET",
    "ImportRejected",
    "Limits",
    "RawRow",
    "cell_text",
    "check_container",
    "megabytes",
    "read_people",
]

SHEET = "人员"
HELP_SHEET = "填写说明"
HEADERS = ("姓名", "手机号", "单位", "人员类别", "职务")
SPEC = SheetSpec(name=SHEET, headers=HEADERS, unit="人")


def read_people(content: bytes, limits: Limits) -> list[RawRow]:
    rows = read_rows(content, limits, SPEC)
    if not rows:
        raise ImportRejected(f"「{SHEET}」工作表中没有人员数据")
    return rows
