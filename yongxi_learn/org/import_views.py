"""Bulk import of people from XLSX (placeholder until the import lands)."""

from flask import Blueprint, abort

from ..core.permissions import Perm, require

bp = Blueprint("people_import", __name__)


@bp.get("/")
@require(Perm.MANAGE_PEOPLE)
def upload():
    abort(404)
