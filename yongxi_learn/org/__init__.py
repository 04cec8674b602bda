"""Units (the OrgUnit tree) and people: models, services, admin pages, XLSX import."""

from flask import Flask


def register(app: Flask) -> None:
    """Units and people (人员), and their XLSX import."""
    from .import_views import bp as import_bp
    from .tenancy_views import bp as tenancy_bp
    from .views import bp

    app.register_blueprint(bp, url_prefix="/admin")
    app.register_blueprint(tenancy_bp, url_prefix="/admin")
    app.register_blueprint(import_bp, url_prefix="/admin/people/import")
