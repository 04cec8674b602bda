"""Text responses compressed when the browser accepts it (Flask-Compress).

A pilot serves phones over 4G with no proxy in front: an attempt page with its CSS
and JS is about a fifth of its size gzipped. Compressed: pages, CSS, JS, JSON, SVG,
CSV and plain text. XLSX and DOCX are zip files already and keep their bytes. An
exam's autosave answer (a few dozen bytes of JSON) is below the minimum size and
goes out as it is.

BREACH (guessing a secret in a compressed page from the page's size, over many
requests that reflect the attacker's text) does not get a usable CSRF token: a page
carries Flask-WTF's token signed with a timestamp, so its signature changes every
second, too fast to be guessed that way, and the part that stays the same (the raw
token) is worthless without a signature only SECRET_KEY can make. The session
cookie is never in a body.
"""

from flask import Flask
from flask_compress import Compress

MIMETYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "text/csv",
    "text/plain",
]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # Static files and downloads are sent from disk in chunks ("streamed"). gzip is
    # what every browser accepts over plain HTTP (br and zstd only over HTTPS), and
    # Flask-Compress leaves it out of its streaming list by default.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    Compress(app)

    # Registered after Compress, so it runs before it (after_request runs in reverse).
    @app.after_request
    def _close_what_compression_wraps(response):
        # Compressing a streamed body replaces it with a generator over it, and closing
        # the response then no longer closes the original (a static file's handle).
        original = response.response
        if response.is_streamed and hasattr(original, "close"):
            response.call_on_close(original.close)
        return response
