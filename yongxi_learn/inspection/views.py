"""The pack's download, from a report draft's page: streamed as it is built, each
member as soon as it is made (zipfile writes to a stream that cannot seek)."""

from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user

from ..core.db import reading_context
from ..core.net import client_address
from ..core.spreadsheet_out import content_disposition
from ..core.time import utcnow
from ..extensions import db
from ..org import audit
from ..org.permissions import Perm, can, require
from ..reports.models import ReportDraft
from . import pack

bp = Blueprint("inspection", __name__)


@bp.get("/<int:draft_id>/pack.zip")
@require(Perm.VIEW_STATS)
def download(draft_id):
    record = db.session.get(ReportDraft, draft_id)
    if record is None or not can(current_user, Perm.VIEW_STATS, record.unit):
        abort(404)
    number = request.args.get("version", type=int)
    versions = {v.number: v for v in record.versions}
    version = versions.get(number) if number else (record.versions or [None])[-1]
    if version is None:
        abort(404)
    now = utcnow()
    source = pack.of_version(version, now=now)
    # Recorded before the first byte: the pack is built while it is sent.
    audit.record_download(
        "report.pack",
        actor=current_user,
        address=client_address(),
        obj=record,
        detail=f"{version.title} 第{version.number}稿 台账包"
        + ("（数字与当前记录不符，已标注）" if source.notice else ""),
    )
    response = Response(_body(source, now), mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(pack.zip_name(source))
    response.headers["Cache-Control"] = "no-store"
    return response


def _body(source: pack.Source, now):
    """The pack, built while it is sent. The server reads the body after the request's
    context has ended: each member is built in an app context of its own whose
    session only reads (under SQLite no write lock is held while a phone downloads)."""
    app = current_app._get_current_object()
    return pack.chunks(source, now=now, context=lambda: reading_context(app))
