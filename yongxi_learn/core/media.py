"""Uploaded audio and video (a course's media, an audio explanation of a law article or
a reading): checked by content, stored under instance/media/ with a name the server
chose, and sent with HTTP Range (or handed to nginx). Features keep their own rows
(who uploaded it, where it belongs) and their own limits; the file is handled here.

Accepted: audio is MP3, raw AAC (ADTS, .aac), or MP4 (M4A) holding AAC and no video;
video is MP4 whose every video track is H.264 (sample entry avc1/avc3) and whose sound,
if any, is AAC.
A phone's browser plays these without a plug-in. The extension and the browser's
Content-Type are not trusted: the file's own structure decides (mutagen).
"""

import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import Response, current_app, send_file
from mutagen import MutagenError
from mutagen.aac import AAC as ADTS
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, Atoms
from sqlalchemy.orm import Mapped, mapped_column

from .labels import LabelledEnum

MB = 1024 * 1024
NOT_VIDEO = "文件不是MP4(H.264)视频"
NOT_AUDIO = "文件不是MP3或M4A(AAC)音频"
H264 = {b"avc1", b"avc3"}
AAC = {b"mp4a"}
CHUNK = 1024 * 1024


class MediaKind(LabelledEnum):
    AUDIO = "audio", "音频"
    VIDEO = "video", "视频"


class MediaRefused(Exception):
    """The upload is not what was asked for; the message is shown."""


@dataclass(frozen=True)
class Checked:
    kind: MediaKind
    mime: str
    extension: str
    duration_seconds: int | None


def media_dir() -> Path:
    return Path(current_app.instance_path) / "media"


def body_limit(max_bytes: int) -> int:
    """An upload request's limit: the file and its form around it."""
    return max_bytes + MB


# ---------------------------------------------------------------- checking


def check(f: IO[bytes], kind: MediaKind) -> Checked:
    """What the file is, if it is what ``kind`` asks for; MediaRefused otherwise."""
    f.seek(0)
    head = f.read(12)
    f.seek(0)
    if head[4:8] == b"ftyp":
        return _check_mp4(f, kind)
    if kind is MediaKind.VIDEO:
        raise MediaRefused(NOT_VIDEO)
    # An ADTS frame header: 12 sync bits, then the MPEG layer bits 00 (an MP3's are not).
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return _check_adts(f)
    return _check_mp3(f)


def _check_mp3(f: IO[bytes]) -> Checked:
    try:
        info = MP3(f).info
    except (MutagenError, ValueError, struct.error):
        raise MediaRefused(NOT_AUDIO) from None
    # mutagen finds a frame sync in almost anything; a real MP3 has a sane bitrate and
    # a length to play.
    if not info.length or not info.bitrate or info.sample_rate < 8000:
        raise MediaRefused(NOT_AUDIO)
    return Checked(MediaKind.AUDIO, "audio/mpeg", "mp3", _seconds(info.length))


def _check_adts(f: IO[bytes]) -> Checked:
    """Raw AAC (.aac), as some Android recorders save it."""
    try:
        info = ADTS(f).info
    except (MutagenError, ValueError, struct.error):
        raise MediaRefused(NOT_AUDIO) from None
    if not info.length or info.sample_rate < 8000:
        raise MediaRefused(NOT_AUDIO)
    return Checked(MediaKind.AUDIO, "audio/aac", "aac", _seconds(info.length))


def _check_mp4(f: IO[bytes], kind: MediaKind) -> Checked:
    refused = MediaRefused(NOT_VIDEO if kind is MediaKind.VIDEO else NOT_AUDIO)
    try:
        tracks = _tracks(f)
        f.seek(0)
        length = MP4(f).info.length
    except (MutagenError, KeyError, ValueError, struct.error, EOFError):
        raise refused from None
    video = [entry for handler, entry in tracks if handler == b"vide"]
    sound = [entry for handler, entry in tracks if handler == b"soun"]
    if any(entry not in AAC for entry in sound):
        raise refused
    if kind is MediaKind.VIDEO:
        if not video or any(entry not in H264 for entry in video):
            raise refused
        return Checked(MediaKind.VIDEO, "video/mp4", "mp4", _seconds(length))
    if video or not sound:
        raise refused
    return Checked(MediaKind.AUDIO, "audio/mp4", "m4a", _seconds(length))


def _tracks(f: IO[bytes]) -> list[tuple[bytes, bytes]]:
    """(handler type, first sample entry type) of each track: b"vide", b"avc1"."""
    atoms = Atoms(f)
    out = []
    for trak in atoms[b"moov"].findall(b"trak"):
        hdlr = _payload(f, trak[b"mdia", b"hdlr"], 12)
        stsd = _payload(f, trak[b"mdia", b"minf", b"stbl", b"stsd"], 16)
        # hdlr: version/flags, pre_defined, handler type; stsd: version/flags, count,
        # then the first entry's size and type.
        out.append((hdlr[8:12], stsd[12:16]))
    return out


def _payload(f: IO[bytes], atom, size: int) -> bytes:
    f.seek(atom.offset + 8)
    data = f.read(size)
    if len(data) < size:
        raise ValueError("truncated atom")
    return data


def _seconds(length: float | None) -> int | None:
    return round(length) if length else None


def check_upload(
    f: IO[bytes], kind: MediaKind, *, max_bytes: int, max_seconds: int | None = None
) -> tuple[Checked, int]:
    """The upload checked by size, content and (if given) length: what it is and its
    size in bytes; MediaRefused with the reason otherwise."""
    size = size_of(f)
    if size == 0:
        raise MediaRefused("请选择文件")
    if size > max_bytes:
        raise MediaRefused(f"文件超过{max_bytes // MB}MB，请压缩后再上传")
    checked = check(f, kind)
    if max_seconds and (checked.duration_seconds or 0) > max_seconds:
        limit = f"{max_seconds // 60}分钟" if max_seconds >= 60 else f"{max_seconds}秒"
        raise MediaRefused(f"录音超过{limit}，请录制{limit}以内的讲解")
    return checked, size


def duration_text(seconds: int | None) -> str:
    """3分05秒, 40秒; empty when unknown."""
    if not seconds:
        return ""
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}分{seconds:02d}秒" if minutes else f"{seconds}秒"


class StoredMedia:
    """The columns of a feature's row for one stored file (instance/media/<stored_name>):
    a name the server chose, never the uploader's filename."""

    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    mime: Mapped[str] = mapped_column(sa.String(40))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    duration_seconds: Mapped[int | None]

    @property
    def duration_text(self) -> str:
        return duration_text(self.duration_seconds)


# ---------------------------------------------------------------- storing


def size_of(f: IO[bytes]) -> int:
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(0)
    return size


def store(f: IO[bytes], checked: Checked) -> str:
    """Copy the checked upload into instance/media/ under a new random name."""
    folder = media_dir()
    folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{checked.extension}"
    partial = folder / f".{name}.part"
    f.seek(0)
    with open(partial, "xb") as out:
        while chunk := f.read(CHUNK):
            out.write(chunk)
    os.replace(partial, folder / name)
    return name


def accept(
    f: IO[bytes],
    kind: MediaKind,
    *,
    max_bytes: int,
    max_seconds: int | None = None,
    error: type[Exception] = MediaRefused,
) -> dict:
    """Check an upload (``check_upload``) and store it: the values of its ``StoredMedia``
    columns, and its ``kind``. Refused: ``error`` (the feature's own) with the reason."""
    try:
        checked, size = check_upload(f, kind, max_bytes=max_bytes, max_seconds=max_seconds)
    except MediaRefused as exc:
        raise error(str(exc)) from exc
    return {
        "stored_name": store(f, checked),
        "mime": checked.mime,
        "size_bytes": size,
        "duration_seconds": checked.duration_seconds,
        "kind": checked.kind,
    }


def remove(stored_name: str) -> None:
    (media_dir() / stored_name).unlink(missing_ok=True)


# ---------------------------------------------------------------- sending


def send(stored_name: str, mime: str) -> Response:
    """The file with Range support; behind nginx (MEDIA_X_ACCEL) only a header that
    lets nginx's internal location send it (Range included)."""
    prefix = current_app.config.get("MEDIA_X_ACCEL") or ""
    if prefix:
        response = Response(status=200, mimetype=mime)
        response.headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + stored_name
    else:
        response = send_file(
            media_dir() / stored_name, mimetype=mime, conditional=True, etag=True, max_age=0
        )
    # Sent to a logged-in person: org.privacy makes it Cache-Control: no-store.
    return response


# ---------------------------------------------------------------- 语音讲解


def note_max_bytes(config) -> int:
    """The largest 语音讲解 (an audio explanation of an article or a reading)."""
    return int(config["AUDIO_NOTE_MAX_MB"]) * MB


def note_max_seconds(config) -> int:
    return int(config["AUDIO_NOTE_MAX_MINUTES"]) * 60


def note_body_limit(config) -> int:
    return body_limit(note_max_bytes(config))
