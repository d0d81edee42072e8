"""Panhuo settings: one environment-driven module (see docs/settings.md)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PANHUO_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("PANHUO_ENV", "dev")  # dev | test | prod
PROD = ENV == "prod"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    key = os.environ.get("PANHUO_SECRET_KEY")
    key_file = os.environ.get("PANHUO_SECRET_KEY_FILE")
    if key_file:
        key = Path(key_file).read_text(encoding="utf-8").strip()
    if key:
        return key
    if PROD:
        raise RuntimeError("PANHUO_SECRET_KEY or PANHUO_SECRET_KEY_FILE must be set in production")
    # Development: a per-checkout random key kept in the data folder, never committed.
    local = DATA_DIR / ".secret_key"
    if not local.exists():
        import secrets

        local.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        local.chmod(0o600)
    return local.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("PANHUO_SECRET_KEY_FALLBACKS", "").split(",") if k]
# Production-like by default, also for `scripts/up.sh`: debugging (tracebacks, URL lists on 404) is an explicit
# opt-in with PANHUO_DEBUG=1 and never allowed in production (deploy check panhuo.E010).
DEBUG = _env_bool("PANHUO_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("PANHUO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("PANHUO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "panhuo.common",
    "panhuo.classification",
    "panhuo.accounts",
    "panhuo.imports",
    "panhuo.patents",
    "panhuo.upkeep",
    "panhuo.evaluation",
    "panhuo.demand",
    "panhuo.matching",
    "panhuo.deals",
    "panhuo.disclosures",
    "panhuo.outcomes",
    "panhuo.financing",
    "panhuo.programmes",
    "panhuo.community",
    "panhuo.monitoring",
    "panhuo.reports",
    "panhuo.navigation",
    "panhuo.portal",
]

MIDDLEWARE = [
    "panhuo.common.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "panhuo.common.middleware.RequestSizeLimitMiddleware",
    "panhuo.common.middleware.NulCharacterMiddleware",
    "panhuo.accounts.middleware.SessionPolicyMiddleware",
    "panhuo.common.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "panhuo.common.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "panhuo.common.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{DATA_DIR / 'panhuo.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # WAL for concurrent readers; FULL so money, deals and audit are durable on commit (F-4).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("PANHUO_DB_CONN_MAX_AGE", "60"))
    sslmode = os.environ.get("PANHUO_DB_SSLMODE")
    if sslmode:
        DATABASES["default"].setdefault("OPTIONS", {})["sslmode"] = sslmode
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (Huey): SQLite file on the embedded default, Redis when PANHUO_REDIS_URL is set.
REDIS_URL = os.environ.get("PANHUO_REDIS_URL")
HUEY_IMMEDIATE = _env_bool("PANHUO_HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("PANHUO_HUEY_NAME", "panhuo"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "panhuo",
        "filename": str(Path(os.environ.get("PANHUO_HUEY_FILE", DATA_DIR / "huey.sqlite3"))),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- Identity ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "panhuo.accounts.hashers.Argon2idPasswordHasher",  # new hashes; the PBKDF2 ones below still verify
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# Argon2id cost (panhuo/accounts/hashers.py); the deploy check refuses less than OWASP's minimum 19456 / 2 / 1.
PANHUO_ARGON2_TIME_COST = int(os.environ.get("PANHUO_ARGON2_TIME_COST", "2"))
PANHUO_ARGON2_MEMORY_KIB = int(os.environ.get("PANHUO_ARGON2_MEMORY_KIB", "19456"))
PANHUO_ARGON2_PARALLELISM = int(os.environ.get("PANHUO_ARGON2_PARALLELISM", "1"))
PANHUO_PASSWORD_PROFILE = os.environ.get("PANHUO_PASSWORD_PROFILE", "dengbao")  # dengbao | asvs
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "panhuo.accounts.passwords.PolicyValidator"},
]
# Roles that must pass TOTP at sign-in (AUTH-5); deal approvers are asked again at approval (step-up).
PANHUO_OTP_ROLES = tuple(
    r for r in os.environ.get("PANHUO_OTP_ROLES", "system_admin,security_admin,audit_admin").split(",") if r
)
OTP_TOTP_ISSUER = "Panhuo 盘活"
PANHUO_STEP_UP_APPROVALS = _env_bool("PANHUO_STEP_UP_APPROVALS", True)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout per (username, IP): 5 failures, 30 minutes (AUTH-3).
AXES_FAILURE_LIMIT = int(os.environ.get("PANHUO_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("PANHUO_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "panhuo.accounts.views.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# The same client address as rate limits and audit (X-Forwarded-For believed only from PANHUO_TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "panhuo.common.request_context.client_ip_for_axes"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

# Sessions: idle 15 min, absolute 8 h (AUTH-4).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("PANHUO_SESSION_IDLE_SECONDS", str(15 * 60)))
SESSION_SAVE_EVERY_REQUEST = False  # renewed at most once a minute (accounts.middleware)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PANHUO_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("PANHUO_SESSION_ABSOLUTE_SECONDS", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Web hardening ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if PROD:
    SECURE_SSL_REDIRECT = _env_bool("PANHUO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Gateways (TLS / TLCP terminators) whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or
# networks, comma-separated. Empty: every client is the socket peer (common/request_context.py).
PANHUO_TRUSTED_PROXIES = tuple(
    p.strip() for p in os.environ.get("PANHUO_TRUSTED_PROXIES", "").split(",") if p.strip()
)
# The former yes/no switch: the deploy check asks for the list instead (panhuo.E016).
PANHUO_TRUSTED_PROXY_FLAG = _env_bool("PANHUO_TRUSTED_PROXY", False)
if PROD and PANHUO_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Files ------------------------------------------------------------------------------------
UPLOAD_DIR = Path(os.environ.get("PANHUO_UPLOAD_DIR", DATA_DIR / "uploads"))
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Request bodies (common.middleware.RequestSizeLimitMiddleware, 413 before anything parses them): anonymous
# requests need no more than a sign-in form; signed-in ones up to the largest upload.
PANHUO_MAX_CSV_BYTES = int(os.environ.get("PANHUO_MAX_CSV_BYTES", str(200 * 1024 * 1024)))
# Background imports share the database with interactive users: smaller transactions hold SQLite's single write
# lock briefly. `panhuo import` in the foreground uses the handler's larger batches (faster). Rows ≥ this many
# parse in a second process (panhuo/imports/pipeline.py).
PANHUO_IMPORT_BACKGROUND_BATCH_ROWS = int(os.environ.get("PANHUO_IMPORT_BACKGROUND_BATCH_ROWS", "1000"))
PANHUO_IMPORT_PARALLEL_MIN_ROWS = int(os.environ.get("PANHUO_IMPORT_PARALLEL_MIN_ROWS", "20000"))
# The task-queue worker (imports, index builds, reports) runs at this lower CPU priority than the web server.
PANHUO_WORKER_NICE = int(os.environ.get("PANHUO_WORKER_NICE", "10"))
# Pause of background write loops between SQLite transactions, so page requests get the write lock
# (panhuo/common/background.py). Longer than SQLite's 100 ms busy poll.
PANHUO_BACKGROUND_WRITE_GAP_SECONDS = float(os.environ.get("PANHUO_BACKGROUND_WRITE_GAP_SECONDS", "0.12"))
PANHUO_MAX_XLSX_BYTES = int(os.environ.get("PANHUO_MAX_XLSX_BYTES", str(50 * 1024 * 1024)))
PANHUO_MAX_ANONYMOUS_BODY_BYTES = int(os.environ.get("PANHUO_MAX_ANONYMOUS_BODY_BYTES", str(64 * 1024)))
PANHUO_MAX_BODY_BYTES = int(
    os.environ.get(
        "PANHUO_MAX_BODY_BYTES", str(max(PANHUO_MAX_CSV_BYTES, PANHUO_MAX_XLSX_BYTES) + 1024 * 1024)
    )
)
PANHUO_MAX_IMPORT_ROWS = int(os.environ.get("PANHUO_MAX_IMPORT_ROWS", "2000000"))
# A running import whose heartbeat is older than this many seconds is taken to be dead and is resumed.
PANHUO_IMPORT_STALE_SECONDS = int(os.environ.get("PANHUO_IMPORT_STALE_SECONDS", "120"))
INDEX_DIR = Path(os.environ.get("PANHUO_INDEX_DIR", DATA_DIR / "index"))
# The landscape store's snapshot (navigation/snapshot.py): written by the worker, read by each web worker at start
# instead of every fact row (docs/navigation.md). Empty: off, every process loads from the database.
PANHUO_LANDSCAPE_SNAPSHOT = (
    os.environ.get("PANHUO_LANDSCAPE_SNAPSHOT", str(DATA_DIR / "landscape" / "facts.npz")) or None
)

# --- Field encryption (DC-2): SM4-GCM keys from the environment or a key file, never the DB.
PANHUO_FIELD_KEYS = os.environ.get("PANHUO_FIELD_KEYS", "")  # "kid:hex32,kid2:hex32"; first is current
PANHUO_FIELD_KEY_FILE = os.environ.get("PANHUO_FIELD_KEY_FILE", str(DATA_DIR / ".field_keys"))
PANHUO_AUDIT_HMAC_KEY = os.environ.get("PANHUO_AUDIT_HMAC_KEY", "")
# The audit chain's signed head, appended after every commit (common/audit.py): keep it where the database
# administrator cannot write (docs/security.md). Empty: no anchor (tests that check it set their own).
PANHUO_AUDIT_ANCHOR_FILE = os.environ.get("PANHUO_AUDIT_ANCHOR_FILE", str(DATA_DIR / "audit" / "anchor.log"))

# --- I18N ---------------------------------------------------------------------------------------
# The UI is Simplified Chinese only (docs/architecture.md): no LocaleMiddleware and no English catalogue, so an
# English browser does not get Django's own messages in English inside Chinese pages. Refusals carry English text.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PROD  # dev/test serve app static files without collectstatic

EMAIL_BACKEND = os.environ.get("PANHUO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("PANHUO_FROM_EMAIL", "noreply@panhuo.local")
PANHUO_BASE_URL = os.environ.get("PANHUO_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "panhuo.common.request_context.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("PANHUO_LOG_LEVEL", "WARNING")},
}

# --- Cache (rate-limit counters shared by all web workers): files by default, Redis when configured.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
PANHUO_RATE_LIMITS_ENABLED = _env_bool("PANHUO_RATE_LIMITS", True)
# How long an API POST's Idempotency-Key is remembered (common/idempotency.py).
PANHUO_IDEMPOTENCY_HOURS = float(os.environ.get("PANHUO_IDEMPOTENCY_HOURS", "24"))
