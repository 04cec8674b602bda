"""core/spreadsheets: safe reading limits, and downloads that never run a formula."""

import csv
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

from yongxi_learn.core import spreadsheets
from yongxi_learn.core.spreadsheets import (
    ImportRejected,
    Limits,
    Sheet,
    SheetSpec,
    csv_bytes,
    display_width,
    read_rows,
    xlsx_bytes,
)

LIMITS = Limits(
    max_bytes=2 * 1024 * 1024,
    max_uncompressed=30 * 1024 * 1024,
    max_entries=200,
    max_rows=100,
    pending_minutes=60,
)
SPEC = SheetSpec(name="数据", headers=("名称", "手机号"), unit="条")
DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def workbook_bytes(rows, title="数据") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading


def test_reads_text_cells_and_skips_blank_rows():
    content = workbook_bytes([("名称", "手机号"), ("甲", 13800000000), (None, None), ("乙", "x")])
    rows = read_rows(content, LIMITS, SPEC)
    assert [(r.number, r.values) for r in rows] == [
        (2, {"名称": "甲", "手机号": "13800000000"}),
        (4, {"名称": "乙", "手机号": "x"}),
    ]


def test_formula_bool_and_date_cells_are_row_errors_not_values():
    from datetime import date

    content = workbook_bytes([("名称", "手机号"), ("=1+1", True), ("甲", date(2024, 1, 1))])
    first, second = read_rows(content, LIMITS, SPEC)
    assert [c for c, _ in first.errors] == ["名称", "手机号"]
    assert "公式" in first.errors[0][1]
    assert "日期" in second.errors[0][1]


def test_container_is_checked_before_parsing(monkeypatch):
    calls = []
    monkeypatch.setattr(spreadsheets, "load_workbook", lambda *a, **k: calls.append(1))
    with pytest.raises(ImportRejected, match="文件过大"):
        read_rows(b"PK\x03\x04" + bytes(LIMITS.max_bytes), LIMITS, SPEC)
    with pytest.raises(ImportRejected, match=r"旧版 \.xls"):
        read_rows(spreadsheets.OLE2_SIGNATURE + bytes(100), LIMITS, SPEC)
    assert calls == []


def test_missing_sheet_and_wrong_header_are_rejected():
    with pytest.raises(ImportRejected, match="没有名为「数据」的工作表"):
        read_rows(workbook_bytes([("名称", "手机号")], title="Sheet1"), LIMITS, SPEC)
    with pytest.raises(ImportRejected, match="表头应依次为：名称、手机号"):
        read_rows(workbook_bytes([("名称", "电话")]), LIMITS, SPEC)


def test_first_sheet_is_read_when_allowed():
    spec = SheetSpec(name="数据", headers=("名称", "手机号"), or_first=True)
    content = workbook_bytes([("名称", "手机号"), ("甲", "1")], title="Sheet1")
    assert len(read_rows(content, LIMITS, spec)) == 1


def test_row_limit_counts_in_the_callers_unit():
    rows = [("名称", "手机号"), *[(f"人{i}", "1") for i in range(101)]]
    with pytest.raises(ImportRejected, match="一次最多导入100条"):
        read_rows(workbook_bytes(rows), LIMITS, SPEC)


# ---------------------------------------------------------------- CSV


def test_csv_starts_with_a_bom_and_is_utf8():
    data = csv_bytes(["姓名"], [["张三"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["姓名", "张三"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_cell_that_looks_like_a_formula_is_made_inert(value):
    (cell,) = next(csv.reader(io.StringIO(csv_bytes(["x"], [[value]]).decode("utf-8-sig")[3:])))
    assert cell == "'" + value


def test_csv_numbers_and_plain_text_are_left_alone():
    from decimal import Decimal

    lines = csv_bytes(["a", "b", "c"], [[-1, Decimal("2.50"), "雍溪镇"]]).decode("utf-8-sig")
    assert lines.splitlines()[1] == "-1,2.5,雍溪镇"


def test_send_csv_is_a_download(app):
    with app.test_request_context():
        response = spreadsheets.send_csv("名单.csv", ["姓名"], [["张三"]])
        response.direct_passthrough = False
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.mimetype == "text/csv"
        assert response.get_data().startswith(b"\xef\xbb\xbf")


# ---------------------------------------------------------------- XLSX


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_strings_are_never_formulas():
    data = xlsx_bytes([Sheet("数据", ["值"], [[v] for v in DANGEROUS])])
    assert "<f>" not in _sheet_xml(data)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["数据"]
    values = [(c.value, c.data_type) for (c,) in sheet.iter_rows(min_row=2)]
    # openpyxl leaves XlsxWriter's escape of a carriage return as it is: "_x000D_".
    assert values[:5] == [(v, "s") for v in DANGEROUS[:5]]
    assert values[5] == ("_x000D_=1+1", "s")


def test_xlsx_is_written_in_constant_memory_mode(monkeypatch):
    seen = {}
    real = xlsxwriter.Workbook

    def spy(out, options):
        seen.update(options)
        return real(out, options)

    monkeypatch.setattr(spreadsheets.xlsxwriter, "Workbook", spy)
    data = xlsx_bytes([Sheet("数据", ["值"], ([f"第{i}行"] for i in range(500)))])
    assert seen["constant_memory"] is True and "in_memory" not in seen
    # constant_memory writes strings inline, row by row, instead of a shared table.
    assert 't="inlineStr"' in _sheet_xml(data)


def test_xlsx_freezes_header_fits_cjk_widths_and_keeps_phones_as_text():
    rows = [["雍溪镇石佛村村民委员会", "13800000000", 3]]
    data = xlsx_bytes([Sheet("人员", ["单位", "手机号", "次数"], rows, text_columns={1})])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["人员"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= display_width("雍溪镇石佛村村民委员会") == 22
    assert sheet["B2"].value == "13800000000" and sheet["B2"].data_type == "s"
    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet["C2"].value == 3


def test_display_width_counts_cjk_as_two():
    assert display_width("ab") == 2
    assert display_width("雍溪") == 4
    assert display_width("（１）") == 6


def test_xlsx_drop_down(app):
    sheet = Sheet("数据", ["题型"], [], choices={0: ["单选", "多选"]}, choice_rows=10)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    (validation,) = book["数据"].data_validations.dataValidation
    assert (str(validation.sqref), validation.formula1) == ("A2:A11", '"单选,多选"')


def test_send_xlsx_is_a_download(app):
    with app.test_request_context():
        response = spreadsheets.send_xlsx("题库.xlsx", Sheet("数据", ["值"], [["=1+1"]]))
        response.direct_passthrough = False
        assert response.mimetype == spreadsheets.XLSX_MIMETYPE
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        assert book["数据"]["A2"].value == "=1+1" and book["数据"]["A2"].data_type == "s"


# ---------------------------------------------------------------- downloads of figures


def test_xlsx_title_lines_sit_above_a_frozen_header_and_rates_are_percentages():
    sheet_spec = Sheet(
        "汇总",
        ["单位", "参考率"],
        [["石佛村", Decimal("0.714")], ["司法所", "—"]],
        title=["2024年度 雍溪镇", "口径：参考率=参考人数/应考人数"],
        percent_columns=frozenset({1}),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([sheet_spec])))["汇总"]
    assert [sheet["A1"].value, sheet["A2"].value] == [
        "2024年度 雍溪镇",
        "口径：参考率=参考人数/应考人数",
    ]
    assert [sheet["A3"].value, sheet["B3"].value] == ["单位", "参考率"]
    assert sheet.freeze_panes == "A4"
    assert sheet["B4"].value == pytest.approx(0.714) and sheet["B4"].number_format == "0.0%"
    assert sheet["B5"].value == "—" and sheet["B5"].data_type == "s"
    # The long title does not widen the first column.
    assert sheet.column_dimensions["A"].width < display_width("口径：参考率=参考人数/应考人数")


@pytest.mark.parametrize("name", ["张\x07三", "张\x00三", "张\x1b三", "张\ud800三", "张\x85三"])
def test_control_characters_and_broken_surrogates_are_dropped_from_exports(name):
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([Sheet("数据", ["姓名"], [[name]])])))
    assert book["数据"]["A2"].value == "张三"
    assert csv_bytes(["姓名"], [[name]]).decode("utf-8-sig").splitlines()[1] == "张三"


def test_a_control_character_cannot_hide_a_formula_in_csv():
    line = csv_bytes(["x"], [["\x01=1+1"]]).decode("utf-8-sig").splitlines()[1]
    assert line == "'=1+1"


def test_csv_is_produced_a_batch_at_a_time():
    consumed = []

    def rows():
        for i in range(3 * spreadsheets.CSV_BATCH):
            consumed.append(i)
            yield [f"第{i}行"]

    chunks = spreadsheets.csv_chunks(["行"], rows())
    assert next(chunks) == b"\xef\xbb\xbf"
    next(chunks)
    assert len(consumed) == spreadsheets.CSV_BATCH


def test_download_names_are_rfc5987_with_an_ascii_fallback():
    value = spreadsheets.content_disposition("2024年雍溪镇统计.xlsx")
    assert value == (
        'attachment; filename="download.xlsx"; '
        "filename*=UTF-8''2024%E5%B9%B4%E9%9B%8D%E6%BA%AA%E9%95%87%E7%BB%9F%E8%AE%A1.xlsx"
    )
    assert spreadsheets.content_disposition("figures.csv").startswith(
        'attachment; filename="figures.csv"; '
    )


def test_the_ascii_fallback_name_keeps_the_extension():
    def fallback(name):
        return spreadsheets.content_disposition(name).split(";")[1].strip()

    assert fallback("2025年报告（第1稿，数字待核）.docx") == 'filename="download.docx"'
    assert fallback("雍溪镇 名单.txt") == 'filename="download.txt"'
    assert fallback("名单") == 'filename="download"'  # no extension to keep


def test_downloads_are_never_cached(app):
    with app.test_request_context():
        for response in (
            spreadsheets.send_csv("名单.csv", ["姓名"], [["张三"]]),
            spreadsheets.send_xlsx("名单.xlsx", Sheet("数据", ["姓名"], [["张三"]])),
        ):
            assert response.headers["Cache-Control"] == "no-store"
            assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
            response.close()
