"""Counting what an uploaded Office file's XML holds before a parser builds it.

openpyxl and python-docx build every cell of a row, every shared string and every
paragraph in memory before the caller sees one, so a small, well-compressed file of
millions of empty elements costs a worker minutes and gigabytes. Each XML part of the
ZIP is streamed through expat (no tree, no DTD, no entities) counting elements, and
the scan stops at the first limit passed: the cost of a refusal is bounded by the
limits, not by the file.
"""

import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

CHUNK = 64 * 1024
_SEPARATOR = " "  # expat reports namespaced names as "uri local"


class XmlRefused(Exception):
    """A part passed a limit or is not plain XML; the message says why, in Chinese."""


@dataclass(frozen=True)
class Count:
    """At most ``limit`` elements named ``tag`` ("{namespace}local") — in the whole
    file, or, with ``within``, inside each element of that name (cells of one row)."""

    tag: str
    limit: int
    message: str
    within: str | None = None


def _expat_name(clark: str) -> str:
    namespace, _, local = clark[1:].partition("}")
    return f"{namespace}{_SEPARATOR}{local}"


class _Counter:
    def __init__(self, counts: tuple[Count, ...], max_elements: int, too_many: str):
        self.counts = counts
        self.seen = [0] * len(counts)
        self.counted: dict[str, list[int]] = {}
        self.resets: dict[str, list[int]] = {}
        for index, count in enumerate(counts):
            self.counted.setdefault(_expat_name(count.tag), []).append(index)
            if count.within:
                self.resets.setdefault(_expat_name(count.within), []).append(index)
        self.left = max_elements
        self.too_many = too_many

    def start(self, name, _attrs):
        self.left -= 1
        if self.left < 0:
            raise XmlRefused(self.too_many)
        for index in self.resets.get(name, ()):
            self.seen[index] = 0
        for index in self.counted.get(name, ()):
            self.seen[index] += 1
            if self.seen[index] > self.counts[index].limit:
                raise XmlRefused(self.counts[index].message)


class _Declaration(Exception):
    pass


def _refuse_declarations(*_args):
    # Office files never carry a DTD; one here is an entity-expansion attempt.
    raise _Declaration


def _looks_like_xml(head: bytes) -> bool:
    """XML in any encoding lxml would accept; images and other binary parts are skipped."""
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<\0", b"\0<")):
        return True
    return head.lstrip()[:1] == b"<"


def scan(
    archive: zipfile.ZipFile,
    counts: tuple[Count, ...],
    *,
    max_elements: int,
    too_many: str,
    unreadable: str,
) -> None:
    """XmlRefused if a limit is passed (its message) or a part is not plain,
    well-formed XML without a DTD (``unreadable``)."""
    counter = _Counter(counts, max_elements, too_many)
    try:
        for info in archive.infolist():
            if not info.is_dir():
                _scan_part(archive, info, counter, unreadable)
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
        # Truncated or damaged data, an unknown compression method, a password.
        raise XmlRefused(unreadable) from exc


def _scan_part(archive, info, counter: _Counter, unreadable: str) -> None:
    with archive.open(info) as stream:
        chunk = stream.read(CHUNK)
        if not _looks_like_xml(chunk[:64]):
            return
        parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
        parser.StartElementHandler = counter.start
        parser.StartDoctypeDeclHandler = _refuse_declarations
        parser.EntityDeclHandler = _refuse_declarations
        parser.ExternalEntityRefHandler = _refuse_declarations
        try:
            while chunk:
                parser.Parse(chunk, False)
                chunk = stream.read(CHUNK)
            parser.Parse(b"", True)
        except (_Declaration, expat.ExpatError):
            raise XmlRefused(unreadable) from None
