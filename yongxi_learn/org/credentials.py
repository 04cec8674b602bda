"""The one-time passwords an admin hands out on paper: a new person's first password
and a reset one. Whoever holds one must choose their own at the next login
(``auth.passwords`` holds the rules of chosen passwords and every check)."""

import secrets
import string

from werkzeug.security import generate_password_hash

# No 0/O, 1/l/I: initial passwords are read off paper and typed on phones.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
# The hash of generated (initial and reset) passwords: see hash_generated_password.
GENERATED_METHOD = "pbkdf2:sha256:10000"


def generate_password(length: int = 10) -> str:
    while True:
        pw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


def hash_generated_password(password: str) -> str:
    # A generated password carries ~57 random bits, so key stretching adds nothing
    # against guessing; a light hash keeps importing hundreds of people quick.
    return generate_password_hash(password, method=GENERATED_METHOD)
