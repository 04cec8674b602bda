"""``make bench``'s page weights count HTML pages only: a GET route without arguments
may answer something else (/favicon.ico answers an image), and reading its bytes as
a page's text stopped the whole run."""

import json
import threading

import pytest
from flask import Flask, Response
from werkzeug.serving import make_server

from bench import run

PAGE = '<html><link href="/static/app.css" rel="stylesheet"><p>页面</p></html>'
ICON = bytes([0, 0, 1, 0, 1, 0, 0x91, 0xFF, 0xFE]) * 100  # no UTF-8 text


@pytest.fixture
def server():
    site = Flask(__name__)
    site.add_url_rule("/", "page", lambda: PAGE)
    site.add_url_rule("/favicon.ico", "icon", lambda: Response(ICON, mimetype="image/x-icon"))
    site.add_url_rule("/static/app.css", "css", lambda: Response("p{}", mimetype="text/css"))
    http = make_server("127.0.0.1", 0, site, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()


def test_an_icon_among_the_pages_is_not_weighed_as_a_page(server, tmp_path):
    (tmp_path / "examinees.json").write_text(json.dumps([{"attempt_id": 1, "cookie": ""}]))

    run.weigh_pages(server, ["/", "/favicon.ico"], tmp_path)

    page_kb = run.gz_kb(PAGE.encode())
    assert run.figures["learner_page_max_kb_gz"] == pytest.approx(page_kb, abs=1e-4)
    assert run.figures["learner_first_load_kb_gz"] == pytest.approx(
        page_kb + run.gz_kb(b"p{}"), abs=1e-3
    )
    assert run.figures["learner_first_load_requests"] == 2
