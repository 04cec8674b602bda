"""The figures (统计口径, DESIGN §3): computed in one place, ``stats.queries``; the
dashboards, downloads and the ``stats export`` command show them."""

from flask import Flask


def register(app: Flask) -> None:
    """The dashboards' blueprint, the CLI, and the year overview's sections after the
    exams' (built in): 集中学习, 学习清单与阅读任务, imported external results, 学时."""
    from . import (
        credit_section,
        credit_views,
        external_section,
        study_section,
        threshold_views,
        training_section,
    )
    from .cli import stats_cli
    from .views import bp

    assert threshold_views.bp is bp  # its routes (达标情况) are on the same blueprint
    assert credit_views.bp is bp  # and those of 学时

    training_section.register()
    study_section.register()
    external_section.register()
    credit_section.register()

    app.register_blueprint(bp, url_prefix="/stats")
    app.cli.add_command(stats_cli)
