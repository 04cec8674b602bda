"""The Yongxi demo data of the study feature, loaded by ``seed-demo``."""

from ..org.models import OrgUnit
from .demo_laws import seed_laws
from .demo_lists import seed_lists


def seed(town: OrgUnit, *, track) -> list[str]:
    """Add the demo records once; return lines to print (nothing when already there).
    ``track(items, label)`` wraps an iterable in a progress bar."""
    return [*seed_laws(town, track=track), *seed_lists(town, track=track)]
