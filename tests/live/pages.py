"""Reading a page the way the live tier needs it: its links, and the rows its tables show.

The markup says what a download holds: a download link's ``data-holds="name ..."`` names
the elements (``data-rows="name"``) whose rows the file must hold. A ``<table>`` so named
shows one row per body row (a row with an ``.empty`` cell is the empty-list message); any
other element is one row. A row is identified by the text of its ``data-key`` elements,
else by its first cell (or, outside a table, by its whole text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}
SKIPPED_TEXT = {"script", "style", "template"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        if self.tag in SKIPPED_TEXT:
            return ""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        # Close up to the matching open element; a stray end tag is ignored.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


@dataclass
class Link:
    href: str
    text: str
    download: bool
    holds: tuple[str, ...]


@dataclass
class Page:
    root: Node

    @classmethod
    def parse(cls, html: str) -> Page:
        builder = _TreeBuilder()
        builder.feed(html)
        builder.close()
        return cls(builder.root)

    def links(self) -> list[Link]:
        return [
            Link(
                href=node.attrs["href"] or "",
                text=squeeze(node.text()),
                download="download" in node.attrs,
                holds=tuple((node.attrs.get("data-holds") or "").split()),
            )
            for node in self.root.walk()
            if node.tag == "a" and node.attrs.get("href") is not None
        ]

    def rows(self, name: str) -> list[list[str]] | None:
        """The keys of each row the elements named ``name`` show (None: no such element)."""
        named = [n for n in self.root.walk() if name in (n.attrs.get("data-rows") or "").split()]
        if not named:
            return None
        rows: list[list[str]] = []
        for node in named:
            if node.tag == "table":
                rows += [_row_keys(tr, _cells(tr)[:1]) for tr in _body_rows(node)]
            else:
                rows.append(_row_keys(node, [node]))
        return [keys for keys in rows if keys]


def _body_rows(table: Node) -> list[Node]:
    bodies = [n for n in table.walk() if n.tag == "tbody"] or [table]
    rows = [tr for body in bodies for tr in body.walk() if tr.tag == "tr"]
    return [tr for tr in rows if not any("empty" in c.classes() for c in _cells(tr))]


def _cells(tr: Node) -> list[Node]:
    return [c for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")]


def _row_keys(row: Node, default: list[Node]) -> list[str]:
    marked = [n for n in row.walk() if "data-key" in n.attrs]
    return [key for n in (marked or default) if (key := key_text(n.text()))]


def squeeze(text: str) -> str:
    return " ".join(text.split())


def key_text(text: str) -> str:
    """A row key as it is compared: without whitespace (cells wrap and indent as the
    markup does), and a text cut short with "…" stands for its start."""
    return "".join(text.split()).removesuffix("…")
