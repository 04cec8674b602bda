from flask import Flask


def register(app: Flask) -> None:
    """Blueprints of the training feature."""
    from .admin_views import bp as admin_bp
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp, url_prefix="/admin/training")
