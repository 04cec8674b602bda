"""Every law library test runs inside the app (and its fresh database)."""

import pytest


@pytest.fixture(autouse=True)
def _app(app):
    return app
