"""Personal data (PIPL): who sees a phone number in full, and nothing personal cached.

A phone number is shown in full to its owner and to those who manage the person
(MANAGE_PEOPLE over the person's unit); everyone else — learners, 审阅人, a unit admin
looking at another unit — sees 138****1234. Pages and downloads are never stored by the
browser or a proxy (``Cache-Control: no-store``) once someone is logged in.
"""

import unicodedata

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from flask_login import current_user

from ..core.security import logged_in
from .models import OrgUnit, User
from .permissions import Perm, scope_units


def mask_phone(phone: str | None) -> str:
    """138****1234; anything that is not a full mobile number is hidden entirely."""
    phone = phone or ""
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[-4:]}"
    return "****" if phone else ""


def _full_roots(viewer: User | None) -> list[str]:
    """THE rule: the paths of the subtrees whose people ``viewer`` sees in full."""
    return [u.path for u in scope_units(viewer, Perm.MANAGE_PEOPLE)] if viewer else []


class PhoneView:
    """Phones as ``viewer`` may see them; the viewer's scope is read once."""

    def __init__(self, viewer: User | None):
        authenticated = viewer is not None and viewer.is_authenticated
        self._roots = _full_roots(viewer)
        self._own = viewer.phone if authenticated else None
        self._full: dict[str, bool] = {}  # by unit path: a long list has few units

    def full_over(self, unit: OrgUnit | str | None) -> bool:
        path = unit.path if isinstance(unit, OrgUnit) else unit
        if path is None:
            return False
        full = self._full.get(path)
        if full is None:
            full = self._full[path] = any(path.startswith(root) for root in self._roots)
        return full

    def __call__(self, phone: str | None, unit: OrgUnit | str | None) -> str:
        """``unit``: the person's unit (or its path)."""
        if phone and (phone == self._own or self.full_over(unit)):
            return phone
        return mask_phone(phone)


def phone_digits(text: str) -> str:
    """The digits of a search (full-width ones from a Chinese input method too)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch in "0123456789")


def phone_search(viewer: User | None, digits: str, phone=User.phone, unit_id=User.unit_id):
    """A WHERE clause: the people whose phone matches a search by ``digits``, as far as
    ``viewer`` sees it. Of the people they see in full (themselves, those they manage) any
    part matches; of everyone else only the full number or a part of what is shown
    (the first 3 or last 4 digits of 138****1234) — a search by a digit and the last four
    must not tell the hidden ones. ``phone``/``unit_id``: the person's columns."""
    if not digits:
        return sa.false()
    conds = [phone == digits] if len(digits) == 11 else []
    if len(digits) <= 4:  # what 138****1234 shows: the digits lie in one visible part
        conds.append(sa.func.substr(phone, 1, 3).contains(digits, autoescape=True))
        conds.append(sa.func.substr(phone, 8, 4).contains(digits, autoescape=True))
    unit = sa.orm.aliased(OrgUnit)  # the person's unit now, whatever the query joined
    full = [unit.path.startswith(root, autoescape=True) for root in _full_roots(viewer)]
    managed = unit_id.in_(sa.select(unit.id).where(sa.or_(*full))) if full else sa.false()
    own = phone == viewer.phone if viewer is not None and viewer.is_authenticated else None
    seen_in_full = sa.or_(managed, own) if own is not None else managed
    conds.append(sa.and_(seen_in_full, phone.contains(digits, autoescape=True)))
    return sa.or_(*conds)


def phone_view() -> PhoneView:
    """The logged-in person's view, once per request."""
    if "phone_view" not in g:
        g.phone_view = PhoneView(current_user)
    return g.phone_view


def shown_phone(phone: str | None, unit: OrgUnit | str | None) -> str:
    """In a request, as the logged-in person may see it; outside one (the CLI, run by
    the server's operator) in full."""
    if not has_request_context():
        return phone or ""
    return phone_view()(phone, unit)


def _in_full(phone: str | None, unit: OrgUnit | str | None) -> str:
    return phone or ""


def phone_shower():
    """``shown_phone`` for a long list (an export): whether there is a request, and the
    viewer's scope, are looked up once, not once a row."""
    return phone_view() if has_request_context() else _in_full


def init_app(app: Flask) -> None:
    app.add_template_global(shown_phone, "phone")

    @app.after_request
    def _no_store(response):
        # Every page and download of a logged-in person may hold personal data.
        if request.endpoint != "static" and logged_in():
            response.headers["Cache-Control"] = "no-store"
        return response
