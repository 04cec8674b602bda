"""The learner's home page (我的学习) and the health check."""

from flask import Flask


def register(app: Flask) -> None:
    """The home page, and the health checks a load balancer asks."""
    from .views import bp, healthz, ping

    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/ping", "ping", ping)
