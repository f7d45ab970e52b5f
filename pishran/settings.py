"""Settings, all from environment variables with safe defaults for the embedded demo.

The same file serves the demo, the tests and production; production differs only in the
environment (DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, …
and no PISHRAN_DEMO, so the demo app and its commands are absent).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PISHRAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)
_DEMO_SECRET = "insecure-demo-key-only-for-the-embedded-sqlite-demo-0123456789abcdef"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEMO_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false")
if not DEBUG and (SECRET_KEY == _DEMO_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a fresh random key of 50 characters or more in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "ninja",  # the API's browsable docs served from its bundled files (no CDN: CSP)
    # Pishran apps, lower layers first
    "persian",
    "audit",
    "accounts",
    "places",
    "sectors",
    "people",
    "enterprises",
    "clusters",
    "cases",
    "clinics",
    "finance",
    "consortia",
    "indicators",
    "exports",
    "ops",
    "imports",
    "api",
    "opendata",
]
# The demo (its data builders and the commands seed_demo, seed_clusters, seed_targets and
# demo_accounts) is installed only when the demo is configured: `make demo` and the test
# suite set PISHRAN_DEMO=1; a production environment leaves it out, so none of those
# commands exists there.
DEMO = env_bool("PISHRAN_DEMO", False)
if DEMO:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pishran.replicas.ReplicaPinMiddleware",  # reads to the replica unless the person just wrote
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pishran.middleware.LocaleMiddleware",  # Persian unless the person chose otherwise
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.StaffIdleTimeoutMiddleware",  # staff logged out when idle
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "pishran.middleware.StatementTimeoutMiddleware",  # a query past the timeout: 503
    "api.middleware.ApiErrorsMiddleware",  # /api/v1/: every error in the API's JSON shape
]

ROOT_URLCONF = "pishran.urls"
WSGI_APPLICATION = "pishran.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "people.context_processors.menu",
                "clinics.context_processors.menu",
                "finance.context_processors.menu",
                "consortia.context_processors.menu",
                "imports.context_processors.menu",
            ],
            "builtins": ["persian.templatetags.persian"],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL (postgres://…) for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pishran.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or restarting fails the request within seconds (a 500 page)
    # instead of holding a worker until the client gives up.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
    # No JIT compilation: the pages' queries walk an index for a page of rows, but their
    # per-row probes of the history make the planner's cost estimates huge, and PostgreSQL
    # then spends 250-450 ms compiling a query that runs in 30 (docs/benchmarks.md, the
    # API's lists as of a date). JIT pays off for long analytical scans, which Pishran
    # leaves to its pre-aggregated facts. DATABASE_JIT=true gives it back.
    _PG_OPTIONS = [] if env_bool("DATABASE_JIT", False) else ["-c jit=off"]
    if _PG_OPTIONS:
        DATABASES["default"]["OPTIONS"]["options"] = " ".join(_PG_OPTIONS)
# Web requests on PostgreSQL run under a statement timeout: a query past it is cancelled and
# the request answers 503 (pishran.middleware.StatementTimeoutMiddleware), so one heavy page
# cannot hold a worker and a connection until gunicorn kills them. Only the web processes
# get it (gunicorn, through pishran/wsgi.py or asgi.py, which set PISHRAN_WEB_PROCESS): the
# background worker, migrations, backups and every other management command run without.
# 0 switches it off.
PISHRAN_STATEMENT_TIMEOUT_MS = env_int("PISHRAN_STATEMENT_TIMEOUT_MS", 30_000)
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and env_bool("PISHRAN_WEB_PROCESS", False)
    and PISHRAN_STATEMENT_TIMEOUT_MS > 0
):
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        [*_PG_OPTIONS, f"-c statement_timeout={PISHRAN_STATEMENT_TIMEOUT_MS}"]
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A PostgreSQL streaming replica for reads (pishran/replicas.py, docs/deploy.md).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
PISHRAN_REPLICA_PIN_SECONDS = env_int("PISHRAN_REPLICA_PIN_SECONDS", 10)
PISHRAN_REPLICA_MAX_LAG_SECONDS = env_int("PISHRAN_REPLICA_MAX_LAG_SECONDS", 5)
PISHRAN_REPLICA_CHECK_SECONDS = env_int("PISHRAN_REPLICA_CHECK_SECONDS", 2)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_REPLICA_CONNECT_TIMEOUT", 2
    )
    if "options" in DATABASES["default"]["OPTIONS"]:  # the web processes' statement timeout
        DATABASES["replica"]["OPTIONS"]["options"] = DATABASES["default"]["OPTIONS"]["options"]
    # The test runner makes no database for it: it reads the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["pishran.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Failed logins are throttled per username and address (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The reverse proxies in front of the app (docs/deploy.md): only from them is X-Forwarded-For
# believed, so the throttle counts the client's address and not the proxy's.
PISHRAN_TRUSTED_PROXIES = env_list("PISHRAN_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"

# The expensive pages are rate-limited (accounts.throttle, docs/deploy.md): requests per
# window of PISHRAN_RATE_WINDOW_SECONDS, per person when logged in, else per address.
# "exports": the CSV, XLSX and PDF downloads; "rows": the units behind a figure.
PISHRAN_RATE_LIMITS_ENABLED = env_bool("PISHRAN_RATE_LIMITS_ENABLED", True)
PISHRAN_RATE_WINDOW_SECONDS = env_int("PISHRAN_RATE_WINDOW_SECONDS", 600)
PISHRAN_RATE_LIMITS = {
    "exports": {
        "person": env_int("PISHRAN_EXPORTS_PER_PERSON", 60),
        "address": env_int("PISHRAN_EXPORTS_PER_ADDRESS", 30),
    },
    "rows": {
        "person": env_int("PISHRAN_ROWS_PER_PERSON", 300),
        "address": env_int("PISHRAN_ROWS_PER_ADDRESS", 120),
    },
}

# The API (/api/v1/, docs/api.md): requests per token, or per address without one, in
# ninja's rate format ("600/min", "10000/day").
PISHRAN_API_RATE_PER_TOKEN = env_str("PISHRAN_API_RATE_PER_TOKEN", "600/min")
PISHRAN_API_RATE_PER_ADDRESS = env_str("PISHRAN_API_RATE_PER_ADDRESS", "60/min")
PISHRAN_API_PAGE_SIZE = 50  # a list's rows when no ``limit`` is given
PISHRAN_API_MAX_PAGE_SIZE = 500  # ``limit`` above this is capped
# The change feed holds back events recorded in the last this many seconds, so that a
# transaction still committing its events is not passed by the cursor (api/changes.py).
PISHRAN_API_FEED_LAG_SECONDS = env_int("PISHRAN_API_FEED_LAG_SECONDS", 10)

# Language, calendar, time
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", "فارسی"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tehran"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing root
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Cluster documents (PDF, DOCX, XLSX) larger than this are refused; they are stored under
# MEDIA_ROOT and served only through a view that checks the person's scope.
CLUSTER_UPLOAD_MAX_BYTES = env_int("PISHRAN_CLUSTER_UPLOAD_MAX_MB", 20) * 1024 * 1024
# A ZIP-based upload (DOCX, XLSX) is refused by what its directory declares, before any of
# it is inflated (clusters/uploads.py): more members, more bytes per member or in all, or
# members more than RATIO times their compressed size (judged above 1 MB).
UPLOAD_ZIP_MAX_MEMBERS = env_int("PISHRAN_UPLOAD_ZIP_MAX_MEMBERS", 1000)
UPLOAD_ZIP_MAX_MEMBER_BYTES = env_int("PISHRAN_UPLOAD_ZIP_MAX_MEMBER_MB", 100) * 1024 * 1024
UPLOAD_ZIP_MAX_TOTAL_BYTES = env_int("PISHRAN_UPLOAD_ZIP_MAX_TOTAL_MB", 200) * 1024 * 1024
UPLOAD_ZIP_MAX_RATIO = env_int("PISHRAN_UPLOAD_ZIP_MAX_RATIO", 100)
# Bulk import of a province's register (imports/): a file with more data rows, or larger,
# is refused whole (docs/imports.md).
PISHRAN_IMPORT_MAX_ROWS = env_int("PISHRAN_IMPORT_MAX_ROWS", 200_000)
PISHRAN_IMPORT_MAX_BYTES = env_int("PISHRAN_IMPORT_MAX_MB", 20) * 1024 * 1024  # nginx: 20m too
# An import's file (phone numbers, addresses) is deleted this many days after its upload.
PISHRAN_IMPORT_KEEP_DAYS = env_int("PISHRAN_IMPORT_KEEP_DAYS", 30)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# One process: a local-memory cache. Several web processes or machines: REDIS_URL, a cache
# they share; sessions then read through it and are still written to the database, so a
# Redis restart logs nobody out (cached_db). The backend is Django's RedisCache made
# forgiving (pishran.cache): with Redis down the site serves without its cache, logging a
# warning, instead of failing. The figures (indicators.sources.memo) keep a second copy
# there under "figures", keyed by the figures version, so that one edit makes one process
# recompute each figure and the others read it (docs/indicators.md).
REDIS_URL = env_str("REDIS_URL", "")
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if REDIS_URL:
    _redis = {
        "BACKEND": "pishran.cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        # An unreachable host costs a request at most this, once every few seconds.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    _prefix = env_str("REDIS_KEY_PREFIX", "pishran")
    CACHES["default"] = {**_redis, "KEY_PREFIX": _prefix}
    CACHES["figures"] = {
        **_redis,
        "KEY_PREFIX": f"{_prefix}:figures",
        "TIMEOUT": env_int("PISHRAN_FIGURES_CACHE_SECONDS", 6 * 3600),
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Jobs safe to run twice: enqueued again when their worker died (ops.workers).
TASKS_RETRY_ON_WORKER_LOSS = [
    "ops.tasks.backup_task",
    "indicators.tasks.rebuild_facts_task",
    "imports.tasks.check_task",  # writes nothing but the job's problems
    "imports.tasks.commit_task",  # all rows or none, the job marked done in the same commit
    "opendata.tasks.build_open_data_task",  # a new snapshot made current only when complete
]

# Downloads written in the background (ops.exports) are kept this many hours, then deleted
# with their jobs at the end of a later export and by `manage.py prune_exports` (nightly).
EXPORTS_KEEP_HOURS = env_int("PISHRAN_EXPORTS_KEEP_HOURS", 24)

# Backups (manage.py backup / restore, ops.backup).
BACKUP_DIR = Path(env_str("PISHRAN_BACKUP_DIR", str(VAR_DIR / "backups")))
# Archives hold national IDs and phone numbers: encrypted with this key (32 bytes, URL-safe
# base64; ops/crypto.py). Without it a backup is refused unless unencrypted archives are
# allowed, which they are only while debugging unless said explicitly (docs/deploy.md).
BACKUP_KEY = env_str("PISHRAN_BACKUP_KEY", "")
BACKUP_ALLOW_UNENCRYPTED = env_bool("PISHRAN_BACKUP_ALLOW_UNENCRYPTED", DEBUG)

# Built-in Content Security Policy: no inline script anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

# Security: strict unless DEBUG (the embedded demo runs on plain http on loopback).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A session of national or provincial staff or a park manager (or a superuser) ends after
# this many minutes without a request (accounts.middleware); others keep SESSION_COOKIE_AGE.
PISHRAN_STAFF_IDLE_MINUTES = env_int("PISHRAN_STAFF_IDLE_MINUTES", 30)

# E-mail: printed to the console in the demo; SMTP in production (DJANGO_EMAIL_HOST, …).
MAILERS: dict[str, dict[str, object]] = {
    "default": {
        "BACKEND": env_str(
            "DJANGO_EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
        "port": env_int("DJANGO_EMAIL_PORT", 587),
        "username": env_str("DJANGO_EMAIL_USER", ""),
        "password": env_str("DJANGO_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", True),
        "timeout": 10,
    }
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "pishran@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

# The directory's covering indexes use INCLUDE on PostgreSQL; SQLite builds them without
# the extra columns, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Directory page size and the cap beyond which counts are shown as "more than N".
DIRECTORY_PAGE_SIZE = 25
DIRECTORY_COUNT_CAP = 1_000
