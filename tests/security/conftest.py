import pytest

from tests.security.world import build
from tests.training.conftest import kinds  # noqa: F401  (training kinds for the session form)


@pytest.fixture
def world(app, tree, make_user):
    """Two towns' objects; the route sweeps call every URL with town B's ids."""
    with app.test_request_context():  # the report draft links its figures
        return build(tree, make_user)
