"""The fast row writer (core/xlsx_rows.py) writes the bytes XlsxWriter itself writes
for the same cells, so a download is the same file whichever path wrote it."""

import io
import re
import zipfile
from decimal import Decimal

import openpyxl

from yongxi_learn.core import xlsx_rows
from yongxi_learn.core.spreadsheets import Sheet, xlsx_bytes

ROWS = [
    ["张三", "13800000000", 3, Decimal("87.50"), True, None, "=1+1"],
    [" 前后有空格 ", "+1", 0, 2.5, False, "", "@SUM(A1)"],
    ['a & b <c> "d"', "_x0041_ stays text", -1, Decimal("100"), "—", "\t=1+1", "\r=1+1"],
    ["换行\n第二行", "控制\x07字符", 1e20, Decimal("0.975"), "雍溪镇", None, "甲\x1b"],
    [None, None, None, None, None, None, None],  # a blank row is not written at all
    ["长" * 40000, "", 7, None, None, None, "end"],  # longer than a cell holds
]


def _book(monkeypatch, fast: bool) -> bytes:
    if not fast:
        monkeypatch.setattr(xlsx_rows, "supported", lambda sheet: False)
    sheet = Sheet(
        "数据",
        ["姓名", "手机号", "次数", "分数", "是否", "备注", "其他"],
        [list(row) for row in ROWS],
        text_columns=frozenset({1}),
        percent_columns=frozenset({3}),
        title=["标题", "口径"],
    )
    data = xlsx_bytes([sheet])
    monkeypatch.undo()
    return data


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # docProps/core.xml holds the time the file was made.
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def test_fast_rows_are_the_bytes_xlsxwriter_writes(monkeypatch):
    assert _parts(_book(monkeypatch, fast=True)) == _parts(_book(monkeypatch, fast=False))


def test_fast_rows_read_back_as_typed_and_never_as_formulas(monkeypatch):
    data = _book(monkeypatch, fast=True)
    assert "<f>" not in _parts(data)["xl/worksheets/sheet1.xml"].decode()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["数据"]
    first = [c.value for c in sheet[4]]
    assert first == ["张三", "13800000000", 3, 87.5, "是", None, "=1+1"]
    assert sheet["G4"].data_type == "s" and sheet["B4"].data_type == "s"
    assert sheet["A5"].value == " 前后有空格 " and sheet["C6"].value == -1
    assert sheet["A6"].value == 'a & b <c> "d"'
    # Excel reads _x005F_ back as "_"; openpyxl leaves XlsxWriter's escape as it is.
    assert sheet["B6"].value == "_x005F_x0041_ stays text"
    assert sheet["B7"].value == "控制字符" and sheet["G7"].value == "甲"
    assert all(c.value is None for c in sheet[8])
    assert [c.value for c in sheet[9]] == ["长" * 32767, None, 7, None, None, None, "end"]
    assert sheet.max_row == 9


def test_fast_rows_are_used_for_a_constant_memory_sheet():
    data = xlsx_bytes([Sheet("数据", ["值"], [["x"]])])
    xml = _parts(data)["xl/worksheets/sheet1.xml"].decode()
    assert re.search(r'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>', xml)
