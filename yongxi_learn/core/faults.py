"""A hook for the fault tests (tests/faults): a test server can make grading stop
halfway, with the per-question grades written but not committed, so the test can
kill the worker there. Off unless TEST_GRADING_PAUSE_FILE is configured, which only
the environment variable YONGXI_TEST_GRADING_PAUSE_FILE of a test server does.
It pauses once: the file, once written, tells later gradings to go on."""

import os
import time
from pathlib import Path

from flask import current_app

from ..extensions import db

PAUSE_S = 30


def pause_for_fault_tests() -> None:
    path = current_app.config.get("TEST_GRADING_PAUSE_FILE")
    if not path or Path(path).exists():
        return
    db.session.flush()  # the half-done grading is in the database's transaction
    Path(path).write_text(str(os.getpid()))
    time.sleep(PAUSE_S)
