"""Spreadsheets in and out: reading uploaded XLSX safely, writing XLSX and CSV downloads.

Reading: the ZIP container is checked against ``Limits``, and its XML parts' rows,
cells per row, cells and shared strings counted (core/xml_scan), before openpyxl (which
parses with defusedxml) sees a byte; a named sheet is then read, in read-only mode and with a
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

import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import ClassVar

import xlsxwriter  # noqa: F401  (tests spy on xlsxwriter.Workbook through this module)
from openpyxl import load_workbook

from .spreadsheet_out import (  # noqa: F401  (the writing half of this module's API)
    CSV_BATCH,
    FORMULA_STARTS,
    WIDTH_SAMPLE,
    XLSX_MIMETYPE,
    Sheet,
    clean_text,
    content_disposition,
    csv_bytes,
    csv_chunks,
    csv_safe,
    display_width,
    send_csv,
    send_xlsx,
    write_xlsx,
    xlsx_bytes,
)
from .xml_scan import Count, XmlRefused, scan

# An old .xls and an encrypted .xlsx are both OLE2 compound files.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# Spreadsheet XML compresses well, but not a thousandfold: larger ratios on a
# sizeable part mean a crafted file (a zip bomb), not a roster.
MAX_RATIO = 200
RATIO_CHECK_FROM = 1024 * 1024
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

# Transitional and Strict OOXML name the same elements in two namespaces.
NAMESPACES = (
    "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}",
    "{http://purl.oclc.org/ooxml/spreadsheetml/main}",
)
TOO_MANY_ROWS = "表格中的行数过多（含大量空行），请删除多余的行后重新上传"
NOT_XLSX = "文件不是有效的 .xlsx 文件，请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"
ENCRYPTED_OR_XLS = "文件已加密或为旧版 .xls 格式，请另存为 .xlsx 后上传"
UNREADABLE = "文件内容无法读取，请用 Excel 或 WPS 另存为 .xlsx 后重新上传"


class ImportRejected(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_uncompressed: int
    max_entries: int
    max_rows: int
    pending_minutes: int
    # What the XML may hold (see config.py): counted before any parser builds it.
    max_cells: int = 50_000
    max_shared_strings: int = 25_000
    max_columns: int = 256
    max_paragraphs: int = 50_000
    max_xml_elements: int = 250_000

    @property
    def scan_rows(self) -> int:
        # Blank rows are skipped but still cost a parse each: a file padded with a
        # million empty rows must not keep a worker busy.
        return 2 * self.max_rows + 1000

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            max_bytes=config["IMPORT_MAX_BYTES"],
            max_uncompressed=config["IMPORT_MAX_UNCOMPRESSED_BYTES"],
            max_entries=config["IMPORT_MAX_ZIP_ENTRIES"],
            max_rows=config["IMPORT_MAX_ROWS"],
            pending_minutes=config["IMPORT_PENDING_MINUTES"],
            max_cells=config["IMPORT_MAX_CELLS"],
            max_shared_strings=config["IMPORT_MAX_SHARED_STRINGS"],
            max_columns=config["IMPORT_MAX_COLUMNS"],
            max_paragraphs=config["IMPORT_MAX_PARAGRAPHS"],
            max_xml_elements=config["IMPORT_MAX_XML_ELEMENTS"],
        )


@dataclass
class RawRow:
    """One non-blank data row: text per column, and cells that could not be read."""

    number: int
    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CheckedRow:
    """A data row of an import being checked: its cells as text and the errors found,
    by column (``reject``); the preview echoes each cell back, cut to SHOWN_MAX."""

    number: int
    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)

    SHOWN_MAX: ClassVar[int] = 60  # characters of a cell echoed back in the preview

    def reject(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def failed(self, column: str) -> bool:
        return any(c == column for c, _ in self.errors)

    def shown(self, column: str) -> str:
        return self.cut(self.values[column])

    def cut(self, text: str) -> str:
        return text if len(text) <= self.SHOWN_MAX else text[: self.SHOWN_MAX] + "…"


def reject_repeats(rows: list[CheckedRow], column: str, key, label: str) -> None:
    """Reject every row whose ``key(row)`` (when it has one) another row repeats,
    naming the other rows: "与第3、第7行的手机号重复"."""
    groups: dict = {}
    for row in rows:
        value = key(row)
        if value:
            groups.setdefault(value, []).append(row)
    for same in (group for group in groups.values() if len(group) > 1):
        for row in same:
            others = "、".join(f"第{r.number}行" for r in same if r is not row)
            row.reject(column, f"与{others}的{label}重复")


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
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ImportRejected("文件已损坏或不完整，请重新保存后上传") from exc
    with archive:
        _check_entries(archive.infolist(), limits)
        try:
            scan(
                archive,
                _counts(limits),
                max_elements=limits.max_xml_elements,
                too_many="文件结构异常（内容过于繁杂），请删除无关的工作表和格式，或分批导入",
                unreadable=UNREADABLE,
            )
        except XmlRefused as exc:
            raise ImportRejected(str(exc)) from None


def _counts(limits: Limits) -> tuple[Count, ...]:
    cells = f"表格中的单元格过多（超过{limits.max_cells}个），请删除无关的内容，或分批导入"
    columns = f"表格中有一行超过{limits.max_columns}列，请删除多余的列后重新上传"
    strings = (
        f"表格中的文字条目过多（超过{limits.max_shared_strings}条），"
        "请删除无关的工作表和内容，或分批导入"
    )
    return tuple(
        count
        for ns in NAMESPACES
        for count in (
            Count(f"{ns}row", limits.scan_rows, TOO_MANY_ROWS, within=f"{ns}sheetData"),
            Count(f"{ns}c", limits.max_columns, columns, within=f"{ns}row"),
            Count(f"{ns}c", limits.max_cells, cells),
            Count(f"{ns}si", limits.max_shared_strings, strings),
        )
    )


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
    # Columns after ``headers`` that a file may leave out (older templates): read as "".
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.headers + self.optional


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
            return _rows_of(workbook, spec, limits.max_rows, limits.scan_rows)
        except ImportRejected:
            raise
        except Exception as exc:
            raise ImportRejected(UNREADABLE) from exc
        finally:
            workbook.close()


def _rows_of(workbook, spec: SheetSpec, max_rows: int, scan_rows: int) -> list[RawRow]:
    name = spec.name
    if name not in workbook.sheetnames and spec.or_first and workbook.sheetnames:
        name = workbook.sheetnames[0]
    if name not in workbook.sheetnames or not hasattr(workbook[name], "iter_rows"):
        raise ImportRejected(f"文件中没有名为「{spec.name}」的工作表，请使用下载的模板填写")
    sheet = workbook[name]
    _check_headers(sheet, name, spec)
    rows: list[RawRow] = []
    for row in _data_rows(sheet, spec.columns, scan_limit=scan_rows):
        rows.append(row)
        if len(rows) > max_rows:
            raise ImportRejected(f"一次最多导入{max_rows}{spec.unit}，请分成几个文件导入")
    return rows


def _check_headers(sheet, name: str, spec: SheetSpec) -> None:
    header = next(sheet.iter_rows(min_row=1, max_row=1), ())
    values = [_plain(cell.value) for cell in header]
    while values and not values[-1]:
        values.pop()
    allowed = [spec.headers + spec.optional[:n] for n in range(len(spec.optional) + 1)]
    if tuple(values) not in allowed:
        expected = "、".join(spec.columns)
        raise ImportRejected(f"「{name}」工作表第1行的表头应依次为：{expected}（请用下载的模板）")


def _plain(value) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _data_rows(sheet, headers: tuple[str, ...], scan_limit: int) -> Iterator[RawRow]:
    cells_by_row = sheet.iter_rows(min_row=2, max_col=len(headers))
    for number, cells in enumerate(cells_by_row, start=2):
        if number > scan_limit:
            raise ImportRejected(TOO_MANY_ROWS)
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
