"""Versioned static files with a long cache life.

Every ``url_for("static", ...)`` gets ``?v=<content hash>``, so a phone on weak 4G
keeps CSS and JS for a year and still fetches a file the day it changes. A request
without the version (an old bookmark) is served with the default revalidation.
"""

import hashlib
import os
from functools import lru_cache

from flask import Flask, request

ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:10]


def version_of(static_folder: str, filename: str) -> str | None:
    path = os.path.join(static_folder, filename)
    try:
        return _digest(path, os.stat(path).st_mtime_ns)
    except OSError:
        return None


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _add_version(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = version_of(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    default_max_age = app.get_send_file_max_age

    def max_age(filename):
        if request.args.get("v"):
            return ONE_YEAR
        return default_max_age(filename)

    app.get_send_file_max_age = max_age
