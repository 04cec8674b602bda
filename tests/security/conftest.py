from tests.training.conftest import kinds  # noqa: F401  (training kinds for the session form)
