"""Writing spreadsheets: XLSX sheets and CSV files for downloads (re-exported by
``core.spreadsheets``, whose docstring says how they are kept safe).

XlsxWriter runs in constant-memory mode and the CSV is produced a batch of rows at a
time, so memory stays flat however long a list grows.
"""

import csv
import io
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import chain, islice
from typing import IO
from urllib.parse import quote

import xlsxwriter
from flask import Response

from .formatting import percent

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    # Columns holding fractions (0.975) shown as percentages as every page prints
    # them (97.5%, 100%: core.formatting.percent); text such as "—" stays text.
    percent_columns: frozenset[int] = frozenset()


# Widths are measured on the first rows only: the rest are streamed to disk.
WIDTH_SAMPLE = 200


def write_xlsx(out, sheets: Sequence[Sheet], created: datetime | None = None) -> None:
    """Write ``sheets`` to the binary file ``out`` in constant-memory mode. With
    ``created`` the file is the same bytes for the same sheets (its properties say
    ``created`` instead of the time it was written)."""
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
        "whole_percent": workbook.add_format({"num_format": "0%"}),
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "note": workbook.add_format({"font_color": "#5B636D"}),
    }
    if created is not None:
        workbook.set_properties({"created": created})
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
    _write_rows(sheet, chain(sample, rows), top + 1, spec, formats)


def _write_rows(sheet, rows: Iterator[Sequence], first: int, spec: Sheet, formats: dict) -> None:
    """The data rows: the inner loop of a 20,000-row export (docs/performance.md).

    A text cell is written without a format: its column's format (set_column above)
    is the one XlsxWriter writes for it, so the file is the same and the library
    skips a format lookup per cell. Anything else goes through ``_write_cell``."""
    columns = [_column_format(spec, col, formats) for col in range(len(spec.headers))]
    width = len(columns)
    write_string, percent_columns = sheet.write_string, spec.percent_columns
    for number, row in enumerate(rows, start=first):
        for col, value in enumerate(row):
            if value.__class__ is str:
                if value:
                    write_string(number, col, clean_text(value))
            elif col in percent_columns and _is_number(value):
                _write_percent(sheet, number, col, value, formats)
            else:
                _write_cell(sheet, number, col, value, columns[col] if col < width else None)


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _write_percent(sheet, row: int, col: int, fraction, formats: dict) -> None:
    """A fraction rounded as the pages round it, with the format that shows it as
    they print it: "0%" for a whole percent (100%, not 100.0%), else "0.0%"."""
    shown = percent(fraction)
    fmt = formats["whole_percent" if shown == shown.to_integral_value() else "percent"]
    sheet.write_number(row, col, float(shown / 100), fmt)


def _widths(spec: Sheet, sample: list[Sequence]) -> list[int]:
    widths = [display_width(str(h)) for h in spec.headers]
    for row in sample:
        for col, value in enumerate(row[: len(widths)]):
            longest = max((display_width(line) for line in _text(value).splitlines()), default=0)
            widths[col] = max(widths[col], longest)
    return [min(max(w + 2, spec.min_width), spec.max_width) for w in widths]


def _write_cell(sheet, row: int, col: int, value, fmt) -> None:
    if type(value) is str:
        if value:
            sheet.write_string(row, col, clean_text(value), fmt)
        return
    if value is None:
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
    # Every character dropped is unprintable (Cc, Cs, Cn): a printable text, nearly
    # every one, is returned as it is, ten times faster than translate() finds that.
    return text if text.isprintable() else text.translate(_UNWRITABLE)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value))


def xlsx_bytes(sheets: Sequence[Sheet], created: datetime | None = None) -> bytes:
    with tempfile.TemporaryFile() as out:
        write_xlsx(out, sheets, created)
        out.seek(0)
        return out.read()


def send_xlsx(filename: str, *sheets: Sheet):
    """A download response for ``sheets``. Rows are streamed to disk while the file is
    built, and the finished file is sent from disk in chunks: memory stays flat."""
    return _send_built(filename, XLSX_MIMETYPE, lambda out: write_xlsx(out, sheets))


def _send_built(filename: str, mimetype: str, write: Callable[[IO[bytes]], object]):
    """The file ``write`` builds into a temporary file, sent from disk in chunks.

    Everything the file needs is read before the view returns, inside the request: a
    server sends the body after the request's context and database session are closed,
    so a body still reading rows then would fail mid-download."""
    out = tempfile.TemporaryFile()  # noqa: SIM115  (closed by _FileChunks)
    try:
        write(out)
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = Response(_FileChunks(out), mimetype=mimetype)
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
        # The extension survives whatever the name is made of: it is what opens the file.
        suffix = "".join(ch for ch in suffix if ch.isascii() and ch.isalnum())
        fallback = f"download.{suffix}" if suffix else "download"
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


def _csv_text(text: str) -> str:
    """``csv_safe`` of a str, most cells of a name list, without its type checks."""
    text = clean_text(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


CSV_BATCH = 500


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks (a BOM first), a few hundred rows at a time: rows
    are read as they are written, so a long list never sits in memory."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    yield "\ufeff".encode()
    for number, row in enumerate(rows, start=1):
        writer.writerow(
            [_csv_text(value) if value.__class__ is str else csv_safe(value) for value in row]
        )
        if number % CSV_BATCH == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    return b"".join(csv_chunks(headers, rows))


def send_csv(filename: str, headers: Sequence[str], rows: Iterable[Sequence]):
    """A CSV download (``rows`` may be a lazy query: it is read while the file is
    written to disk, so a long list never sits in memory)."""

    def write(out: IO[bytes]) -> None:
        for chunk in csv_chunks(headers, rows):
            out.write(chunk)

    return _send_built(filename, "text/csv", write)
