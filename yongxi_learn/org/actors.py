"""The actor of the current request, for views of any feature to hand to services."""

from flask_login import current_user

from ..core.net import client_address
from .services import Actor


def current_actor() -> Actor:
    """The signed-in user and the address the request came from (for the audit log)."""
    return Actor(user=current_user, address=client_address())
