"""ZIP files that come out byte for byte the same from the same content: every member
with one fixed date, fixed permissions and a fixed order, so a download and the CLI
(or two downloads) can be compared by their SHA-256.

``ZipStream`` writes members to a stream that cannot seek (a response body): each
member's bytes are handed on as soon as it is written.
"""

import io
import zipfile
from collections.abc import Iterator
from datetime import datetime

FILE_MODE = 0o644 << 16


def zip_info(name: str, when: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_date_time(when))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = FILE_MODE
    info.create_system = 3  # the same on every host
    return info


def _date_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    # A ZIP date cannot be before 1980; seconds are stored in steps of two.
    when = max(when, datetime(1980, 1, 1))
    return (when.year, when.month, when.day, when.hour, when.minute, when.second // 2 * 2)


def rezip(data: bytes, when: datetime) -> bytes:
    """A zip file (a .docx) again, its members in the same order with the date
    ``when``: libraries stamp members with the time they were written."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            target.writestr(zip_info(member.filename, when), source.read(member))
    return out.getvalue()


class _Sink(io.RawIOBase):
    """Collects what zipfile writes until it is taken; cannot seek, so zipfile writes
    each member's sizes after its data (a data descriptor)."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def close(self) -> None:
        """Never closed: a pack abandoned half way (the download cancelled) lets its
        ZipFile finish into this sink when collected, instead of raising there."""

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


class ZipStream:
    """``add`` members one by one, each followed by ``take`` (the bytes written so far),
    and ``close`` (returns the rest: the central directory)."""

    def __init__(self, when: datetime):
        self.when = when
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", zipfile.ZIP_DEFLATED)

    def add(self, name: str, data: bytes) -> bytes:
        self._zip.writestr(zip_info(name, self.when), data)
        return self._sink.take()

    def close(self) -> bytes:
        self._zip.close()
        return self._sink.take()


def stream(members: Iterator[tuple[str, bytes]], when: datetime) -> Iterator[bytes]:
    """The zip file of ``members`` (name, data), in order, as chunks."""
    out = ZipStream(when)
    for name, data in members:
        yield out.add(name, data)
    yield out.close()
