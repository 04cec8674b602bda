"""Opening a downloaded file as the person who downloads it would, and reading its rows.

Every kind of file the app offers is opened with what opens it in practice: a CSV must
start with the UTF-8 BOM (Excel and WPS read it as GBK otherwise) and parse; an XLSX
opens with openpyxl, a .docx with python-docx; text and JSON decode. A file of a kind
with no opener here fails, so a new kind of download gets one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from email.message import Message
from urllib.parse import unquote

import docx
import openpyxl

BOM = b"\xef\xbb\xbf"


class Unreadable(Exception):
    """The file does not open, or opens empty; the message says how."""


def filename(content_disposition: str) -> str:
    """The name a browser saves the file under (RFC 6266: ``filename*`` wins)."""
    message = Message()
    message["Content-Disposition"] = content_disposition
    extended = re.search(r"filename\*\s*=\s*UTF-8''([^;]+)", content_disposition, re.I)
    if extended:
        return unquote(extended.group(1).strip())
    return message.get_param("filename", header="Content-Disposition") or ""


def rows_of(name: str, body: bytes) -> list[str]:
    """The file's rows as text (cells joined), header and title lines included."""
    kind = name.rpartition(".")[2].lower() if "." in name else ""
    opener = OPENERS.get(kind)
    if opener is None:
        raise Unreadable(f"no opener for “.{kind}” files: add one to tests/live/files.py")
    try:
        rows = opener(body)
    except Unreadable:
        raise
    except Exception as exc:  # whatever the library says, it did not open
        raise Unreadable(f"does not open as .{kind}: {type(exc).__name__}: {exc}") from exc
    if not any(rows):
        raise Unreadable(f"opens as .{kind} but holds nothing ({len(body)} bytes)")
    return rows


def _csv_rows(body: bytes) -> list[str]:
    if not body.startswith(BOM):
        raise Unreadable(f"CSV does not start with the UTF-8 BOM: {body[:12]!r}")
    text = body[len(BOM) :].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if not rows or not any(rows[0]):
        raise Unreadable(f"CSV has no header after its BOM ({len(body)} bytes in all)")
    return ["\t".join(row) for row in rows]


def _xlsx_rows(body: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        return [
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()


def _docx_rows(body: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(body))
    rows = [p.text for p in document.paragraphs]
    for table in document.tables:
        rows += ["\t".join(cell.text for cell in row.cells) for row in table.rows]
    return rows


def _zip_rows(body: bytes) -> list[str]:
    """Each member through its own opener; the manifest's SHA-256 must match."""
    import hashlib
    import zipfile

    rows: list[str] = []
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        for name in names:
            data = archive.read(name)
            if name == "manifest.txt":
                for line in data.decode("utf-8").splitlines():
                    digest, _, member = line.partition("  ")
                    if hashlib.sha256(archive.read(member)).hexdigest() != digest:
                        raise Unreadable(f"manifest: {member} does not match its SHA-256")
            rows += rows_of(name, data)
    return rows


def _txt_rows(body: bytes) -> list[str]:
    return body.decode("utf-8").splitlines()


def _json_rows(body: bytes) -> list[str]:
    return [json.dumps(json.loads(body.decode("utf-8")), ensure_ascii=False)]


OPENERS = {
    "csv": _csv_rows,
    "xlsx": _xlsx_rows,
    "docx": _docx_rows,
    "txt": _txt_rows,
    "json": _json_rows,
    "zip": _zip_rows,
}
