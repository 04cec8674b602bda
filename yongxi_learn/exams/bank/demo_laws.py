"""The demo law library as the demo question bank meets it: the bank's questions were
written before the amendments, so they are linked to the versions in force then and,
once the amended versions come in, wait for review (待复核) as after a real amendment."""

import sqlalchemy as sa

from ...extensions import db
from ...laws.demo import seed_laws
from ...org.models import OrgUnit
from ..models import Question
from . import links


def seed_library(town: OrgUnit, *, track) -> list[str]:
    """The demo library (laws.demo.seed_laws) with the town's questions linked to it.
    Returns the lines to print (none when everything was there already); the caller
    commits."""
    flagged_before = _flagged(town)
    linked = 0

    def link() -> None:
        nonlocal linked
        linked += links.link_by_name(town.id)

    lines = seed_laws(town, track=track, before_amendments=link)
    link()  # the title-only entries
    if linked:
        lines.append(f"示例题库中{linked}题已关联到法规库。")
    if flagged := _flagged(town) - flagged_before:
        lines.append(f"示例题库中{flagged}题引用的法规已修订，待复核。")
    return lines


def _flagged(town: OrgUnit) -> int:
    query = sa.select(sa.func.count()).where(
        Question.owner_unit_id == town.id, Question.needs_review.is_(True)
    )
    return db.session.scalar(query) or 0
