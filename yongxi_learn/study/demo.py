"""The Yongxi demo data of the study feature, loaded by ``seed-demo`` after the law
library's (its lists name the laws)."""

from collections.abc import Collection
from datetime import datetime

from ..org.models import OrgUnit
from .demo_audio import seed_audio
from .demo_lists import seed_lists


def seed(town: OrgUnit, *, track, now: datetime, keep_open: Collection[int] = ()) -> list[str]:
    """Add the demo records once; return lines to print (nothing when already there).
    ``track(items, label)`` wraps an iterable in a progress bar; ``now`` dates last
    year's and this year's records; ``keep_open``: ids of people left with open work."""
    lines = seed_lists(town, track=track, now=now, keep_open=keep_open)
    return lines + seed_audio(town, now=now, keep_open=keep_open)
