from tests.stats.conftest import scenario, towns  # noqa: F401  (2024 exams)
from tests.training.conftest import cadre, kinds, make_session  # noqa: F401
