"""Importing a law's text (pasted, or a .txt / .docx upload): preview, then confirm.

The text is parsed and shown; nothing is saved. The text and the metadata wait as a
PendingImport (kind "law", the same mechanism as the people and question imports):
confirming parses the stored text again and saves it only if it is still what the
admin previewed (the digest). A new version of an existing law carries its id.
"""

import hashlib
import json
from dataclasses import dataclass, field

from ..core import staging
from ..core.exceptions import NotFound
from ..core.pending_import import PendingImport
from ..core.spreadsheets import Limits
from ..core.staging import ImportChanged, ImportExpired, ImportInvalid
from ..extensions import db
from ..org.models import OrgUnit
from ..org.services import Actor
from . import services
from .models import Law
from .parser import LawParseError, ParsedLaw, parse_text
from .services import LawError, LawMeta

__all__ = [
    "ImportChanged",
    "ImportExpired",
    "ImportInvalid",
    "LawPlan",
    "confirm",
    "import_now",
    "stage",
]

KIND = "law"


@dataclass
class LawPlan:
    meta: LawMeta
    parsed: ParsedLaw
    owner_unit: OrgUnit
    base: Law | None  # the version a new version replaces
    filename: str
    payload: bytes
    digest: str = field(init=False)
    ok: bool = True

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256(self.payload).hexdigest()[:32]


def _payload(meta: LawMeta, text: str, owner_unit: OrgUnit, base: Law | None) -> bytes:
    data = {
        "meta": meta.to_dict(),
        "owner_unit_id": owner_unit.id,
        "law_id": base.id if base else None,
        "text": text,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


def plan(
    meta: LawMeta,
    text: str,
    *,
    owner_unit: OrgUnit,
    base: Law | None,
    actor: Actor,
    filename: str = "",
) -> LawPlan:
    """Check and parse; LawError or LawParseError says what is wrong."""
    services.ensure_manage(actor, base.owner_unit if base else owner_unit)
    if base is not None and not base.is_current:
        raise LawError("只能为现行有效的版本导入新版本")
    parsed = parse_text(text)
    if not meta.title.strip():
        # The text's first line is the title when it is short (as published).
        meta.title = parsed.suggested_title
    meta = services.check_meta(meta)
    if base is None:
        services.ensure_new(meta.title, owner_unit)
    return LawPlan(meta, parsed, owner_unit, base, filename, _payload(meta, text, owner_unit, base))


def stage(
    meta: LawMeta,
    text: str,
    *,
    owner_unit: OrgUnit,
    base: Law | None,
    actor: Actor,
    limits: Limits,
    filename: str = "",
) -> tuple[PendingImport, LawPlan]:
    """Plan the import and keep it for its uploader to confirm."""
    result = plan(meta, text, owner_unit=owner_unit, base=base, actor=actor, filename=filename)
    label = filename or result.meta.title
    pending = staging.stage(KIND, result.payload, label, user=actor.user, limits=limits)
    return pending, result


def _replan(pending: PendingImport, actor: Actor) -> LawPlan:
    try:
        data = json.loads(pending.content.decode())
    except (UnicodeDecodeError, ValueError):
        raise NotFound from None
    owner_unit = db.session.get(OrgUnit, data["owner_unit_id"])
    base = db.session.get(Law, data["law_id"]) if data["law_id"] else None
    if owner_unit is None or (data["law_id"] and base is None):
        raise NotFound
    return plan(
        LawMeta.from_dict(data["meta"]),
        data["text"],
        owner_unit=owner_unit,
        base=base,
        actor=actor,
        filename=pending.filename,
    )


def _apply(result: LawPlan, actor: Actor) -> Law:
    # The importer asks for the law's whole text (and says so on its page).
    if result.base is not None:
        return services.import_version(
            result.base, result.meta, result.parsed, actor=actor, full_text=True
        )
    return services.create_law(
        result.meta, result.parsed, owner_unit=result.owner_unit, actor=actor, full_text=True
    )


def import_now(
    meta: LawMeta,
    text: str,
    *,
    owner_unit: OrgUnit,
    base: Law | None,
    actor: Actor,
    filename: str = "",
) -> Law:
    """Check, parse and save at once, as confirming a preview does: for the ``laws
    import`` command and the demo library, where no one previews. The caller commits."""
    result = plan(meta, text, owner_unit=owner_unit, base=base, actor=actor, filename=filename)
    return _apply(result, actor)


def confirm(token: str, digest: str, *, actor: Actor, limits: Limits) -> Law:
    """Save the staged law if it is still what was previewed; the caller commits."""
    return staging.confirm(
        KIND,
        token,
        digest,
        user=actor.user,
        limits=limits,
        replan=lambda pending: _replan(pending, actor),
        apply=lambda result: _apply(result, actor),
    )


__all__ += ["LawError", "LawParseError"]
