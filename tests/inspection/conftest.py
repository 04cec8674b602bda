from tests.stats.conftest import scenario, towns  # noqa: F401  (the 2024 exam; two towns)
from tests.training.conftest import cadre, kinds, make_session  # noqa: F401
