"""Helpers for the study tests: choosing and finishing a list's items as a person."""

from yongxi_learn.core.time import utcnow
from yongxi_learn.org.services import Actor
from yongxi_learn.study import plans

from .conftest import item_of


def choose(lst, person, *titles):
    ids = [item_of(lst, t).id for t in titles]
    plans.choose(lst, person, ids, actor=Actor(person), now=utcnow())


def finish(lst, person, *titles):
    for title in titles:
        item = item_of(lst, title)
        plans.record_reading(item, person, now=utcnow())
        plans.finish(item, person, now=utcnow())
