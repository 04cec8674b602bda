"""Demo data: see study/demo.py."""

from ..org.models import OrgUnit


def seed_laws(town: OrgUnit, *, track) -> list[str]:
    return []
