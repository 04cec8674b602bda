"""Password hashing and the policy of chosen passwords; the one-time passwords an
admin hands out are ``org.credentials``'."""

import gzip
import secrets
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..org.credentials import GENERATED_METHOD
from ..org.names import InvalidValue

MIN_LENGTH = 8
# Hashes of nothing anyone can type, checked so that every login costs the same.
_DUMMY_HASH_CACHE: dict[str, str] = {}
# Common passwords (see data/README.md for the source and its licence).
_COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt.gz"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(pw_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; every call costs one check with the configured
    method and one with the generated passwords' method, whatever the stored hash is
    (none, an initial password, a chosen one), so the time a wrong password takes
    tells nothing about the phone number (an unknown phone, an account still on its
    initial password, or one whose owner chose a password)."""
    methods = [current_app.config["PASSWORD_HASH_METHOD"], GENERATED_METHOD]
    stored = _method_of(pw_hash) if pw_hash else None
    if stored in methods:
        methods.remove(stored)
    for method in methods:
        _check_dummy(method, password)
    return bool(pw_hash) and check_password_hash(pw_hash, password)


def check_dummy(password: str) -> None:
    """The cost of a password check for no account (an unknown phone, a lockout)."""
    check_password(None, password)


def _method_of(pw_hash: str) -> str:
    # Werkzeug writes "method$salt$hash"; scrypt's method carries its parameters
    # ("scrypt:32768:8:1"), the configured name may not ("scrypt").
    method = pw_hash.split("$", 1)[0]
    if method == GENERATED_METHOD:
        return method
    configured = current_app.config["PASSWORD_HASH_METHOD"]
    if method.startswith(configured + ":") and ":" not in configured:
        return configured
    return method


def _check_dummy(method: str, password: str) -> None:
    if method not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[method] = generate_password_hash(secrets.token_hex(16), method=method)
    check_password_hash(_DUMMY_HASH_CACHE[method], password)


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def validate_new_password(password: str, *, phone: str) -> None:
    """Raise InvalidValue with a Chinese message when ``password`` breaks the policy."""
    if len(password) < MIN_LENGTH:
        raise InvalidValue(f"新密码至少{MIN_LENGTH}位")
    if not (
        any(c.isascii() and c.isalpha() for c in password) and any(c.isdigit() for c in password)
    ):
        raise InvalidValue("新密码须同时包含字母和数字")
    if phone and (phone in password or phone[-8:] in password):
        raise InvalidValue("新密码不能包含手机号")
    if password.lower() in common_passwords():
        raise InvalidValue("新密码过于常见，容易被猜中，请换一个")


def is_expired(user, *, max_age_days: int, now: datetime) -> bool:
    """Rotation: the person's own password is older than ``max_age_days`` (0: never).

    A person who never chose a password must change it anyway
    (``must_change_password``), so only chosen passwords age here.
    """
    if max_age_days <= 0 or user.password_changed_at is None:
        return False
    return user.password_changed_at < now - timedelta(days=max_age_days)
