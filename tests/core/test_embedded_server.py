"""``make run``'s own server (gunicorn with ``gunicorn.conf.py``), reached directly as
phones reach a pilot: clients stalled mid-request do not hold up the others, text is
compressed, files already compressed are sent as they are, static files carry their
content hash and a year's cache."""

import gzip
import io
import re
import socket
import time
import urllib.request
import zipfile

import pytest
from openpyxl import load_workbook

from tests.conftest import PASSWORD
from tests.gunicorn_server import GUNICORN, Browser, running_gunicorn
from tests.stats.conftest import _enrol, _exam
from yongxi_learn.extensions import db

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")

STALLED_CLIENTS = 4  # twice what froze two sync workers for a minute


@pytest.fixture(scope="module")
def server(db_url, tmp_path_factory):
    with running_gunicorn(
        db_url, tmp_path_factory.mktemp("gunicorn"), project_config=True
    ) as running:
        yield running


def _port(server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _stall(server, first_bytes: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", _port(server)), timeout=5)
    sock.sendall(first_bytes)
    return sock


def _get(server, path, headers=None, opener=None):
    request = urllib.request.Request(server.url + path, headers=headers or {})  # noqa: S310
    opener = opener or urllib.request.build_opener()
    with opener.open(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_clients_stalled_mid_request_do_not_block_another(server):
    # Phones that lost their signal halfway: request lines and headers cut off, and
    # connections that never sent a byte.
    stalled = [
        _stall(server, b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: phone"),
        _stall(server, b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"),
        _stall(server, b"GET /log"),
        _stall(server, b""),
    ]
    assert len(stalled) == STALLED_CLIENTS
    try:
        time.sleep(0.5)  # the server has taken them all in
        started = time.monotonic()
        status, _headers, body = _get(server, "/login")
        assert status == 200 and "登录" in body.decode()
        assert time.monotonic() - started < 2
        for sock in stalled:  # still held open by the server, not dropped to make room
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
    finally:
        for sock in stalled:
            sock.close()


def test_pages_css_and_js_are_gzipped_for_a_browser_that_accepts_it(server):
    status, headers, body = _get(server, "/login", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert int(headers["Content-Length"]) == len(body)
    html = gzip.decompress(body).decode()
    assert "<!doctype html>" in html.lower()

    for link in re.findall(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{10}\.(?:css|js))"', html):
        status, headers, body = _get(server, link, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip", link
        assert "max-age=31536000" in headers["Cache-Control"], link
        _status, _headers, plain = _get(server, link)
        assert gzip.decompress(body) == plain and len(body) < len(plain), link


def test_a_browser_that_does_not_ask_gets_plain_text(server):
    _status, headers, body = _get(server, "/login")
    assert "Content-Encoding" not in headers
    assert "<!doctype html>" in body.decode().lower()


def _logged_in(server, user) -> Browser:
    phone = user.phone
    db.session.commit()  # end the test's own SQLite transaction before the server writes
    browser = Browser(server.url)  # asks for gzip and unpacks it, as a browser does
    assert browser.log_in(phone, PASSWORD).status == 302
    return browser


def test_an_xlsx_download_is_sent_as_it_is_and_opens(server, admin):
    browser = _logged_in(server, admin)
    path = "/admin/questions/import/template.xlsx"
    status, headers, body = _get(server, path, {"Accept-Encoding": "gzip"}, browser.opener)
    assert status == 200
    assert "Content-Encoding" not in headers  # a zip file already
    assert int(headers["Content-Length"]) == len(body)
    assert zipfile.is_zipfile(io.BytesIO(body))
    assert load_workbook(io.BytesIO(body), read_only=True).sheetnames


def test_a_csv_download_is_gzipped_and_arrives_whole(server, admin, make_user, tree):
    exam = _exam(tree["town"], "2024年度法治理论知识考试")
    for number in range(60):  # a list past the size worth compressing
        _enrol(exam, make_user(f"学员{number:02d}", tree["village"]))
    path = f"/stats/exams/{exam.id}/names/all/export.csv"
    browser = _logged_in(server, admin)  # commits, so the server can write (SQLite)
    status, headers, body = _get(server, path, {}, browser.opener)
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "attachment" in headers["Content-Disposition"]
    text = body.decode("utf-8")  # unpacked by the Browser's opener
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    assert all(f"学员{number:02d}" in text for number in range(60))
