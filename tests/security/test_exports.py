"""Every download (found from the routes, not listed by hand) is safe to open in a
spreadsheet: text that starts like a formula is neutralised in CSV and written as a
string in XLSX, control characters are gone, and each file opens with openpyxl."""

import csv
import io
import re
import sqlite3
import zipfile

import openpyxl
import pytest

from tests.security.routes import TICKET, calls
from yongxi_learn.extensions import db

from .world import build

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Downloads the world must reach, so a sweep that finds none cannot pass.
EXPECTED = {
    "training_admin.download_csv",
    "training_admin.download_xlsx",
    "stats.export",
    "stats.exam_export",
    "stats.names_export",
    "bank.export",
    "record.export_person",
    "inspection.download",
}


def _get_urls(app, ids):
    """(endpoint, url) of every GET route; one with a format argument as CSV and XLSX."""
    for rule, method, url in calls(app, ids, skip=TICKET | {"auth.logout"}):
        if method != "GET":
            continue
        urls = [url]
        if "fmt" in rule.arguments:
            urls = [re.sub(r"\.(csv|xlsx|json|txt)$", f".{f}", url) for f in ("csv", "xlsx")]
        for one in urls:
            yield rule.endpoint, one


def _downloads(app, client, ids):
    """(endpoint, url, response) for every GET that answers with an attachment."""
    for endpoint, url in _get_urls(app, ids):
        response = client.get(url, query_string={"year": 2024})
        response.get_data()
        response.close()
        if "attachment" in response.headers.get("Content-Disposition", ""):
            yield endpoint, url, response


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula was written"
    return [c.value for c in cells]


def test_every_download_neutralises_formulas_and_control_characters(
    app, client, tree, make_user, login
):
    """Every text of town B starts with "="; its village has a person whose name starts
    with each other formula character, and one with a control character inside."""
    with app.test_request_context():
        world = build(tree, make_user, mark="=1+1甲")
    for n, start in enumerate([*FORMULA[1:], "\x07", "甲\x1b"]):
        make_user(f"{start}1+1甲{n}", tree["other_village"], phone=f"1390000000{n}")
    login(world.b_admin)
    seen, bad, kept = set(), [], set()
    for endpoint, url, response in _downloads(app, client, world.ids):
        seen.add(endpoint)
        if url.endswith(".csv") or response.mimetype == "text/csv":
            cells = _csv_cells(response.data)
        elif response.mimetype.endswith("spreadsheetml.sheet"):
            cells = _xlsx_cells(response.data)
        elif response.mimetype == "application/zip":  # the 台账包: its workbooks
            with zipfile.ZipFile(io.BytesIO(response.data)) as pack:
                books = [pack.read(n) for n in pack.namelist() if n.endswith(".xlsx")]
            cells = [cell for book in books for cell in _xlsx_cells(book)]
        else:
            continue  # .docx/.txt of the report, JSON: no spreadsheet runs them
        ours = [c for c in cells if isinstance(c, str) and "1+1甲" in c]
        if not ours:
            continue
        bad += [(url, c) for c in ours if CONTROL.search(c)]
        if url.endswith(".csv"):
            bad += [(url, c) for c in ours if c.startswith(FORMULA)]
            kept |= {c[:2] for c in ours if c.startswith("'")}
        else:
            kept |= {c[:1] for c in ours if c.startswith(FORMULA)}  # as strings
    assert seen >= EXPECTED
    # The attack names did reach the files: neutralised in CSV, plain strings in XLSX.
    assert {"'=", "'+", "'-", "'@", "'\t", "'\r"} <= kept and {"=", "+", "-", "@"} <= kept
    assert bad == []


def test_no_download_holds_sqlite_s_write_lock_while_it_is_sent(
    app, client, tree, make_user, login
):
    """A download is audited (a write), then built and sent, to a slow phone for
    seconds: meanwhile SQLite's one write lock must be free, or every autosave of an
    exam evening waits behind it."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking only")
    with app.test_request_context():
        world = build(tree, make_user)
    login(world.b_admin)
    seen, holding = set(), []
    for endpoint, url in _get_urls(app, world.ids):
        response = client.get(url, query_string={"year": 2024}, buffered=False)
        try:
            if "attachment" not in response.headers.get("Content-Disposition", ""):
                continue
            seen.add(endpoint)
            assert b"".join(response.response)
            if not _another_writer_gets_in():
                holding.append(url)
        finally:
            response.close()
    assert seen >= EXPECTED
    assert holding == []


def _another_writer_gets_in() -> bool:
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        writer.close()
