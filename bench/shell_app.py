"""The floor under ``home_ratio``: the real app with one page of nothing of its own.

``/bench/shell`` is what every page of a logged-in learner costs before it reads or
shows anything: the person loaded from the session (with their unit and grants),
the layout (``base.html``: navigation by permission, the static files' versioned
URLs) rendered around an empty body, and the app's response hooks. Served by the
same gunicorn config as the app, its ratio to the bare route is the most any such
page, the home page among them, can reach.

``/bench/shell-anon`` is the same layout for nobody logged in: the difference between
the two is what the login costs every page (``login_share`` in bench/run.py).
"""

from flask import render_template
from flask_login import login_required

from yongxi_learn import create_app

app = create_app()
PATH = "/bench/shell"  # bench/run.py asks for it
ANON_PATH = "/bench/shell-anon"


@app.get(PATH)
@login_required
def shell():
    return render_template("base.html")


@app.get(ANON_PATH)
def shell_anon():
    return render_template("base.html")
