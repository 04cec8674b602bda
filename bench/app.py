"""The app with the benchmark's own command, ``bench-data`` (district-sized fictional
data), which the app itself does not carry: ``flask --app bench.app bench-data``
(run from the project folder, as ``make bench`` does)."""

from flask import Flask

import yongxi_learn
from bench.datagen.cli import bench_data_command


def create_app() -> Flask:
    app = yongxi_learn.create_app()
    app.cli.add_command(bench_data_command)
    return app
