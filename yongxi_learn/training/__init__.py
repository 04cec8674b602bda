from flask import Flask


def register(app: Flask) -> None:
    """Blueprints and CLI commands of this feature."""
