"""The app the worker-kill fault test serves through gunicorn
(``tests.faults.grading_pause_wsgi:app``): the grader stops halfway through a submit,
every question's grade written but not committed and the attempt not yet closed, and
writes the worker's pid to $FAULT_GRADING_PAUSE_FILE so the test can kill it there.
It pauses once: the file, once written, lets later gradings go on.

Both submit paths grade through ``scoring.mark``; the fast path imported the name, so
it is patched there too. A renamed function fails here, loudly, at the server's start."""

import os
import time
from pathlib import Path

from wsgi import app
from yongxi_learn.exams import scoring
from yongxi_learn.exams.taking import fast_submit
from yongxi_learn.extensions import db

__all__ = ["app"]

PAUSE_S = 30
PAUSE_FILE = Path(os.environ["FAULT_GRADING_PAUSE_FILE"])


def pausing(real):
    def mark(*args, **kwargs):
        result = real(*args, **kwargs)
        if not PAUSE_FILE.exists():
            db.session.flush()  # the half-done grading is in the database's transaction
            PAUSE_FILE.write_text(str(os.getpid()))
            time.sleep(PAUSE_S)
        return result

    return mark


scoring.mark = pausing(scoring.mark)
fast_submit.mark = pausing(fast_submit.mark)
