"""The two refusals every layer raises and the app answers alike (core/errors.py):
an object that is not there for the asker (404) and an action they may not take (403)."""


class NotFound(Exception):
    """The object does not exist or lies outside the actor's scope."""


class PermissionDenied(Exception):
    """The user lacks the permission over the object's unit."""
