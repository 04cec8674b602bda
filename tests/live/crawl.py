"""A logged-in person's walk through every page they can reach, opening every download.

Breadth first over same-origin ``<a href>`` links from "/", GET only (forms are never
sent, so nothing is logged out or changed but what viewing a page records). Pages of one
shape (the path with its ids as ``<id>``, and the names of its query values) are visited
``PER_SHAPE`` times: the same template with other ids or another page number shows the
same links. Every download link of a visited page is followed, whatever its shape; so is
any link that answers with an attachment. Each file is opened (``files.rows_of``) and must
hold the rows that its link's ``data-holds`` names on the page (``pages.Page.rows``).
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.parse import parse_qsl, urljoin, urlsplit

from tests.gunicorn_server import Browser
from tests.live import files, minutes
from tests.live.pages import Link, Page, key_text

PER_SHAPE = 2
MAX_REQUESTS = 600
MAX_SECONDS = 120
SKIPPED_PATHS = re.compile(r"^/static/|/logout$")
SHOWN = 5  # missing rows named in a message
PHONE_LIKE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


@dataclass
class Download:
    url: str
    page: str
    link_text: str
    name: str
    size: int


@dataclass
class Crawl:
    role: str
    pages: list[str] = field(default_factory=list)
    html_pages: list[str] = field(default_factory=list)  # the pages that were HTML
    downloads: list[Download] = field(default_factory=list)  # the ones that opened
    followed: set[str] = field(default_factory=set)  # every download URL, opened or not
    problems: list[str] = field(default_factory=list)
    truncated: str = ""
    rows_compared: int = 0  # page rows found in the files their links name
    # Every 11-digit number (a phone?) each page and file showed, by URL.
    phones: dict[str, set[str]] = field(default_factory=dict)
    # Time spent (tests/live/minutes.py) each admin page (/admin/...) and file showed.
    time_spent: dict[str, set[str]] = field(default_factory=dict)


def crawl(browser: Browser, role: str, start: str = "/", *, downloads: bool = True) -> Crawl:
    """``downloads=False``: the pages only (the accessibility audit), no file fetched."""
    return _Walker(browser, role, start, downloads).run()


class _Walker:
    def __init__(self, browser: Browser, role: str, start: str, downloads: bool):
        self.browser, self.result = browser, Crawl(role)
        self.downloads = downloads
        self.origin = urlsplit(browser.base_url).netloc
        self.queue: deque[tuple[str, str]] = deque([(start, "")])  # (path, found on)
        self.seen = {start}
        self.shapes: Counter[str] = Counter()
        self.fetched: dict[str, tuple[str, list[str]] | str] = {}  # url: (name, rows) | problem
        self.requests = 0
        self.holds: dict[str, str] = {}  # a data-holds name: a link that uses it
        self.shown: set[str] = set()  # the data-holds names some page shows

    def run(self) -> Crawl:
        started = time.monotonic()
        while self.queue:
            if self.requests >= MAX_REQUESTS or time.monotonic() - started > MAX_SECONDS:
                self.result.truncated = (
                    f"stopped after {self.requests} requests in {time.monotonic() - started:.0f} s"
                    f" with {len(self.queue)} links left"
                )
                self.problem(f"the crawl was cut short: {self.result.truncated}")
                break
            path, found_on = self.queue.popleft()
            shape = page_shape(path)
            if self.shapes[shape] >= PER_SHAPE:
                continue
            self.shapes[shape] += 1
            self.visit(path, found_on)
        for name, link in self.holds.items():
            if name not in self.shown:
                self.problem(f"data-holds “{name}” ({link}): no page linking it has such rows")
        return self.result

    def visit(self, path: str, found_on: str) -> None:
        reply = self.get(path)
        where = f"{path} (linked from {found_on or 'nowhere: the start'})"
        if isinstance(reply, str):
            self.problem(f"page {where}: {reply}")
            return
        status, headers, body = reply
        if "attachment" in headers.get("Content-Disposition", ""):
            opened = self.fetched.setdefault(path, self.open(reply))
            self.check_download(path, Link(path, "", False, ()), opened, None, found_on)
            return
        if status in (301, 302, 303, 307, 308):
            self.redirected(path, found_on, headers.get("Location", ""))
            return
        if status != 200:
            self.problem(f"page {where} answered {status}")
            return
        self.result.pages.append(path)
        if "text/html" not in headers.get("Content-Type", ""):
            return
        self.result.html_pages.append(path)
        self.saw(path, body.decode("utf-8"), admin_page=path.startswith("/admin"))
        page = Page.parse(body.decode("utf-8"))
        for link in page.links():
            target = self.same_origin(path, link.href)
            if target is None:
                continue
            if link.download:
                if self.downloads:
                    self.check_download(target, link, self.download(target), page, path)
            elif target not in self.seen:
                self.seen.add(target)
                self.queue.append((target, path))

    def redirected(self, path: str, found_on: str, location: str) -> None:
        target = self.same_origin(path, location)
        if target is not None and urlsplit(target).path == "/login":
            self.problem(f"page {path} (linked from {found_on}) sent {self.result.role} to log in")
        elif target is not None and target not in self.seen:
            self.seen.add(target)
            self.queue.append((target, found_on))

    def same_origin(self, base: str, href: str) -> str | None:
        url = urlsplit(urljoin(self.browser.base_url + base, href.strip()))
        if url.scheme not in ("http", "https") or url.netloc != self.origin:
            return None
        if SKIPPED_PATHS.search(url.path):
            return None
        return url.path + (f"?{url.query}" if url.query else "")

    def get(self, path: str):
        """(status, headers, body) of a GET with the person's cookies, or what went wrong."""
        self.requests += 1
        request = urllib.request.Request(self.browser.base_url + path)  # noqa: S310 (loopback)
        try:
            with self.browser.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()
        except (HTTPException, OSError) as exc:  # a cut connection, a short body
            return f"the connection broke: {type(exc).__name__}: {exc}"

    def download(self, url: str):
        if url not in self.fetched:
            self.fetched[url] = self.open(self.get(url))
        return self.fetched[url]

    def open(self, reply) -> tuple[str, list[str]] | str:
        if isinstance(reply, str):
            return reply
        status, headers, body = reply
        disposition = headers.get("Content-Disposition", "")
        if status != 200 or "attachment" not in disposition:
            return f"answered {status} {headers.get('Content-Type', '')} instead of a file"
        name = files.filename(disposition)
        try:
            rows = files.rows_of(name, body)
        except files.Unreadable as exc:
            return f"{name}: {exc}"
        self.saw(name, "\n".join(rows), admin_page=True)
        return name, rows

    def saw(self, where: str, text: str, *, admin_page: bool) -> None:
        if found := set(PHONE_LIKE.findall(text)):
            self.result.phones.setdefault(where, set()).update(found)
        # A person's own pages (我的学习, 学法档案) show them their own reading time.
        if admin_page and (spent := minutes.time_spent(text)):
            self.result.time_spent.setdefault(where, set()).update(spent)

    def check_download(self, url: str, link: Link, opened, page: Page | None, page_path: str):
        where = f"download “{link.text or url}” {url} on {page_path}"
        self.result.followed.add(url)
        if isinstance(opened, str):
            self.problem(f"{where}: {opened}")
            return
        name, rows = opened
        if not any(d.url == url and d.page == page_path for d in self.result.downloads):
            size = sum(len(r) for r in rows)
            self.result.downloads.append(Download(url, page_path, link.text, name, size))
        for table in link.holds:
            self.holds.setdefault(table, where)
            shown = page.rows(table) if page else None
            if shown is None:  # the page shows none today (no exam in the year, say)
                continue
            self.shown.add(table)
            missing = missing_rows(shown, rows)
            self.result.rows_compared += len(shown) - len(missing)
            if missing:
                listed = "; ".join(" / ".join(keys) for keys in missing[:SHOWN])
                self.problem(
                    f"{where}: {name} lacks {len(missing)} of the {len(shown)} rows "
                    f"the page shows in “{table}”, e.g. {listed}"
                )

    def problem(self, text: str) -> None:
        self.result.problems.append(f"{self.result.role}: {text}")


def missing_rows(shown: list[list[str]], file_rows: list[str]) -> list[list[str]]:
    """The page's rows no row of the file holds (all of a row's keys in one file row)."""
    texts = [key_text(row) for row in file_rows]
    return [keys for keys in shown if not any(all(k in t for k in keys) for t in texts)]


def page_shape(path: str) -> str:
    url = urlsplit(path)
    keys = sorted({key for key, _ in parse_qsl(url.query, keep_blank_values=True)})
    return re.sub(r"(?<=/)\d+(?=/|$|\.)", "<id>", url.path) + "?" + "&".join(keys)
