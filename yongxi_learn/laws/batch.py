"""Many law files at once: the ``laws import`` command and the demo library.

Each file goes through the importer (importing.import_now: the checks and the save of
the admin's import, without the preview). Its metadata comes from a ``manifest.csv``
beside it when there is one (file, title, short_name, kind, version_date, status,
articles: the layout of the shipped demo_data/laws), else from the text: the title
line, the date in the file name (``行政复议法(2023-09-01).txt``) or the latest date of
the promulgation notes, the issuer named in the last note. A file whose law the library
already holds (same title, same unit) becomes a new version when it is newer, as the
web import's 导入新版本 does; the same version again is left alone. A file that
cannot be read or split is refused with the reason, and the others go on.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from ..core.spreadsheets import Limits
from ..extensions import db
from ..org.models import OrgUnit
from ..org.services import Actor
from . import importing
from .files import LawFileError, read_law_file
from .models import LAW_KIND_LABELS, Law, LawArticle, LawKind, LawStatus
from .parser import LawParseError, normalise, parse_text
from .services import LawError, LawMeta

MANIFEST = "manifest.csv"
PRC = "中华人民共和国"
NPC = "全国人民代表大会"
NPCSC = "全国人民代表大会常务委员会"
# The manifest's kinds: the library's labels, and 宪法 itself among 宪法相关法.
KINDS = {label: kind for kind, label in LAW_KIND_LABELS.items()} | {"宪法": LawKind.CONSTITUTIONAL}
AMENDED = LawStatus.AMENDED.label
FILE_DATE = re.compile(r"[(（](\d{4})-(\d{1,2})-(\d{1,2})[)）]")
NOTE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
EFFECTIVE = re.compile(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起施行")


@dataclass(frozen=True)
class ManifestRow:
    title: str
    short_name: str
    kind: LawKind | None
    version_date: date | None
    amended: bool  # the manifest says 已修改: an older version
    articles: int | None


def read_manifest(folder: Path) -> dict[str, ManifestRow]:
    """The rows of ``folder``/manifest.csv by file name ({} when there is none)."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    rows = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("file") or "").strip()
            if not name:
                continue
            count = (row.get("articles") or "").strip()
            rows[name] = ManifestRow(
                title=(row.get("title") or "").strip(),
                short_name=(row.get("short_name") or "").strip(),
                kind=KINDS.get((row.get("kind") or "").strip()),
                version_date=_iso(row.get("version_date")),
                amended=(row.get("status") or "").strip() == AMENDED,
                articles=int(count) if count.isdigit() else None,
            )
    return rows


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@dataclass
class LawFile:
    """One file read and described; ``problem`` says why it cannot be imported."""

    path: Path
    text: str = ""
    meta: LawMeta | None = None
    amended: bool = False
    expected: int | None = None  # the manifest's article count
    problem: str = ""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def version_date(self) -> date | None:
        return self.meta.promulgated_on if self.meta else None


def read_files(paths: Iterable[Path], limits: Limits) -> list[LawFile]:
    """Every file read, its metadata taken from the manifest beside it or its text."""
    manifests: dict[Path, dict[str, ManifestRow]] = {}
    files = []
    for path in paths:
        folder = path.parent
        if folder not in manifests:
            manifests[folder] = read_manifest(folder)
        files.append(_read(path, manifests[folder].get(path.name), limits))
    return files


def _read(path: Path, row: ManifestRow | None, limits: Limits) -> LawFile:
    item = LawFile(path)
    try:
        if not path.is_file():
            raise LawFileError("文件不存在")
        item.text = read_law_file(path.read_bytes(), path.name, limits)
        parsed = parse_text(item.text)
    except (OSError, LawFileError, LawParseError) as exc:
        item.problem = str(exc) if not isinstance(exc, OSError) else f"无法读取（{exc.strerror}）"
        return item
    title = (row.title if row else "") or parsed.suggested_title
    if not title:
        item.problem = "无法确定法规名称：文本第一行应为法规名称（或在 manifest.csv 中填写）"
        return item
    notes = parsed.preamble[1:]
    promulgated = (row.version_date if row else None) or _file_date(path) or _last_date(notes)
    item.meta = LawMeta(
        title=title,
        kind=(row.kind if row else None) or kind_of(title),
        short_name=(row.short_name if row else "") or short_name_of(title),
        issuer=issuer_of(notes),
        promulgated_on=promulgated,
        effective_on=_effective(item.text, promulgated),
    )
    item.amended = bool(row and row.amended)
    item.expected = row.articles if row else None
    return item


def kind_of(title: str) -> LawKind:
    """The kind a title says: 宪法, 党内法规 (中国共产党…), 条例 of the State Council
    are not told from the title alone, so anything else is a 法律."""
    if title.endswith("宪法"):
        return LawKind.CONSTITUTIONAL
    if title.startswith("中国共产党"):
        return LawKind.PARTY_REGULATION
    return LawKind.LAW


def short_name_of(title: str) -> str:
    return title.removeprefix(PRC) if title.startswith(PRC) and len(title) > len(PRC) else ""


def issuer_of(notes: list[str]) -> str:
    """The body named by the last promulgation note (who last passed or amended it)."""
    for line in reversed(notes):
        if NPCSC in line:
            return NPCSC
        if NPC in line:
            return NPC
    return ""


def _date(match: re.Match) -> date | None:
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _file_date(path: Path) -> date | None:
    match = FILE_DATE.search(path.stem)
    return _date(match) if match else None


def _last_date(notes: list[str]) -> date | None:
    found = [_date(m) for line in notes for m in NOTE_DATE.finditer(line)]
    return max((d for d in found if d), default=None)


def _effective(text: str, promulgated: date | None) -> date | None:
    """自…起施行 of the text, when it is not before this version (an amended text
    keeps the first enactment's date, which is not this version's)."""
    lines = normalise(text)[-5:]
    found = [_date(m) for line in lines for m in EFFECTIVE.finditer(line)]
    found = [d for d in found if d]
    if not found or (promulgated and found[-1] < promulgated):
        return None
    return found[-1]


def in_order(files: list[LawFile]) -> list[LawFile]:
    """Older versions of a law before newer ones (so the newer becomes a new version),
    the laws otherwise in the order given; unreadable files first, in theirs."""
    first_seen: dict[str, int] = {}
    for index, item in enumerate(files):
        if item.meta is not None:
            first_seen.setdefault(item.meta.title, index)

    def key(item: LawFile):
        if item.meta is None:
            return (-1, date.min, False)
        return (first_seen[item.meta.title], item.version_date or date.min, not item.amended)

    return sorted(files, key=key)


@dataclass(frozen=True)
class Outcome:
    """What became of one file: ``law`` saved (or already there), or ``refused``."""

    file: LawFile
    law: Law | None = None
    articles: int = 0
    action: str = ""  # 新增, 新版本, 已在法规库中
    refused: str = ""

    @property
    def title(self) -> str:
        return self.file.meta.title if self.file.meta else ""


def import_file(item: LawFile, *, owner_unit: OrgUnit, actor: Actor) -> Outcome:
    """Save one file's law (each in a savepoint: a refused file leaves nothing)."""
    if item.problem or item.meta is None:
        return Outcome(item, refused=item.problem)
    family = _family(item.meta.title, owner_unit)
    same = next((law for law in family if _same_version(law, item)), None)
    if same is not None:
        return Outcome(item, same, _count(same), "已在法规库中")
    base = next((law for law in family if law.is_current), None)
    if base is not None and _count(base) and _newer(base, item):
        return Outcome(
            item,
            refused=f"法规库中的现行版本（{base.promulgated_on.isoformat()}）比此文件新",
        )
    try:
        with db.session.begin_nested():
            law = importing.import_now(
                item.meta,
                item.text,
                owner_unit=owner_unit,
                base=base,
                actor=actor,
                filename=item.name,
            )
    except (LawError, LawParseError) as exc:
        return Outcome(item, refused=str(exc))
    return Outcome(item, law, _count(law), "新版本" if base is not None else "新增")


def _family(title: str, owner_unit: OrgUnit) -> list[Law]:
    query = sa.select(Law).where(Law.owner_unit_id == owner_unit.id, Law.title == title)
    return list(db.session.scalars(query.order_by(Law.version)))


def _count(law: Law) -> int:
    query = sa.select(sa.func.count()).select_from(LawArticle).where(LawArticle.law_id == law.id)
    return db.session.scalar(query) or 0


def _same_version(law: Law, item: LawFile) -> bool:
    return (
        item.version_date is not None
        and law.promulgated_on == item.version_date
        and _count(law) > 0
    )


def _newer(law: Law, item: LawFile) -> bool:
    return bool(law.promulgated_on and item.version_date and law.promulgated_on > item.version_date)
