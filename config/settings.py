"""Settings for the platform, read from the environment.

Fail closed: DEBUG is off unless the environment sets it, and with DEBUG off the secrets must come from the
environment (the process refuses to start without them). The embedded default (`make run`, `make test`) sets
DEBUG=1 explicitly: SQLite in var/, an in-process cache, secrets generated once into var/. Production sets
SECRET_KEY, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY, DATABASE_URL, REDIS_URL and ALLOWED_HOSTS (see
platform/env.example); `manage.py check --deploy` passes with that environment.
"""

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def local_secret(filename: str, make=lambda: secrets.token_urlsafe(50)) -> str:
    """A development secret generated once into var/ (git-ignored), never committed."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def required_secret(name: str, filename: str, make=lambda: secrets.token_urlsafe(50)) -> str:
    """From the environment; in development generated once into var/; an error in production if unset."""
    value = os.environ.get(name, "")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off / 关闭 DEBUG 时必须设置 {name}")
    return local_secret(filename, make)


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = required_secret("SECRET_KEY", "secret_key")


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


# Personal data at rest: comma-separated keys in Fernet's format (32 random bytes, base64url), newest first
# (rotate by prepending a new key and running `manage.py rotate_field_keys`). core.crypto derives the AES-GCM
# keys of fields and files from each (HKDF) and still reads Fernet tokens written under them. Then the key of
# the blind index used for exact look-up.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in required_secret("FIELD_ENCRYPTION_KEYS", "field_encryption_keys", _fernet_key).split(",") if k.strip()]
BLIND_INDEX_KEY = required_secret("BLIND_INDEX_KEY", "blind_index_key")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "axes",
    "strawberry_django",
    "django_dramatiq",
    "core",
    "orgs",
    "permissions",
    "children",
    "cases",
    "wishes",
    "programs",
    "rollups",
    "jobs",
    "accounts",
    "notifications",
    "donors",
    "graphql_api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "permissions.middleware.BearerTokenMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "permissions.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Production topology (platform/cluster/, issue 21): read-only GraphQL operations read a streaming standby
# (config/replica.py: router, middleware, read-your-writes); nothing changes without DATABASE_REPLICA_URL.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
# The jobs that only read (exports, jobs/registry.py READ_ONLY) read the standby too (config/replica.py)
JOBS_READ_ONLY_RUN = "config.replica.standby_reads" if DATABASE_REPLICA_URL else ""
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.replica.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("permissions.middleware.ActorMiddleware") + 1, "config.replica.ReplicaMiddleware")
# PGBOUNCER=1: the databases are reached through pgbouncer in transaction mode, where a server connection
# serves one transaction at a time: no server-side cursors (they would outlive it). Django's psycopg cursors
# bind parameters client-side, so no prepared statement is ever left on a server connection either.
if env_bool("PGBOUNCER", False):
    for database in DATABASES.values():
        database["DISABLE_SERVER_SIDE_CURSORS"] = True

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis cache, keeping its redis-py client (config/cache.py: not rebuilt per operation)
    CACHES = {"default": {"BACKEND": "config.cache.ReusingRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "platform"}}

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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# django-guardian: we use its direct foreign-key permission models and compute inheritance ourselves.
# Its object-permission backend is not used: permissions/ resolves grants and their inheritance itself.
ANONYMOUS_USER_NAME = None
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]

# django-axes: lock a username from one address after AXES_FAILURE_LIMIT failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "core.clientaddr.client_address"

# Background jobs (jobs/): dramatiq. The broker comes from the environment: REDIS_URL → Redis, else
# RABBITMQ_URL → RabbitMQ, else an in-process broker whose worker thread the web server starts itself
# (config/wsgi.py), so `make run` needs no broker server. Production runs `manage.py rundramatiq` workers
# and one or more `manage.py runscheduler` processes (platform/Procfile).
DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Retries",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]


def dramatiq_broker(environ) -> dict:
    """django-dramatiq's DRAMATIQ_BROKER for an environment (a function so that tests can check each case).
    JOBS_BROKER=rabbitmq picks RabbitMQ when both are set (Redis then holds only the cache and sessions)."""
    if environ.get("REDIS_URL") and not (environ.get("RABBITMQ_URL") and environ.get("JOBS_BROKER") == "rabbitmq"):
        # DRAMATIQ_NAMESPACE: key prefix, to share one Redis database between deployments (or test processes).
        return {"BROKER": "dramatiq.brokers.redis.RedisBroker", "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
                "OPTIONS": {"url": environ["REDIS_URL"], "namespace": environ.get("DRAMATIQ_NAMESPACE") or "dramatiq"}}
    if environ.get("RABBITMQ_URL"):
        return {"BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker", "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
                "OPTIONS": {"url": environ["RABBITMQ_URL"]}}
    return {"BROKER": "dramatiq.brokers.stub.StubBroker", "MIDDLEWARE": DRAMATIQ_MIDDLEWARE, "OPTIONS": {}}


DRAMATIQ_BROKER = dramatiq_broker(os.environ)
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
# True runs jobs synchronously where they are enqueued, without a broker (most tests; the bench).
JOBS_EAGER = env_bool("JOBS_EAGER", False)
# Runs per job (first run, retries after an error, resumptions after a lost worker) before it is FAILED.
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "3"))
# Backoff before a retry: this many seconds, doubling each time (dramatiq's Retries middleware waits).
JOBS_RETRY_BACKOFF_SECONDS = float(os.environ.get("JOBS_RETRY_BACKOFF_SECONDS", "10"))
# A running job's worker writes a heartbeat every third of this; a RUNNING job silent for longer is
# treated as orphaned (its worker died) and queued again by the scheduler's reaper.
JOBS_LEASE_SECONDS = float(os.environ.get("JOBS_LEASE_SECONDS", "120"))
# A QUEUED job no worker has taken for this long is sent again (a lost message; runs are claimed once).
JOBS_RESEND_SECONDS = float(os.environ.get("JOBS_RESEND_SECONDS", "900"))
# One run may take this long before dramatiq's TimeLimit stops it (the job then FAILS with a message).
JOBS_TIME_LIMIT_SECONDS = int(os.environ.get("JOBS_TIME_LIMIT_SECONDS", str(4 * 3600)))
# Finished periodic jobs are deleted after this many days.
JOBS_KEEP_PERIODIC_DAYS = int(os.environ.get("JOBS_KEEP_PERIODIC_DAYS", "30"))
# Largest roster upload accepted for import.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# An uploaded workbook's bounds, checked in its zip before openpyxl reads it (core/xlsx.py): all parts
# uncompressed; the shared-strings table, which openpyxl loads whole; rows of a worksheet.
IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024)))
IMPORT_MAX_SHARED_STRINGS_BYTES = int(os.environ.get("IMPORT_MAX_SHARED_STRINGS_BYTES", str(32 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))

# API tokens for partner units: requests per token per minute.
API_TOKEN_RATE_LIMIT = int(os.environ.get("API_TOKEN_RATE_LIMIT", "600"))
PUBLIC_BOARD_RATE_LIMIT = int(os.environ.get("PUBLIC_BOARD_RATE_LIMIT", "60"))  # anonymous board reads per address and minute
# Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed: the client address of the
# per-address limits, the audit log and django-axes is then the rightmost untrusted hop (core/clientaddr.py).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# The staff web client (web/), built by `make web` into web/dist and served at / by config/webclient.py.
WEB_DIST_DIR = Path(os.environ.get("WEB_DIST_DIR", BASE_DIR / "web" / "dist"))

SESSION_COOKIE_HTTPONLY = True
# Sessions: the cache first (Redis with REDIS_URL, shared by several app nodes), the database behind it; the
# session's user and scope ride along in the same cache read (permissions/sessions.py: no SQL when warm). Another
# engine (e.g. django.contrib.sessions.backends.cache) works, without that read-ahead.
SESSION_ENGINE = os.environ.get("SESSION_ENGINE", "permissions.sessions")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# A refused CSRF check answers typed JSON in the request's language (CSRF_FAILED), not Django's HTML page: the web
# client fetches a fresh token and retries once on any 403 (web/src/lib/csrf.ts).
CSRF_FAILURE_VIEW = "graphql_api.views.csrf_failure"
# HTTPS in production: TLS ends at the reverse proxy (platform/nginx.conf.example sets X-Forwarded-Proto).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# security.W021: preloading HSTS is a commitment made per domain with the browsers' lists, not a default.
SILENCED_SYSTEM_CHECKS.append("security.W021")

# Bounds on one GraphQL request (graphql_api/guards.py): its wall-clock budget (also PostgreSQL's
# statement_timeout for reads), and whether anonymous requests may introspect the schema.
GRAPHQL_TIME_BUDGET_SECONDS = float(os.environ.get("GRAPHQL_TIME_BUDGET_SECONDS", "15"))
GRAPHQL_ANONYMOUS_INTROSPECTION = env_bool("GRAPHQL_ANONYMOUS_INTROSPECTION", DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Notifications (notifications/): in the console always; by e-mail through Django's e-mail backend (console
# output by default; production sets the SMTP backend and host) and by SMS through the provider class that
# SMS_BACKEND names (default: written to the log, nothing sent). SITE_URL starts the links they carry.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "notifications.sms.LogSmsBackend")
SMS_SIGNATURE = os.environ.get("SMS_SIGNATURE", "关爱平台")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Children's records: anonymized this many days after moving or ageing out; aged out at this age.
CHILD_RETENTION_DAYS = int(os.environ.get("CHILD_RETENTION_DAYS", str(2 * 365)))
CHILD_AGE_OUT_YEARS = int(os.environ.get("CHILD_AGE_OUT_YEARS", "18"))
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
# Largest photo in pixels (width × height), read from the image's header before it is decoded.
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", str(40_000_000)))
