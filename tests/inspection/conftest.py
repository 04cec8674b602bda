from tests.stats.conftest import scenario  # noqa: F401  (the hand-built 2024 exam)
from tests.training.conftest import cadre, kinds, make_session  # noqa: F401
