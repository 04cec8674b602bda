"""The Yongxi demo data of this feature, loaded by ``seed-demo``."""

from ..org.models import OrgUnit


def seed(town: OrgUnit, *, track) -> list[str]:
    """Add the demo records once; return lines to print (nothing when already there).
    ``track(items, label)`` wraps an iterable in a progress bar."""
    return []
