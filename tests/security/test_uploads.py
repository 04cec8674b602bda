"""Hostile uploads to every import (people XLSX, question XLSX, law .txt/.docx): each is
refused with a Chinese message before anything is staged, and no temporary file is
left behind. Over-size requests are cut at 413 before the body is read."""

import io
import os
import tempfile
import zipfile

import openpyxl
import pytest

from tests.conftest import count_rows
from tests.laws.law_fixtures import LAW_TEXT, docx_bytes
from tests.security.uploads import LAW_FORM, post_multipart
from yongxi_learn.core.pending_import import PendingImport

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">' for i in range(9))
    + "]>"
)
MESSAGES = (
    "文件过大",
    "解压后过大",
    "部件过多",
    "压缩比异常",
    "已加密",
    "无法读取",
    "已损坏或不完整",
    "只能上传",
    "不是有效的",
    "没有找到任何条文",
)


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "手机号"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(content: bytes, replace: dict[str, bytes] | None = None, extra: int = 0) -> bytes:
    """``content`` re-zipped with some parts replaced and ``extra`` tiny parts added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info)))
        for n in range(extra):
            dst.writestr(f"xl/media/x{n}.xml", b"<x/>")
    return out.getvalue()


def _laughs(content: bytes, part: str) -> bytes:
    body = LAUGHS + "<lolz>&lol8;</lolz>"
    return _rezip(content, {part: body.encode()})


def _bomb(content: bytes) -> bytes:
    """A 40 MB part of zeros: about 40 KB compressed."""
    return _rezip(content, {"[Content_Types].xml": b"\0" * (40 * 1024 * 1024)})


def attacks(valid: bytes, main_part: str, ext: str) -> list[tuple[str, bytes, str]]:
    return [
        ("bomb", _bomb(valid), f"a.{ext}"),
        ("many-entries", _rezip(valid, extra=2000), f"a.{ext}"),
        ("entities", _laughs(valid, main_part), f"a.{ext}"),
        ("macro", valid, "a.xlsm" if ext == "xlsx" else "a.docm"),
        ("encrypted", OLE2 + os.urandom(4096), f"a.{ext}"),
        ("truncated", valid[: len(valid) // 2], f"a.{ext}"),
    ]


TARGETS = {
    "people": ("/admin/people/import/", {}, _xlsx, "xl/workbook.xml", "xlsx"),
    "questions": ("/admin/questions/import", {}, _xlsx, "xl/workbook.xml", "xlsx"),
    "external": ("/external/", {}, _xlsx, "xl/workbook.xml", "xlsx"),
    "law": (
        "/laws/import",
        LAW_FORM,
        lambda: docx_bytes(LAW_TEXT.splitlines()),
        "word/document.xml",
        "docx",
    ),
}


def _temp_files() -> set[str]:
    return set(os.listdir(tempfile.gettempdir()))


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


@pytest.fixture
def own_tempdir(tmp_path, monkeypatch):
    """A temporary directory of this test's own: other processes (the suite on the
    other database runs alongside) create files in the shared one."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    return private


@pytest.mark.parametrize("target", TARGETS)
def test_hostile_files_are_refused_with_a_message(as_admin, tree, target, own_tempdir):
    url, fields, make, part, ext = TARGETS[target]
    before = _temp_files()
    for name, content, filename in attacks(make(), part, ext):
        data = {**fields, "owner_unit_id": tree["town"].id}
        data["file"] = (io.BytesIO(content), filename)
        response = post_multipart(as_admin, url, data)
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 400), (name, response.status_code)
        assert any(m in page for m in MESSAGES), (target, name)
        assert count_rows(PendingImport) == 0, (target, name)
    assert _temp_files() <= before


@pytest.mark.parametrize("target", TARGETS)
def test_an_oversize_request_is_cut_at_413(as_admin, app, tree, target):
    url, fields, _, _, ext = TARGETS[target]
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    data = {**fields, "file": (io.BytesIO(b"\0" * size), f"a.{ext}")}
    response = post_multipart(as_admin, url, data)
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)
    assert count_rows(PendingImport) == 0


def test_a_law_text_file_over_the_import_limit_is_refused(as_admin, app, tree):
    size = app.config["IMPORT_MAX_BYTES"] + 1
    data = {**LAW_FORM, "file": (io.BytesIO(b"a" * size), "a.txt")}
    response = post_multipart(as_admin, "/laws/import", data)
    assert "文件过大" in response.get_data(as_text=True)
    assert count_rows(PendingImport) == 0
