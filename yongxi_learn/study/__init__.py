from flask import Flask


def register(app: Flask) -> None:
    """Blueprints and CLI commands of the study feature."""
    _register_library(app)
    _register_study(app)


def _register_library(app: Flask) -> None:
    """The law library (法规库)."""


def _register_study(app: Flask) -> None:
    """Study lists (学习清单) and reading assignments (阅读任务)."""
