"""Flask extensions, created unbound and initialised in create_app."""

import sqlalchemy as sa
from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from .core.net import client_address

# Constraint names are stable and identical on SQLite and PostgreSQL, so
# migrations can drop and alter them (and batch mode on SQLite works).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address, default_limits=[])


# The only GETs with a limit: the public page that checks a certificate's code.
LIMITED_GETS = frozenset({"verify.form", "verify.show"})


@limiter.request_filter
def _only_posts_are_limited() -> bool:
    """Every other limit in the app is on a POST (login, the sign-in code): skip the
    limiter's per-request bookkeeping for the rest (15% of a trivial request's time)."""
    return request.method != "POST" and request.endpoint not in LIMITED_GETS
