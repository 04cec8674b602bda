"""The baseline: a bare Flask app with one route, served by the same gunicorn config."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
