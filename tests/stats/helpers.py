"""Reading figures back out of a dashboard page, a CSV and an XLSX, to compare them."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import openpyxl

# Dashboard column → 汇总 column (CSV and XLSX).
SAME_FIGURES = {
    "单位": "单位",
    "应考": "应考人数",
    "参考": "参考人数",
    "参考率": "参考率",
    "通过": "通过人数",
    "通过率": "通过率（通过/参考）",
    "通过/应考": "通过人数/应考人数",
    "免考": "免考人数",
    "首考参考率": "首考参考率",
    "首考通过": "首考通过人数",
    "首考通过率": "首考通过率（首考通过/首考参考）",
    "首考通过/应考": "首考通过人数/应考人数",
    "平均分": "平均分",
}


class _Tables(HTMLParser):
    """The cells' text of every <table class="stats-table">, row by row."""

    def __init__(self):
        super().__init__()
        self.tables, self._row, self._cell, self._in = [], None, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "stats-table" in (dict(attrs).get("class") or ""):
            self.tables.append([])
            self._in = True
        elif self._in and tag == "tr":
            self._row = []
        elif self._in and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in = False
        elif self._in and tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif self._in and tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def as_dicts(rows: list[list[str]]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def dashboard_figures(html: str, table: int = 0) -> list[dict]:
    """The unit table of a dashboard, in the 汇总 file's column names."""
    return [
        {SAME_FIGURES[k]: v for k, v in row.items() if k in SAME_FIGURES}
        for row in as_dicts(html_tables(html)[table])
    ]


def csv_dicts(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_dicts(sheet) -> list[dict]:
    """Rows under the header of a sheet written with title lines; values as the
    dashboard shows them (rates 0.714 → "71.4%")."""
    rows = list(sheet.iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if row[1] is not None)
    header = rows[top]
    out = []
    for row in rows[top + 1 :]:
        cells = {}
        for col, (name, value) in enumerate(zip(header, row, strict=True)):
            cell = sheet.cell(row=top + 2 + len(out), column=col + 1)
            cells[name] = shown_in_excel(value, cell.number_format)
        out.append(cells)
    return out


# The percentage formats Excel and WPS show a number with: "0%" → "100%", "0.0%" →
# "12.5%" (rounded half away from zero, as spreadsheets do). Any other is a failure.
PERCENT_PLACES = {"0%": Decimal(1), "0.0%": Decimal("0.1")}


def shown_in_excel(value, number_format: str | None) -> str:
    """A cell's text as a spreadsheet shows it, for the formats the downloads use."""
    if value is None:
        return ""
    if isinstance(value, float | int) and "%" in (number_format or ""):
        places = PERCENT_PLACES[number_format]
        number = (Decimal(str(value)) * 100).quantize(places, rounding=ROUND_HALF_UP)
        return f"{number:f}%"
    if isinstance(value, float):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value)


def pick(rows: list[dict], columns) -> list[dict]:
    return [{c: row[c] for c in columns} for row in rows]
