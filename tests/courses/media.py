"""Small audio and video files made on the spot with PyAV (its wheel bundles FFmpeg
with libx264, libx265, AAC and LAME): a silent tone, a few coloured frames.

``python -m tests.courses.media demo`` remakes the demo's video and its 语音讲解
(yongxi_learn/demo_data/media/demo.mp4, note.m4a)."""

import array
import io
import math
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av

RATE = 22050


def _tone(seconds: float, rate: int = RATE) -> array.array:
    n = int(seconds * rate)
    return array.array("f", (0.2 * math.sin(2 * math.pi * 440 * i / rate) for i in range(n)))


def _add_audio(container, seconds: float, codec: str):
    _encode_audio(container, _audio_stream(container, codec), seconds)


def _audio_stream(container, codec: str):
    stream = container.add_stream(codec, rate=RATE if codec != "aac" else 44100)
    stream.layout = "mono"
    return stream


def _encode_audio(container, stream, seconds: float) -> None:
    rate = stream.rate
    samples = _tone(seconds, rate)
    frame_size = stream.codec_context.frame_size or 1152
    for start in range(0, len(samples), frame_size):
        chunk = samples[start : start + frame_size]
        frame = av.AudioFrame(format="flt", layout="mono", samples=len(chunk))
        frame.planes[0].update(chunk.tobytes().ljust(frame.planes[0].buffer_size, b"\0"))
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def mp3(seconds: float = 3) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format="mp3") as container:
        _add_audio(container, seconds, "libmp3lame")
    return out.getvalue()


def m4a(seconds: float = 3) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        _add_audio(container, seconds, "aac")
    return out.getvalue()


def aac(seconds: float = 3) -> bytes:
    """Raw AAC (ADTS), as some Android recorders save it."""
    out = io.BytesIO()
    with av.open(out, "w", format="adts") as container:
        _add_audio(container, seconds, "aac")
    return out.getvalue()


def mp4(seconds: float = 2, codec: str = "libx264", sound: bool = False) -> bytes:
    """A small video: ``codec`` libx264 (H.264) or libx265 (HEVC)."""
    # +faststart (the index before the data, so a phone starts playing at once) rewrites
    # the file: it needs a real one.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "video.mp4"
        _write_mp4(str(path), seconds, codec, sound)
        return path.read_bytes()


def _write_mp4(path: str, seconds: float, codec: str, sound: bool) -> None:
    with av.open(path, "w", format="mp4", options={"movflags": "+faststart"}) as container:
        fps = 10
        sound_stream = _audio_stream(container, "aac") if sound else None
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        if codec == "libx265":
            stream.options = {"x265-params": "log-level=none"}
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame(160, 96, "yuv420p")
            for plane, value in zip(frame.planes, (40 + i * 8 % 200, 90, 200), strict=True):
                plane.update(bytes([value]) * plane.buffer_size)
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if sound_stream is not None:
            _encode_audio(container, sound_stream, seconds)


if __name__ == "__main__" and sys.argv[1:] == ["demo"]:
    target = Path(__file__).parents[2] / "yongxi_learn/demo_data/media/demo.mp4"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(mp4(seconds=12, sound=True))
    print(target, target.stat().st_size)
    note = target.with_name("note.m4a")
    note.write_bytes(m4a(seconds=6))
    print(note, note.stat().st_size)
