"""The law library (法规库): laws in versions, their articles, import, search, and the
待复核 review of what points at an amended law. It knows no feature: each feature that
points at laws registers its references (``references.register``) when it is set up."""

from flask import Flask


def register(app: Flask) -> None:
    """The library's pages and its ``flask laws`` commands."""
    from .cli import laws_cli
    from .views import bp

    app.register_blueprint(bp, url_prefix="/laws")
    app.cli.add_command(laws_cli)
