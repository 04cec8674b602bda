"""Data rows of a constant-memory XlsxWriter sheet, written as the XML XlsxWriter
itself would write, a row at a time.

XlsxWriter spends ~25 µs of Python per cell (argument checks, a cell tuple, an
attribute list, escaping passes): 10.7 s for a 20,000-person name list. Here a row is
one string built from its cells, the same bytes XlsxWriter writes for ``write_string``
and ``write_number`` in constant-memory mode (inline strings, numbers as ``%.16G``,
the cell's format as ``s``, control characters as ``_xHHHH_``), appended to the
sheet's row file. XlsxWriter still writes everything else (titles, the header,
widths, panes, validations, the workbook) and is told the sheet's last row, so the
file is the one it would have made. Strings are only ever inline strings: nothing
written here can be a formula.
"""

import re
from collections.abc import Iterable, Sequence

from xlsxwriter.utility import xl_col_to_name

# The longest string a cell holds, in UTF-16 units.
MAX_STRING = 32767
_EXCEL_ESCAPE = re.compile("_x[0-9a-fA-F]{4}_")
_XML_SPECIAL = re.compile("[&<>\r]")


def supported(sheet) -> bool:
    """A constant-memory worksheet of the XlsxWriter version whose internals are used."""
    return bool(getattr(sheet, "constant_memory", False)) and all(
        hasattr(sheet, name)
        for name in ("fh", "previous_row", "_write_single_row", "_check_dimensions")
    )


def inline_text(text: str) -> str:
    """``text`` as the content of an inline string's <t> (already free of the control
    characters clean_text drops)."""
    if len(text) > MAX_STRING // 2 and len(text.encode("utf-16-le")) > 2 * MAX_STRING:
        text = text.encode("utf-16-le")[: 2 * MAX_STRING].decode("utf-16-le", "ignore")
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F\g<0>", text)
    if _XML_SPECIAL.search(text):
        text = (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\r", "_x000D_")
        )
    return text


def write_rows(sheet, rows: Iterable[Sequence], first: int, formats: Sequence, cell) -> None:
    """Write ``rows`` from row index ``first`` on. ``formats``: each column's format
    (or None); ``cell(value, col)`` gives what a cell holds: a float (a number), a str
    (text), or None (nothing)."""
    sheet._write_single_row(first)  # flush the header row XlsxWriter still holds
    attrs: list[str] = []
    letters: list[str] = []
    last, width, out = None, 0, sheet.fh
    for number, row in enumerate(rows, start=first):
        cells = []
        r = number + 1
        for col, value in enumerate(row):
            content = cell(value, col)
            if content is None:
                continue
            while len(letters) <= col:
                letters.append(xl_col_to_name(len(letters)))
                attrs.append(_style(formats, len(attrs)))
            width = max(width, col)
            ref = f'r="{letters[col]}{r}"{attrs[col]}'
            if isinstance(content, float):
                cells.append(f"<c {ref}><v>{content:.16G}</v></c>")
                continue
            text = inline_text(content)
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            cells.append(f'<c {ref} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        if cells:
            out.write(f'<row r="{r}">{"".join(cells)}</row>')
            last = number
    if last is not None:
        sheet._check_dimensions(last, width)


def _style(formats: Sequence, col: int) -> str:
    """The ``s`` attribute of column ``col``'s cells. The xf index is taken when the
    column's first cell is written, as XlsxWriter does, so styles.xml is the same."""
    fmt = formats[col] if col < len(formats) else None
    return f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
