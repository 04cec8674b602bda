"""The law library (法规库): laws in versions, their articles, import, search, and the
待复核 review of what points at an amended law. It knows no feature: each feature that
points at laws registers its references (``references.register``) when it is set up."""

from flask import Flask


def register(app: Flask) -> None:
    """The library's pages and its ``flask laws`` commands."""
    from ..core.inputs import LARGE_BODIES
    from ..core.media import note_body_limit
    from . import audio_views  # noqa: F401  (its routes are on ``bp``)
    from .cli import laws_cli
    from .views import bp

    app.register_blueprint(bp, url_prefix="/laws")
    # A phone's recording is larger than any form: its own limit (AUDIO_NOTE_MAX_MB).
    LARGE_BODIES["laws.add_audio"] = note_body_limit
    app.cli.add_command(laws_cli)
