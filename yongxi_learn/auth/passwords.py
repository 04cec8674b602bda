"""Password hashing, policy and generated one-time passwords."""

import secrets
import string
from datetime import datetime, timedelta

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..org.names import InvalidValue

MIN_LENGTH = 8
# No 0/O, 1/l/I: initial passwords are read off paper and typed on phones.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
# A hash of nothing anyone can type, checked for unknown phones so a wrong phone
# and a wrong password take the same time.
_DUMMY_HASH_CACHE: dict[str, str] = {}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def hash_generated_password(password: str) -> str:
    # A generated password carries ~57 random bits, so key stretching adds nothing
    # against guessing; a light hash keeps importing hundreds of people quick.
    return generate_password_hash(password, method="pbkdf2:sha256:10000")


def check_password(pw_hash: str | None, password: str) -> bool:
    if not pw_hash:
        check_dummy(password)
        return False
    return check_password_hash(pw_hash, password)


def check_dummy(password: str) -> None:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[method] = generate_password_hash(secrets.token_hex(16), method=method)
    check_password_hash(_DUMMY_HASH_CACHE[method], password)


def generate_password(length: int = 10) -> str:
    while True:
        pw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


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


def is_expired(user, *, max_age_days: int, now: datetime) -> bool:
    """Rotation: the person's own password is older than ``max_age_days`` (0: never).

    A person who never chose a password must change it anyway
    (``must_change_password``), so only chosen passwords age here.
    """
    if max_age_days <= 0 or user.password_changed_at is None:
        return False
    return user.password_changed_at < now - timedelta(days=max_age_days)
