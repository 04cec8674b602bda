"""Demo data: the law library, loaded from the real texts shipped in demo_data/laws
(22 national laws, public domain: see the README there) through the importer, as an
admin's import or ``flask laws import`` loads them.

The first version of every law is imported first; then the caller's
``before_amendments`` links what other features' demo data cites (the question bank was
written before the amendments); then the amended versions come in as new versions, so
the older ones show 已修改 and what cites them 待复核, as after a real amendment. Laws
the demo names that are not among the texts (党内法规, a few laws) are entries with
their title only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..core.spreadsheets import Limits
from ..extensions import db
from ..org.models import OrgUnit
from ..org.services import SYSTEM
from . import batch, services
from .models import Law, LawKind
from .services import LawMeta

LAW_FOLDER = Path(__file__).resolve().parent.parent / "demo_data" / "laws"
NPCSC = "全国人民代表大会常务委员会"


@dataclass(frozen=True)
class TitleOnly:
    title: str
    kind: LawKind
    issuer: str
    short_name: str = ""
    promulgated_on: date | None = None
    effective_on: date | None = None


# Named by the demo's question bank, study list or training sessions; no text shipped.
TITLE_ONLY = [
    TitleOnly(
        "中国共产党章程",
        LawKind.PARTY_REGULATION,
        "中国共产党全国代表大会",
        "党章",
        promulgated_on=date(2022, 10, 22),
    ),
    TitleOnly(
        "中国共产党纪律处分条例",
        LawKind.PARTY_REGULATION,
        "中共中央",
        "纪律处分条例",
        effective_on=date(2024, 1, 1),
    ),
    TitleOnly(
        "信访工作条例", LawKind.PARTY_REGULATION, "中共中央、国务院", effective_on=date(2022, 5, 1)
    ),
    TitleOnly(
        "中华人民共和国行政强制法",
        LawKind.LAW,
        NPCSC,
        "行政强制法",
        date(2011, 6, 30),
        date(2012, 1, 1),
    ),
    TitleOnly(
        "中华人民共和国国家安全法",
        LawKind.LAW,
        NPCSC,
        "国家安全法",
        date(2015, 7, 1),
        date(2015, 7, 1),
    ),
    TitleOnly("中华人民共和国未成年人保护法", LawKind.LAW, NPCSC, "未成年人保护法"),
    TitleOnly(
        "中华人民共和国反电信网络诈骗法",
        LawKind.LAW,
        NPCSC,
        "反电信网络诈骗法",
        date(2022, 9, 2),
        date(2022, 12, 1),
    ),
    TitleOnly(
        "中华人民共和国禁毒法", LawKind.LAW, NPCSC, "禁毒法", date(2007, 12, 29), date(2008, 6, 1)
    ),
]


def law_files() -> list[batch.LawFile]:
    """The shipped texts read with their manifest, older versions before newer."""
    paths = sorted(LAW_FOLDER.glob("*.txt"))
    return batch.in_order(batch.read_files(paths, Limits.from_config(current_app.config)))


def _split(files: list[batch.LawFile]) -> tuple[list, list]:
    """The first version of each law, and the later ones."""
    seen: set[str] = set()
    first, later = [], []
    for item in files:
        title = item.meta.title if item.meta else item.name
        (later if title in seen else first).append(item)
        seen.add(title)
    return first, later


def _import(items, owner: OrgUnit, label: str, track) -> list[batch.Outcome]:
    outcomes = []
    with track(items, label) as bar:
        for item in bar:
            outcome = batch.import_file(item, owner_unit=owner, actor=SYSTEM)
            if outcome.refused:  # a shipped file is known to split: this is a bug
                raise RuntimeError(f"{item.name}: {outcome.refused}")
            outcomes.append(outcome)
    return outcomes


def _title_only(owner: OrgUnit) -> int:
    added = 0
    for entry in TITLE_ONLY:
        query = sa.select(Law.id).where(Law.owner_unit_id == owner.id, Law.title == entry.title)
        if db.session.scalar(query.limit(1)) is None:
            meta = LawMeta(
                entry.title,
                entry.kind,
                entry.short_name,
                entry.issuer,
                entry.promulgated_on,
                entry.effective_on,
            )
            services.create_law(meta, None, owner_unit=owner, actor=SYSTEM)
            added += 1
    return added


def seed_laws(
    town: OrgUnit, *, track, before_amendments: Callable[[], object] = lambda: None
) -> list[str]:
    """The demo library, kept by the town's district (or the town): the shipped texts,
    then the title-only entries. ``before_amendments`` runs once the first versions are
    in. Returns the lines to print (none when everything was there already); the caller
    commits."""
    owner = town.parent or town
    first, later = _split(law_files())
    outcomes = _import(first, owner, "法规库", track)
    before_amendments()
    outcomes += _import(later, owner, "法规库：修订版本", track)
    title_only = _title_only(owner)
    added = [o for o in outcomes if o.action != "已在法规库中"]
    lines = []
    if added:
        versions = [o for o in added if o.action == "新版本"]
        articles = sum(o.articles for o in added)
        lines.append(
            f"已载入法规库{len(added)}个法规文本（共{articles}条；其中{len(versions)}部为修订后的"
            f"新版本，旧版本已标记为已修改）。"
        )
    if title_only:
        lines.append(f"另录入{title_only}部法规的名称（无条文）。")
    return lines
