from tests.training.conftest import kinds, make_session  # noqa: F401  (fixtures)
