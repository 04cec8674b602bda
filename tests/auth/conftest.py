"""Login tests need people, not the whole unit tree: one unit keeps them quick."""

import pytest

from yongxi_learn.org.models import UnitKind


@pytest.fixture
def unit(app, make_unit):
    return make_unit("雍溪镇", UnitKind.TOWN)


@pytest.fixture
def person(make_user, unit):
    return make_user("李四", unit)
