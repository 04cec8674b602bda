"""Numbers and JSON from a request, bounded before a view or the database sees them.

Every id column is a PostgreSQL ``integer`` (SQLite's is 64-bit): an id, a page or a
unit from the URL beyond that range made the database refuse the query, which
answered 500 (a DataError, or SQLite's OverflowError). So ``<int:...>`` in a route
matches only what an id can be (404 beyond), ``args.get(..., type=int)`` answers 400
for a number out of range, a ``year`` anywhere is a calendar year a report could
have, and JSON nested deeper than Python's stack is a bad request, not a
RecursionError. The 400 and 404 pages are core/errors.py's, in Chinese.
"""

from collections.abc import Callable
from typing import ClassVar

from flask import Request as FlaskRequest
from flask import current_app
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

INT_MAX = 2**31 - 1  # PostgreSQL integer
# Query arguments with a narrower meaning than "a number" (the first year with data
# is the platform's first, the last one a report could ever be about).
RANGES = {"year": (2000, 2100)}


class IdConverter(IntegerConverter):
    """``<int:...>``: non-negative and within a database integer, else no match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class UrlMap(Map):
    default_converters: ClassVar = {**Map.default_converters, "int": IdConverter}


def bounded_int(value, key: str | None = None) -> int:
    """``int(value)``; BadRequest (400) when it is a number out of range, ValueError
    (so the caller's default) when it is not a number at all."""
    number = int(value)
    low, high = RANGES.get(key, (-INT_MAX, INT_MAX))
    if not low <= number <= high:
        raise BadRequest(f"{key or '数值'}超出范围")
    return number


class BoundedArgs(ImmutableMultiDict):
    """Query and form values whose ``get(..., type=int)`` is bounded (bounded_int)."""

    def get(self, key, default=None, type=None):
        if type is int:
            return super().get(key, default, lambda value: bounded_int(value, key))
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        if type is int:
            return super().getlist(key, lambda value: bounded_int(value, key))
        return super().getlist(key, type)


# Endpoints allowed a larger body than MAX_CONTENT_LENGTH (a course's video), with
# their limit in bytes read from the config; features register theirs. Decided by the
# endpoint, so the limit holds from the first read of the body (CSRFProtect reads the
# form before any view runs).
LARGE_BODIES: dict[str, Callable[[dict], int]] = {}


class Request(FlaskRequest):
    parameter_storage_class = BoundedArgs

    @property
    def max_content_length(self) -> int | None:
        larger = LARGE_BODIES.get(self.endpoint or "")
        if larger is not None:
            return larger(current_app.config)
        return FlaskRequest.max_content_length.fget(self)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        FlaskRequest.max_content_length.fset(self, value)


class JSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            # get_json turns a ValueError into 400 (or None when silent).
            raise ValueError("JSON nested too deeply") from exc
