"""Static files named after their content, cached for a year.

Every ``url_for("static", filename="css/app.css")`` gives
``/static/css/app.<content hash>.css``, so a phone on weak 4G keeps CSS and JS for a
year and still fetches a file the day it changes. The hash is in the file's name,
not in a query string, which some caches ignore. There is no build step: the static
view finds ``css/app.css`` behind the hashed name. A hash that is not today's file's
(a page of an older or newer release during a deployment) gets today's file with
the default revalidation, as does a request with no hash (an old bookmark).
"""

import hashlib
import os
import re
from functools import lru_cache

from flask import Flask, send_from_directory
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
DIGEST_LENGTH = 10
HASHED_NAME = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.\w+)$"
)


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:DIGEST_LENGTH]


def version_of(static_folder: str, filename: str) -> str | None:
    path = os.path.join(static_folder, filename)
    try:
        return _digest(path, os.stat(path).st_mtime_ns)
    except OSError:
        return None


def hashed_name(static_folder: str, filename: str) -> str | None:
    """``css/app.css`` as ``css/app.<hash>.css``; None for a missing file or one
    without an extension."""
    stem, dot, suffix = filename.rpartition(".")
    if not dot or not stem or stem.endswith("/") or "/" in suffix:
        return None
    version = version_of(static_folder, filename)
    return f"{stem}.{version}.{suffix}" if version else None


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _name_with_content_hash(endpoint, values):
        if endpoint == "static" and "filename" in values:
            hashed = hashed_name(app.static_folder, values["filename"])
            if hashed:
                values["filename"] = hashed

    def serve(filename):
        folder = app.static_folder
        match = HASHED_NAME.match(filename)
        # safe_join: nothing outside the folder is looked at, not even hashed.
        path = safe_join(folder, filename)
        if match and path and not os.path.isfile(path):
            plain = match["stem"] + match["suffix"]
            if version_of(folder, plain) == match["digest"]:
                response = send_from_directory(folder, plain, max_age=ONE_YEAR)
                # The name changes with the content: a browser need not even ask.
                response.cache_control.immutable = True
                return response
            filename = plain
        return app.send_static_file(filename)

    app.view_functions["static"] = serve
