"""Uploads within the size limits that would still exhaust a worker: a small, well
compressed file of a million empty paragraphs, or of a header row a million cells wide.
What the XML holds is counted before a parser builds it, so such a file is refused in
about 2 s with a Chinese message (the first took 60 s and the second 884 MB before)."""

import io
import random
import re
import time
import zipfile
from dataclasses import replace

import docx
import openpyxl
import pytest
import xlsxwriter
from docx.enum.text import WD_BREAK

from tests.conftest import count_rows
from tests.laws.law_fixtures import docx_bytes, real_text
from tests.security.uploads import LAW_FORM, post_multipart
from yongxi_learn.core.pending_import import PendingImport
from yongxi_learn.core.spreadsheets import ImportRejected, Limits, read_rows
from yongxi_learn.laws.files import read_law_file
from yongxi_learn.laws.models import Law
from yongxi_learn.org.import_file import SPEC

SECONDS = 2.0


def _rezip(content: bytes, part: str, body: str) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == part else src.read(info))
    return out.getvalue()


def _noise(rnd: random.Random, i: int, plain: str, varied: str) -> str:
    # Some random attributes keep the compression ratio under the zip-bomb check,
    # as an attacker's file would.
    return varied.format(rnd.getrandbits(32)) if i % 40 == 0 else plain


def empty_paragraphs_docx(n: int) -> bytes:
    valid = docx_bytes(["第一条　测试。"])
    with zipfile.ZipFile(io.BytesIO(valid)) as archive:
        head, tail = archive.read("word/document.xml").decode().split("<w:body>")
    rnd = random.Random(22)
    paragraphs = "".join(_noise(rnd, i, "<w:p/>", '<w:p w:rsidR="{:08X}"/>') for i in range(n))
    return _rezip(valid, "word/document.xml", f"{head}<w:body>{paragraphs}{tail}")


def wide_header_xlsx(n: int) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "人员"
    book.active.append(["姓名"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    rnd = random.Random(22)
    cells = "".join(_noise(rnd, i, "<c><v>1</v></c>", "<c><v>{}</v></c>") for i in range(n))
    sheet = re.sub(r"<dimension[^>]*/>", "", sheet)
    sheet = re.sub(
        r"<sheetData>.*</sheetData>",
        f'<sheetData><row r="1">{cells}</row></sheetData>',
        sheet,
        flags=re.S,
    )
    return _rezip(out.getvalue(), "xl/worksheets/sheet1.xml", sheet)


@pytest.fixture(scope="module")
def paragraphs_docx():
    return empty_paragraphs_docx(1_000_000)


@pytest.fixture(scope="module")
def header_xlsx():
    return wide_header_xlsx(300_000)


def _timed_post(client, url, data):
    started = time.perf_counter()
    response = post_multipart(client, url, data)
    return response, time.perf_counter() - started


def test_a_docx_of_a_million_empty_paragraphs_is_refused_quickly(
    client, login, admin, tree, app, paragraphs_docx
):
    assert len(paragraphs_docx) < app.config["IMPORT_MAX_BYTES"]
    login(admin)
    data = {**LAW_FORM, "owner_unit_id": tree["town"].id}
    data["file"] = (io.BytesIO(paragraphs_docx), "民法典.docx")
    response, seconds = _timed_post(client, "/laws/import", data)
    assert response.status_code in (200, 400)
    assert "文件的段落过多" in response.get_data(as_text=True)
    assert seconds < SECONDS
    assert count_rows(Law) == 0


def test_a_people_xlsx_with_a_huge_header_row_is_refused_quickly(
    client, login, unit_admin, app, header_xlsx
):
    assert len(header_xlsx) < app.config["IMPORT_MAX_BYTES"]
    login(unit_admin)
    data = {"file": (io.BytesIO(header_xlsx), "人员.xlsx")}
    response, seconds = _timed_post(client, "/admin/people/import/", data)
    assert response.status_code in (200, 400)
    assert "列，请删除多余的列" in response.get_data(as_text=True)
    assert seconds < SECONDS
    assert count_rows(PendingImport) == 0


def test_too_many_shared_strings_are_refused_before_openpyxl_reads_them(app):
    out = io.BytesIO()
    with xlsxwriter.Workbook(out) as book:  # Excel's way: every text in the shared table
        sheet = book.add_worksheet("人员")
        for n in range(11):
            sheet.write_string(n, 0, f"姓名{n}")
    with pytest.raises(ImportRejected, match="文字条目过多"):
        read_rows(out.getvalue(), _limits(app, max_shared_strings=10), SPEC)


def _limits(app, **changes):
    return replace(Limits.from_config(app.config), **changes)


def test_the_largest_law_in_a_docx_is_still_read_whole(app):
    # 民法典, the longest law, has about 4,500 lines and 110,000 characters.
    lines = (real_text().lstrip("\ufeff").splitlines() * 20)[:4600]
    text = read_law_file(docx_bytes(lines), "民法典.docx", _limits(app))
    assert text == "\n".join(lines)


def test_a_docx_reads_as_python_docx_prints_its_paragraphs(app):
    document = docx.Document()
    document.add_paragraph("第一条\t为了规范\n示例管理")
    paragraph = document.add_paragraph("第二条　")
    paragraph.add_run("本法").bold = True
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    document.add_table(rows=1, cols=1).cell(0, 0).text = "表格中的字"
    out = io.BytesIO()
    document.save(out)
    expected = "\n".join(p.text for p in docx.Document(io.BytesIO(out.getvalue())).paragraphs)
    assert read_law_file(out.getvalue(), "a.docx", _limits(app)) == expected
