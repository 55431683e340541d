"""Pomoc's one settings file, driven by the environment (12-factor).

Everything has an embedded default (SQLite under POMOC_DATA_DIR, in-memory channel layer,
local-memory cache) so that ``pomoc serve`` runs on a laptop with no other server.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from pomoc.core.env import data_dir, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
DATA_DIR = data_dir()
DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("POMOC_TESTING", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data directory."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    from django.core.management.utils import get_random_secret_key

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key() + get_random_secret_key()
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "channels",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "pomoc.core",
    "pomoc.accounts",
    "pomoc.contacts",
    "pomoc.calendars",
    "pomoc.tickets",
    "pomoc.drafts",
    "pomoc.timetracking",
    "pomoc.channels",
    "pomoc.channels.email",
    "pomoc.channels.chat",
    "pomoc.channels.web",
    "pomoc.automation.canned",
    "pomoc.automation.followups",
    "pomoc.automation.sla",
    "pomoc.automation.rules",
    "pomoc.automation.macros",
    "pomoc.api",
    "pomoc.reports",
    "pomoc.surveys",
    "pomoc.portal",
    "pomoc.customers",
    "pomoc.orders",
    "pomoc.community",
    "pomoc.search",
    "pomoc.kb",
    "pomoc.automation.routing",
    "pomoc.notifications",
    "pomoc.administration",
    "pomoc.demo",
]

AUTHENTICATION_BACKENDS = ["pomoc.accounts.backends.UserWithPresenceBackend"]

MIDDLEWARE = [
    # Answers /healthz and /readyz itself, before the HTTPS redirect and the Host check: a load
    # balancer probes the process directly, by its address and over plain HTTP.
    "pomoc.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Refuses rate-limited login and password-reset POSTs before any session, template or hashing.
    "pomoc.accounts.middleware.RateLimitMiddleware",
    "pomoc.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pomoc.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pomoc.urls"
ASGI_APPLICATION = "pomoc.asgi.application"
WSGI_APPLICATION = "pomoc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pomoc.notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'pomoc.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE avoids lock upgrades failing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("POMOC_TEST_SQLITE_NAME", "") or None}
else:
    # Several test runs on one PostgreSQL server each need their own test database.
    DATABASES["default"]["TEST"] = {"NAME": env_str("POMOC_TEST_DB_NAME", "") or None}
    if not DATABASES["default"]["CONN_MAX_AGE"] and env_int("DB_POOL_MAX_SIZE", 20) > 0:
        # Under ASGI every piece of sync work (a view, a socket's database call) opens and closes its
        # connection: with a pool (psycopg_pool, Django's "pool" option) that is a checkout, not a new
        # PostgreSQL session (docs/decisions/0032-postgresql-connection-pool.md).
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            # a checkout waits this long for a free connection (or for PostgreSQL to come back)
            "min_size": 1, "max_size": env_int("DB_POOL_MAX_SIZE", 20), "timeout": env_int("DB_POOL_TIMEOUT", 5)}
        # a pooled connection is checked before it is handed out: after PostgreSQL restarted, none is dead
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # Its lookups and type handlers are PostgreSQL's only; on SQLite the app would just import psycopg
    # (a tenth of a second at every start of `pomoc mail ingest`). The search fields and expressions
    # (django.contrib.postgres.search) work without the app being installed.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django.contrib.staticfiles") + 1, "django.contrib.postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer ----------------------------------------------------------------
def redis_channel_layer(url: str, max_connections: int) -> dict:
    """The channel layer on Redis. redis-py 8 reads with a 5 s socket timeout by default, which cuts
    the layer's blocking receive (BZPOPMIN) short and tears every idle consumer down
    (channels_redis#422): no client timeout. Its pools also stop at 100 connections and then fail
    at once (MaxConnectionsError) instead of waiting: a burst of sockets joining groups and messages
    sent to them (a thousand live chats) needs more at the same moment, so the pool of each process
    may grow to ``max_connections`` (REDIS_MAX_CONNECTIONS, 1,000); they are reused, not kept open per socket.

    Its ``capacity`` bounds one Redis key that holds the waiting messages of *every* socket of a
    process (not one socket's), and what goes over it is dropped silently: at the default 100, a
    moment's lag of a busy process lost chat frames. It is a bound against a process that stopped
    reading; messages still expire after a minute.

    The layer is channels_redis's with its receive and group sends batched
    (``pomoc.core.redis_layer``, ADR 0033)."""
    return {"BACKEND": "pomoc.core.redis_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": None, "max_connections": max_connections}],
                       "capacity": CHANNEL_CAPACITY}}


# Young objects collected every this many allocations in the web process, what it loaded at start
# left out of collections (pomoc/asgi.py); 0: Python's defaults.
GC_THRESHOLD = env_int("GC_THRESHOLD", 50_000)

CHANNEL_CAPACITY = 100_000  # messages waiting for one process's sockets (Redis) or for one socket (in memory)


REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, env_int("REDIS_MAX_CONNECTIONS", 1000) or 1000)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer",
                                  "CONFIG": {"capacity": CHANNEL_CAPACITY}}}

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("POMOC_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail"],
    }
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tickets:inbox"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_RATE_LIMIT = env_int("POMOC_LOGIN_RATE_LIMIT", 10)  # failed attempts per 15 minutes
LOGIN_RATE_WINDOW = 15 * 60
# Password-reset requests per hour, for one e-mail address and from one client address.
PASSWORD_RESET_RATE_LIMIT_ADDRESS = env_int("POMOC_PASSWORD_RESET_RATE_LIMIT", 3)
PASSWORD_RESET_RATE_LIMIT_CLIENT = env_int("POMOC_PASSWORD_RESET_RATE_LIMIT_CLIENT", 10)
PASSWORD_RESET_RATE_WINDOW = 60 * 60

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("cs", _("Czech")), ("pl", _("Polish")), ("et", _("Estonian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Formats Django lacks for et or that mislead in en (pomoc/core/formats); the rest are Django's.
FORMAT_MODULE_PATH = ["pomoc.core.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    ("", BASE_DIR / "static"),  # pomoc/static/pomoc/...: the project package is not an app
    ("vendor/htmx", REPO_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/axe-core", REPO_DIR / "node_modules" / "axe-core"),  # accessibility checks in the browser tests
]
STATICFILES_DIRS = [entry for entry in STATICFILES_DIRS if Path(entry[1]).is_dir()]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media-not-served/"  # attachments are served only through a permission check
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAX_ATTACHMENT_BYTES = env_int("POMOC_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024)
MAX_ATTACHMENTS_PER_MESSAGE = env_int("POMOC_MAX_ATTACHMENTS_PER_MESSAGE", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# --- The agent's workspace ---------------------------------------------------------------------
MERGE_UNDO_MINUTES = env_int("POMOC_MERGE_UNDO_MINUTES", 10)  # a merge can be undone this long
# How often an agent's open ticket page reports activity; time tracking counts at most this much per report.
TIME_TRACKING_HEARTBEAT_SECONDS = max(1, env_int("POMOC_TIME_TRACKING_HEARTBEAT_SECONDS", 30))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if not env_str("EMAIL_HOST") else
    "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pomoc <pomoc@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Health checks answer over plain HTTP too (HealthCheckMiddleware answers them even earlier).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto/-For. Forwarded headers are believed
# only from TRUSTED_PROXIES (addresses or networks, e.g. "10.0.0.10,10.1.0.0/16"): by uvicorn (the
# address in its log, the scheme) and by ``pomoc.accounts.ratelimit.client_ip`` (the address the rate
# limits count). Setting TRUSTED_PROXIES implies BEHIND_PROXY; BEHIND_PROXY=1 alone trusts a proxy on
# the same machine (127.0.0.1, ::1). Without either, no forwarded header is believed from anybody.
# FORWARDED_ALLOW_IPS is the older name of TRUSTED_PROXIES.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES") or env_list("FORWARDED_ALLOW_IPS")
BEHIND_PROXY = env_bool("BEHIND_PROXY", bool(TRUSTED_PROXIES))
if not BEHIND_PROXY:
    TRUSTED_PROXIES = []
elif not TRUSTED_PROXIES:
    TRUSTED_PROXIES = ["127.0.0.1", "::1"]
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# `check --deploy` warnings we answer by configuration, documented in docs/configuration.md:
# W004/W008/W012/W016 depend on TLS being terminated here or at a proxy.
SILENCED_SYSTEM_CHECKS = env_list("POMOC_SILENCED_CHECKS")
if not IS_POSTGRES:
    # The backlog's index (tickets 0020) carries extra columns for PostgreSQL's index-only scans;
    # SQLite keeps the index without them, as intended, and would say so at every command.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- Logging: never log secrets (tokens, passwords, mail bodies) ----------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "pomoc.core.logging.RedactSecretsFilter"},
                "routine_tasks": {"()": "pomoc.core.logging.RoutineTaskLinesFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact", "routine_tasks"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # tnefparse logs a line at INFO for every winmail.dat it decodes
    "loggers": {"django.db.backends": {"level": "WARNING"}, "tnefparse": {"level": "WARNING"}},
}

# --- Pomoc ----------------------------------------------------------------------------------
POMOC_ENCRYPTION_KEY = env_str("POMOC_ENCRYPTION_KEY")  # Fernet key(s) for secrets at rest
POMOC_BASE_URL = env_str("POMOC_BASE_URL", "http://127.0.0.1:8000")
POMOC_PAGE_SIZE = env_int("POMOC_PAGE_SIZE", 50)
POMOC_RUN_WORKER_IN_SERVE = env_bool("POMOC_RUN_WORKER_IN_SERVE", True)
# Embedded setup (no Redis): where a worker posts its live updates (``pomoc.core.realtime_relay``).
# ``pomoc serve`` sets both for its own worker; the token may be given to reach it from elsewhere.
# Periodic jobs (``pomoc.core.scheduler``, run by ``pomoc serve``): how often IMAP/POP3 inboxes are
# fetched (seconds; 0: never, e.g. with ``pomoc mail watch``) and how often the scheduler looks.
POMOC_SCHEDULER = env_bool("POMOC_SCHEDULER", True)
# Log a line for every background task run and periodic job enqueued (off: only failures and start-up).
POMOC_LOG_TASKS = env_bool("POMOC_LOG_TASKS", False) or env_str("LOG_LEVEL", "INFO").upper() == "DEBUG"
POMOC_SCHEDULER_TICK = env_int("POMOC_SCHEDULER_TICK", 10)
# Expected customer lifetime in years for the predicted CLV (docs/metrics.md).
POMOC_CLV_LIFETIME_YEARS = env_int("POMOC_CLV_LIFETIME_YEARS", 3)
POMOC_MAIL_FETCH_INTERVAL = env_int("POMOC_MAIL_FETCH_INTERVAL", 60)
# How often the notifications agents chose to get by e-mail go out, several in one mail (seconds; 0: never).
POMOC_NOTIFICATION_EMAIL_INTERVAL = env_int("POMOC_NOTIFICATION_EMAIL_INTERVAL", 300)
# Community spam limits: posts per account per hour; days during which a new account's links wait for a moderator.
POMOC_COMMUNITY_POSTS_PER_HOUR = env_int("POMOC_COMMUNITY_POSTS_PER_HOUR", 10)
POMOC_COMMUNITY_NEW_ACCOUNT_DAYS = env_int("POMOC_COMMUNITY_NEW_ACCOUNT_DAYS", 3)
POMOC_COMMUNITY_EDIT_HOURS = env_int("POMOC_COMMUNITY_EDIT_HOURS", 24)
# Files on forum posts: how many per topic or reply, and how large each may be.
POMOC_COMMUNITY_MAX_FILES = env_int("POMOC_COMMUNITY_MAX_FILES", 5)
POMOC_COMMUNITY_MAX_FILE_BYTES = env_int("POMOC_COMMUNITY_MAX_FILE_BYTES", 5 * 1024 * 1024)
POMOC_REALTIME_RELAY_URL = env_str("POMOC_REALTIME_RELAY_URL")
POMOC_REALTIME_RELAY_TOKEN = env_str("POMOC_REALTIME_RELAY_TOKEN")
# Networks (CIDR) that rules' webhooks may call although they are private: an intranet service.
POMOC_WEBHOOK_ALLOWED_NETWORKS = env_list("POMOC_WEBHOOK_ALLOWED_NETWORKS")
# the MTA pipe's token (pomoc.channels.email.pipe_client); unset: $POMOC_DATA_DIR/mail-pipe-token
POMOC_MAIL_PIPE_TOKEN = env_str("POMOC_MAIL_PIPE_TOKEN")
