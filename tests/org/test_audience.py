"""An audience read in Python (``includes``, for the pages a person opens) holds
exactly the people its query (``people_select``, for lists and figures) returns."""

from itertools import product

import pytest
import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.org import audience
from yongxi_learn.org.models import Category, User


def test_includes_agrees_with_the_query_for_everyone(tree, make_user):
    people = [
        make_user("镇干部", tree["town"], category=Category.LEADER),
        make_user("办公室", tree["office"]),
        make_user("村干部", tree["village"], category=Category.VILLAGE_CADRE),
        make_user("明白人", tree["village2"], category=Category.LEGAL_LIAISON),
        make_user("停用者", tree["village"], category=Category.VILLAGE_CADRE, active=False),
        make_user("外镇人", tree["other_village"], category=Category.VILLAGE_CADRE),
    ]
    unit_sets = [[], [tree["town"].id], [tree["village"].id, tree["other_town"].id], [99999]]
    category_sets = [[], ["village_cadre"], ["leader", "legal_liaison"]]
    people_sets = [[], [people[1].id, people[5].id], [people[4].id]]
    checked = 0
    for units, categories, named in product(unit_sets, category_sets, people_sets):
        spec = {"units": units, "categories": categories, "people": named}
        expected = set(db.session.scalars(audience.people_select(spec).with_only_columns(User.id)))
        everyone = db.session.scalars(sa.select(User)).all()
        got = {p.id for p in everyone if audience.includes(spec, p)}
        assert got == expected, spec
        checked += bool(expected)
    assert checked >= 15  # half the combinations hold someone: the comparison means something
    assert not audience.includes({}, people[0])
    assert not audience.includes(None, people[0])


def test_check_accepts_named_people_only_inside_the_owner(tree, make_user):
    inside = [make_user("镇干部", tree["town"]), make_user("村干部", tree["village"])]
    outside = make_user("外镇人", tree["other_village"])
    town = tree["town"]
    audience.check({"people": [p.id for p in inside] * 2}, town)  # repeated: still fine
    audience.check({"people": [inside[1].id]}, tree["village"])
    for named, owner in (
        ([inside[0].id, outside.id], town),
        ([inside[0].id, 99999], town),  # nobody has this id
        ([inside[0].id], tree["village"]),  # above the owner
    ):
        with pytest.raises(audience.AudienceError, match="对象中的人员不在本单位范围内"):
            audience.check({"people": named}, owner)
