"""Configuration: safe defaults, overridden by the environment and instance/config.py.

Nothing secret lives here. SECRET_KEY comes from the environment or from a file
generated once into the instance folder (see ``load_secret_key``).
"""

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

MIN_SECRET_KEY_LENGTH = 32


class Config:
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app (SQLite under instance/)
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {}
    SQLITE_BUSY_TIMEOUT_S = 30

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "yongxi_session"
    # Absolute lifetime of a login, whatever the activity.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Idle timeout: people holding an admin, unit-admin or reviewer role; everyone else.
    # Any request of the person (an exam's autosave too) counts as activity.
    SESSION_IDLE_ADMIN_MINUTES = 30
    SESSION_IDLE_MINUTES = 120
    # Old secret keys still accepted for signed cookies while a new key rolls out.
    SECRET_KEY_FALLBACKS: ClassVar[list] = []
    # The login's lifetime runs from its start on the server (LoginSession.created_at),
    # so re-signing the cookie on every request (an autosave each few seconds) buys
    # nothing; the cookie is written when the session changes.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session; exams run for hours
    WTF_I18N_ENABLED = False  # WTForms' own Chinese messages (core.forms.Form)

    # Number of trusted reverse proxies in front of the app (0: use the socket address).
    PROXY_FIX_X_FOR = 0
    PREFERRED_URL_SCHEME = "http"

    # Counters every worker shares, in the database (core/ratelimit.py); or Redis.
    RATELIMIT_STORAGE_URI = "yongxi-db://"
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = "30 per minute;300 per hour"
    # The public /verify page of 成绩证明 (record/verify_views.py), per address.
    VERIFY_RATE_LIMIT = "20 per minute;200 per hour"
    LOGIN_LOCK_THRESHOLD = 5
    LOGIN_LOCK_MINUTES = 15
    # Wrong passwords for one phone from all unknown browsers together (auth.services).
    LOGIN_ACCOUNT_LOCK_THRESHOLD = 20
    PASSWORD_MAX_AGE_DAYS = 0  # forced change after this many days; 0 = never
    PASSWORD_HISTORY = 3  # the last N passwords cannot be chosen again
    # Send Strict-Transport-Security even when the proxy does not say "https".
    HSTS = False

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a hash method's name, not a password)
    TIMEZONE = "Asia/Shanghai"
    PER_PAGE = 30
    # The report section: a rate (coverage, 参考率, 通过率, 2+1) under this percent, or
    # 0%, is written among the weak points (存在的问题), never among the achievements.
    REPORT_RATE_THRESHOLD = 90

    # The operator named on the 备案 information sheet (feedback/filing.py): who runs
    # this deployment (e.g. 大足区司法局), and how to reach them. Empty: the sheet says
    # so in words to fill in by hand.
    OPERATOR_NAME = ""
    OPERATOR_CONTACT = ""
    SITE_ADDRESS = ""  # the address people open, e.g. https://xuefa.example.gov.cn
    # People deactivated more than this many years ago are anonymised by
    # ``flask privacy purge`` (org/retention.py).
    PRIVACY_RETENTION_YEARS = 3

    # Spreadsheet upload limits, checked before any parsing.
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    IMPORT_MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
    IMPORT_MAX_ZIP_ENTRIES = 200
    IMPORT_MAX_ROWS = 2000  # one request; a whole town is ~250 people
    IMPORT_PENDING_MINUTES = 60
    # What an upload's XML may hold, counted before openpyxl / python-docx build it:
    # a small file of millions of empty cells or paragraphs must be refused in about
    # 2 s and 100 MB, not run a worker out of time or memory.
    # A full question bank (2,000 rows x 15 columns) has 30,000 cells and at most
    # 16,000 distinct texts; openpyxl takes about 30 us per shared string.
    IMPORT_MAX_CELLS = 50_000  # in one workbook
    IMPORT_MAX_SHARED_STRINGS = 25_000
    IMPORT_MAX_COLUMNS = 256  # cells in one row
    IMPORT_MAX_PARAGRAPHS = 50_000  # in one .docx; 民法典 has about 4,500
    # All parts together: 民法典 as plain .docx has 28,000; Word's formatting adds a few times that.
    IMPORT_MAX_XML_ELEMENTS = 250_000

    # Course audio and video (core/media.py): the largest upload, in MB; and, behind
    # nginx, the internal location that serves instance/media/ (X-Accel-Redirect), e.g.
    # "/protected-media/"; empty: the app sends the bytes itself (with Range).
    COURSE_MEDIA_MAX_MB = 200
    # A 语音讲解 on a law article or a reading (laws/audio.py, study/reading_audio.py):
    # a phone recording (M4A/AAC or MP3), at most this large and this long.
    AUDIO_NOTE_MAX_MB = 20
    AUDIO_NOTE_MAX_MINUTES = 5
    MEDIA_X_ACCEL = ""

    PRODUCTION = False
    # The speed-ups that reach past Flask's and its extensions' public API
    # (core/patches.py); off: the frameworks as they ship.
    FRAMEWORK_PATCHES = True
    # With PRODUCTION: plain HTTP is refused and cookies are Secure, unless this says
    # the site is reached over plain HTTP on an internal network (enforce_production).
    ALLOW_HTTP = False


def from_environment() -> dict:
    """Settings taken from environment variables (the 12-factor way)."""
    env = os.environ
    out: dict = {}
    if env.get("DATABASE_URL"):
        out["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(env["DATABASE_URL"])
    if env.get("SECRET_KEY"):
        out["SECRET_KEY"] = env["SECRET_KEY"]
    if env.get("RATELIMIT_STORAGE_URI"):
        out["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
    if env.get("LOGIN_RATE_LIMIT"):
        out["LOGIN_RATE_LIMIT"] = env["LOGIN_RATE_LIMIT"]
    if env.get("VERIFY_RATE_LIMIT"):
        out["VERIFY_RATE_LIMIT"] = env["VERIFY_RATE_LIMIT"]
    for name in _TEXT_SETTINGS:
        if env.get(name):
            out[name] = env[name].strip()
    if env.get("PROXY_FIX_X_FOR"):
        out["PROXY_FIX_X_FOR"] = int(env["PROXY_FIX_X_FOR"])
    for name in _INT_SETTINGS:
        if env.get(name):
            out[name] = int(env[name])
    if env.get("SESSION_LIFETIME_HOURS"):
        out["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(env["SESSION_LIFETIME_HOURS"]))
    if env.get("SECRET_KEY_FALLBACKS"):
        out["SECRET_KEY_FALLBACKS"] = [
            key.strip() for key in env["SECRET_KEY_FALLBACKS"].split(",") if key.strip()
        ]
    if env.get("HSTS", "").lower() in {"1", "true", "yes"}:
        out["HSTS"] = True
    if env.get("YONGXI_FRAMEWORK_PATCHES", "").lower() in {"0", "false", "no"}:
        out["FRAMEWORK_PATCHES"] = False
    if env.get("YONGXI_PRODUCTION", "").lower() in {"1", "true", "yes"}:
        out["PRODUCTION"] = True
    if env.get("YONGXI_ALLOW_HTTP", "").lower() in {"1", "true", "yes"}:
        out["ALLOW_HTTP"] = True
    if env.get("SESSION_COOKIE_SECURE", "").lower() in {"1", "true", "yes"}:
        out["SESSION_COOKIE_SECURE"] = True
        out["PREFERRED_URL_SCHEME"] = "https"
    return out


_INT_SETTINGS = (
    "SESSION_IDLE_ADMIN_MINUTES",
    "SESSION_IDLE_MINUTES",
    "PASSWORD_MAX_AGE_DAYS",
    "PASSWORD_HISTORY",
    "LOGIN_LOCK_THRESHOLD",
    "LOGIN_LOCK_MINUTES",
    "LOGIN_ACCOUNT_LOCK_THRESHOLD",
    "REPORT_RATE_THRESHOLD",
    "PRIVACY_RETENTION_YEARS",
    "COURSE_MEDIA_MAX_MB",
    "AUDIO_NOTE_MAX_MB",
    "AUDIO_NOTE_MAX_MINUTES",
)
_TEXT_SETTINGS = ("OPERATOR_NAME", "OPERATOR_CONTACT", "SITE_ADDRESS", "MEDIA_X_ACCEL")


def enforce_production(config) -> str | None:
    """What PRODUCTION implies for cookies, URLs and HSTS; a warning to log, if any.

    Over HTTPS (the default) every cookie is Secure and HSTS is sent; plain HTTP is
    refused by core.security. ALLOW_HTTP (an internal network without TLS) leaves
    cookies as they are configured: a Secure cookie is never sent back over HTTP, so
    forcing it would make logging in impossible there."""
    if not config["PRODUCTION"]:
        return None
    if config["ALLOW_HTTP"]:
        return (
            "YONGXI_ALLOW_HTTP: plain HTTP is accepted and cookies are not forced Secure;"
            " use this only on an internal network"
        )
    config["SESSION_COOKIE_SECURE"] = True
    config["REMEMBER_COOKIE_SECURE"] = True
    config["PREFERRED_URL_SCHEME"] = "https"
    config["HSTS"] = True
    if not config["PROXY_FIX_X_FOR"]:
        return (
            "production: only HTTPS requests are served; behind a reverse proxy set"
            " PROXY_FIX_X_FOR so its X-Forwarded-Proto is trusted"
        )
    return None


def private_sqlite_file(url: str) -> None:
    """Create the SQLite database file of ``url`` before anything connects to it (see
    ``create_private_file``)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return
    if name.startswith("file:") or parsed.query.get("uri"):
        return
    if Path(name).parent.is_dir():
        create_private_file(Path(name))


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only, if it does not exist.

    SQLite takes an empty file for a new database, and gives its -wal, -shm and
    -journal files the database file's mode: created 0600, they are private too,
    whatever the umask. An existing file keeps its mode (the operator's choice)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _normalise_db_url(url: str) -> str:
    # Accept the common short forms and always use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance_path: str) -> str:
    """Read instance/secret_key, creating it (mode 0600) on first use.

    Several gunicorn workers may start at once: the key is written to a private
    temporary file and linked into place, so every worker reads the same key.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
