"""Spreadsheets in and out: reading uploaded XLSX safely, writing XLSX and CSV downloads.

Reading: the ZIP container is checked against ``Limits`` before openpyxl (which parses
with defusedxml) sees a byte; a named sheet is then read, in read-only mode and with a
bounded row scan, into text cells. Formulas, error values, dates and booleans are
refused per cell, so an import never stores something the person did not type.

Writing: XlsxWriter in constant-memory mode, strings always written as strings (never
formulas), optional title lines above a frozen header, widths that fit CJK text,
percentages as numbers. CSV is UTF-8 with a BOM (Excel on Chinese Windows needs it),
produced row by row, and text that a spreadsheet would run as a formula is prefixed
with an apostrophe. Control characters (other than tab and line breaks) and broken
surrogates are dropped from exported text, so no name can crash or garble a file.
Downloads are never cached (Cache-Control: no-store) and carry the Chinese file name
as RFC 5987 ``filename*``.
"""

import csv
import io
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice
from urllib.parse import quote

import xlsxwriter
from flask import Response, stream_with_context
from openpyxl import load_workbook

# An old .xls and an encrypted .xlsx are both OLE2 compound files.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# Spreadsheet XML compresses well, but not a thousandfold: larger ratios on a
# sizeable part mean a crafted file (a zip bomb), not a roster.
MAX_RATIO = 200
RATIO_CHECK_FROM = 1024 * 1024
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

NOT_XLSX = "文件不是有效的 .xlsx 文件，请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"
ENCRYPTED_OR_XLS = "文件已加密或为旧版 .xls 格式，请另存为 .xlsx 后上传"
UNREADABLE = "文件内容无法读取，请用 Excel 或 WPS 另存为 .xlsx 后重新上传"

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportRejected(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_uncompressed: int
    max_entries: int
    max_rows: int
    pending_minutes: int

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            max_bytes=config["IMPORT_MAX_BYTES"],
            max_uncompressed=config["IMPORT_MAX_UNCOMPRESSED_BYTES"],
            max_entries=config["IMPORT_MAX_ZIP_ENTRIES"],
            max_rows=config["IMPORT_MAX_ROWS"],
            pending_minutes=config["IMPORT_PENDING_MINUTES"],
        )


@dataclass
class RawRow:
    """One non-blank data row: text per column, and cells that could not be read."""

    number: int
    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g}MB"


# ---------------------------------------------------------------- the container


def check_container(content: bytes, limits: Limits) -> None:
    """Refuse anything but a plausible, bounded XLSX before it is parsed."""
    if not content:
        raise ImportRejected("文件是空的，请选择填好的 .xlsx 文件")
    if len(content) > limits.max_bytes:
        raise ImportRejected(f"文件过大（不能超过{megabytes(limits.max_bytes)}），请分批导入")
    if content.startswith(OLE2_SIGNATURE):
        raise ImportRejected(ENCRYPTED_OR_XLS)
    if not content.startswith(ZIP_SIGNATURE):
        raise ImportRejected(NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ImportRejected("文件已损坏或不完整，请重新保存后上传") from exc
    _check_entries(entries, limits)


def _check_entries(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise ImportRejected("文件结构异常（包含的部件过多），请使用下载的模板填写")
    if any(info.flag_bits & 0x1 for info in entries):
        raise ImportRejected(ENCRYPTED_OR_XLS)
    names = {info.filename for info in entries}
    if not all(part in names for part in REQUIRED_PARTS):
        raise ImportRejected(NOT_XLSX)
    # zipfile never inflates a member past its declared size, so the declared
    # sizes bound what openpyxl can read.
    if sum(info.file_size for info in entries) > limits.max_uncompressed:
        raise ImportRejected("文件解压后过大，请删除无关的工作表和格式，或分批导入")
    for info in entries:
        if info.file_size > RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ImportRejected("文件结构异常（压缩比异常），已拒绝处理")


# ---------------------------------------------------------------- the sheet


@dataclass(frozen=True)
class SheetSpec:
    """Which sheet to read, its exact header row, and the noun counted in messages."""

    name: str
    headers: tuple[str, ...]
    unit: str = "行"  # "一次最多导入2000人"
    # Files exported by other systems name their sheet "Sheet1": read the first sheet
    # when none has the expected name (its header row must still match).
    or_first: bool = False


def read_rows(content: bytes, limits: Limits, spec: SheetSpec) -> list[RawRow]:
    """The non-blank data rows of ``spec``'s sheet; ImportRejected for an unusable file."""
    check_container(content, limits)
    # Files saved by other programs raise all kinds of errors inside openpyxl
    # (bad XML, missing parts, forbidden entities refused by defusedxml); to the
    # admin they all mean the same thing.
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (styles, extensions); harmless here.
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        except Exception as exc:
            raise ImportRejected(UNREADABLE) from exc
        try:
            return _rows_of(workbook, spec, limits.max_rows)
        except ImportRejected:
            raise
        except Exception as exc:
            raise ImportRejected(UNREADABLE) from exc
        finally:
            workbook.close()


def _rows_of(workbook, spec: SheetSpec, max_rows: int) -> list[RawRow]:
    name = spec.name
    if name not in workbook.sheetnames and spec.or_first and workbook.sheetnames:
        name = workbook.sheetnames[0]
    if name not in workbook.sheetnames or not hasattr(workbook[name], "iter_rows"):
        raise ImportRejected(f"文件中没有名为「{spec.name}」的工作表，请使用下载的模板填写")
    sheet = workbook[name]
    _check_headers(sheet, name, spec)
    rows: list[RawRow] = []
    # Blank rows are skipped but still cost a parse each: a file padded with a
    # million empty rows must not keep a worker busy.
    for row in _data_rows(sheet, spec.headers, scan_limit=2 * max_rows + 1000):
        rows.append(row)
        if len(rows) > max_rows:
            raise ImportRejected(f"一次最多导入{max_rows}{spec.unit}，请分成几个文件导入")
    return rows


def _check_headers(sheet, name: str, spec: SheetSpec) -> None:
    header = next(sheet.iter_rows(min_row=1, max_row=1), ())
    values = [_plain(cell.value) for cell in header]
    while values and not values[-1]:
        values.pop()
    if tuple(values) != spec.headers:
        expected = "、".join(spec.headers)
        raise ImportRejected(f"「{name}」工作表第1行的表头应依次为：{expected}（请用下载的模板）")


def _plain(value) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _data_rows(sheet, headers: tuple[str, ...], scan_limit: int) -> Iterator[RawRow]:
    cells_by_row = sheet.iter_rows(min_row=2, max_col=len(headers))
    for number, cells in enumerate(cells_by_row, start=2):
        if number > scan_limit:
            raise ImportRejected("表格中的行数过多（含大量空行），请删除多余的行后重新上传")
        if all(_is_blank(cell.value) for cell in cells):
            continue
        row = RawRow(number=number, values=dict.fromkeys(headers, ""))
        for column, cell in zip(headers, cells, strict=False):
            try:
                row.values[column] = cell_text(cell)
            except ValueError as exc:
                row.values[column] = _plain(cell.value)
                row.errors.append((column, str(exc)))
        yield row


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(cell) -> str:
    """A cell's value as the text a person meant, or ValueError with the reason."""
    value = cell.value
    if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value[:1] == "="):
        raise ValueError("不能包含公式，请直接填写内容")
    if getattr(cell, "data_type", None) == "e":
        raise ValueError("单元格内容是错误值，请重新填写")
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError("应填写文字，不能是“是/否”值")
    if isinstance(value, datetime | date | time):
        raise ValueError("应填写文字，不能是日期或时间（请把单元格设为文本格式）")
    if isinstance(value, float):
        # A phone typed into a number cell comes back as 13800000000.0.
        return str(int(value)) if value.is_integer() else str(value)
    return str(value).strip()


# ---------------------------------------------------------------- writing


def display_width(text: str) -> int:
    """Width in Excel's units: a CJK (wide or full-width) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass
class Sheet:
    """One sheet to write: a header row, then ``rows`` (any iterable, read once).

    ``text_columns`` (indexes) are formatted as text, so phones and codes stay as
    typed when the file is edited; ``choices`` puts a drop-down on a column.
    """

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence] = ()
    text_columns: frozenset[int] = frozenset()
    choices: dict[int, list[str]] = field(default_factory=dict)
    choice_rows: int = 2000
    min_width: int = 6
    max_width: int = 60
    # Lines above the header (what the figures are, their 口径, when generated).
    title: Sequence[str] = ()
    # Columns holding fractions (0.975) shown as percentages (97.5%); text such as
    # "—" in them stays text.
    percent_columns: frozenset[int] = frozenset()


# Widths are measured on the first rows only: the rest are streamed to disk.
WIDTH_SAMPLE = 200


def write_xlsx(out, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` to the binary file ``out`` in constant-memory mode."""
    workbook = xlsxwriter.Workbook(
        out,
        {
            # in_memory would override constant_memory: rows go to temp files instead.
            "constant_memory": True,
            "tmpdir": tempfile.gettempdir(),
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1}),
        "text": workbook.add_format({"num_format": "@"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "note": workbook.add_format({"font_color": "#5B636D"}),
    }
    for spec in sheets:
        _write_sheet(workbook.add_worksheet(spec.name), spec, formats)
    workbook.close()


def _column_format(spec: Sheet, col: int, formats: dict):
    if col in spec.text_columns:
        return formats["text"]
    if col in spec.percent_columns:
        return formats["percent"]
    return None


def _write_sheet(sheet, spec: Sheet, formats: dict) -> None:
    rows = iter(spec.rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    for col, width in enumerate(_widths(spec, sample)):
        sheet.set_column(col, col, width, _column_format(spec, col, formats))
    for number, line in enumerate(spec.title):
        sheet.write_string(number, 0, _text(line), formats["title" if number == 0 else "note"])
    top = len(spec.title)
    for col, title in enumerate(spec.headers):
        sheet.write_string(top, col, _text(title), formats["header"])
    sheet.freeze_panes(top + 1, 0)
    for col, values in spec.choices.items():
        sheet.data_validation(
            top + 1, col, top + spec.choice_rows, col, {"validate": "list", "source": list(values)}
        )
    for number, row in enumerate(_chain(sample, rows), start=top + 1):
        for col, value in enumerate(row):
            _write_cell(sheet, number, col, value, _column_format(spec, col, formats))


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _widths(spec: Sheet, sample: list[Sequence]) -> list[int]:
    widths = [display_width(str(h)) for h in spec.headers]
    for row in sample:
        for col, value in enumerate(row[: len(widths)]):
            longest = max((display_width(line) for line in _text(value).splitlines()), default=0)
            widths[col] = max(widths[col], longest)
    return [min(max(w + 2, spec.min_width), spec.max_width) for w in widths]


def _write_cell(sheet, row: int, col: int, value, fmt) -> None:
    if value is None or value == "":
        return
    is_text_column = fmt is not None and fmt.num_format == "@"
    if isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float | Decimal) and not is_text_column:
        sheet.write_number(row, col, float(value), fmt)
    else:
        # Never write_formula, never sheet.write(): a string is only ever a string.
        sheet.write_string(row, col, _text(value), fmt)


# C0 controls but tab and line breaks, DEL, C1 controls, and lone surrogates (which
# cannot even be encoded as UTF-8): dropped from every exported cell.
_UNWRITABLE = dict.fromkeys(
    [
        *(c for c in range(0x20) if chr(c) not in "\t\n\r"),
        *range(0x7F, 0xA0),
        *range(0xD800, 0xE000),
        0xFFFE,
        0xFFFF,
    ]
)


def clean_text(text: str) -> str:
    """``text`` without the characters no spreadsheet can hold."""
    return text.translate(_UNWRITABLE)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value))


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    with tempfile.TemporaryFile() as out:
        write_xlsx(out, sheets)
        out.seek(0)
        return out.read()


def send_xlsx(filename: str, *sheets: Sheet):
    """A download response for ``sheets``. Rows are streamed to disk while the file is
    built, and the finished file is sent from disk in chunks: memory stays flat."""
    out = tempfile.TemporaryFile()  # noqa: SIM115  (closed by _FileChunks)
    try:
        write_xlsx(out, sheets)
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = Response(_FileChunks(out), mimetype=XLSX_MIMETYPE)
    response.content_length = size
    return _download(response, filename)


class _FileChunks:
    """A temporary file sent in chunks, closed when read to the end or when the
    response is closed unread (the WSGI server always closes it)."""

    def __init__(self, out, size: int = 64 * 1024):
        self.out, self.size = out, size

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self.out.read(self.size):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self.out.close()


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one as RFC 5987
    ``filename*`` (every browser in use reads the latter)."""
    suffix = filename.rpartition(".")[2] if "." in filename else ""
    fallback = "".join(ch for ch in filename if ch.isascii() and (ch.isalnum() or ch in "-_."))
    if fallback != filename:
        fallback = f"download.{suffix}" if suffix.isascii() and suffix.isalnum() else "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _download(response, filename: str):
    response.headers["Content-Disposition"] = content_disposition(filename)
    # Figures and name lists are personal data: no browser or proxy keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- CSV

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell as CSV text that Excel and WPS show as typed and never run as a formula."""
    text = _text(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


CSV_BATCH = 500


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks (a BOM first), a few hundred rows at a time: rows
    are read as they are written, so a long list never sits in memory."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    yield "\ufeff".encode()
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_safe(value) for value in row])
        if number % CSV_BATCH == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    return b"".join(csv_chunks(headers, rows))


def send_csv(filename: str, headers: Sequence[str], rows: Iterable[Sequence]):
    """A CSV download streamed as it is written (``rows`` may be a lazy query)."""
    response = Response(stream_with_context(csv_chunks(headers, rows)), mimetype="text/csv")
    return _download(response, filename)
