"""Settings for Jiufeng, read once from the environment.

Development needs nothing set: DEBUG on, SQLite and a filesystem broker under var/.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false;
see .env.example for every variable.
"""

import base64
import datetime
import hashlib
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_choice, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JIUFENG_VAR_DIR", str(BASE_DIR / "var")))

# On by default so that a checkout runs with nothing set; the Docker image and
# .env.example turn it off, and off it refuses a weak SECRET_KEY or missing ALLOWED_HOSTS.
DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

# With DEBUG on and no hosts given, Django already allows localhost and 127.0.0.1.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "jiufeng",
    "responsibility",
    "complaints",
    "evaluations",
    # Hash chains over history and logs, the history search index, the auditors' pages.
    "audit",
    # seed_demo and the demo data it builds on every app above; no app imports it.
    "demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "django_filters",
    "simple_history",
    "treebeard",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiufeng.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Auditors' writes refused and logged, before CSRF or any view (audit.middleware).
    "audit.middleware.ReadOnlyRolesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A staff session idle too long ends; then whether the session passed a second factor, and
    # nothing else until it has (jiufeng.twofactor). After messages: both leave a note.
    "jiufeng.middleware.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jiufeng.twofactor.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "jiufeng.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it answers a sign-in refused for a lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiufeng.urls"
WSGI_APPLICATION = "jiufeng.wsgi.application"
ASGI_APPLICATION = "jiufeng.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jiufeng.context_processors.navigation",
                "jiufeng.context_processors.text_size",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# A new PostgreSQL connection costs about 12 ms here, so connections persist and are
# health-checked before reuse. SQLite (development) gets WAL and immediate transactions
# so that the web process and the Celery worker can write side by side.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# What every PostgreSQL session starts with: sent as startup options on direct connections,
# and set on the database by every migrate for sessions behind a pooler (jiufeng.database).
# These are short OLTP queries:
# - jit: JIT compiled the inbox's capped count for ~150 ms to save nothing;
# - parallel_setup_cost: starting a parallel plan's workers took 3-4 ms here, more than most
#   of our queries take whole; at the default (1000) the inbox's capped count ran in parallel
#   for 8.5 ms where alone it takes 1.5 ms. Scans of many rows (costs in the tens of
#   thousands) still run in parallel.
DATABASE_SESSION_DEFAULTS = {"jit": "off", "parallel_setup_cost": "5000"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The duplicate screen's covering index (INCLUDE) speeds PostgreSQL; SQLite ignores the
    # extra columns, which is all that warning says.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
        f"-c {name}={value}" for name, value in DATABASE_SESSION_DEFAULTS.items()
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Behind a transaction pooler ------------------------------------------------------
# DATABASE_POOLER=pgbouncer: DATABASE_URL points at PgBouncer in transaction pooling mode
# (docker-compose.yml), which lends each transaction whichever server connection is free.
# Persistent connections (CONN_MAX_AGE) stay: they are to PgBouncer, and cheap. Nothing
# may outlive a transaction on the server: no server-side cursors (QuerySet.iterator()
# outside a transaction declares one WITH HOLD and would fetch from another server
# connection), no session SET, no session advisory locks, no SQL-level PREPARE.
# The "options" startup parameter above (-c jit=off) is not sent: PgBouncer refuses it
# ("unsupported startup parameter: options"; 1.20+ takes only the few parameters it
# tracks, such as TimeZone) unless it is listed in ignore_startup_parameters, and then it
# is dropped without a word. Our pooler configurations keep it refused, so a process
# pointed at PgBouncer without DATABASE_POOLER fails to connect instead of running with
# server-side cursors on a pool. jit=off comes instead from the database's own default,
# which every migrate sets (jiufeng.database.database_defaults_set: ALTER DATABASE ... SET
# jit = off); migrate itself connects to PostgreSQL directly.
DATABASE_POOLER = env_choice("DATABASE_POOLER", ["none", "pgbouncer"], "none")
if DATABASE_POOLER == "pgbouncer":
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOLER=pgbouncer needs a PostgreSQL DATABASE_URL (the pooler's address).")
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"].pop("options", None)

# --- Cache ----------------------------------------------------------------------------
# Shared across processes in both modes: rate limits and the worker heartbeat need that.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # django-redis rather than Django's own backend: that one builds a new client object for
    # every cache call (~0.2 ms each; rate limits and sessions make several per request).
    # Redis away degrades, never fails: a cache call that cannot reach it is logged and
    # answers as a miss (sessions read the database, rate limits let requests through:
    # RATELIMIT_FAIL_OPEN), within a second when the host does not answer.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ---------------------------------------------------------------------------
# Redis in production; kombu's filesystem transport under var/ when no REDIS_URL is set,
# so `make run` needs no server. Tasks are acknowledged late: they run at least once
# and must be idempotent.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if REDIS_URL:
    # kombu's Redis transport, fixed so that a worker survives its broker lost mid-task (jiufeng.broker).
    CELERY_BROKER_TRANSPORT = "jiufeng.broker:Transport"
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        # The exchange tables (celery.exchange, celery.pidbox.exchange): kombu's default is
        # ./control, relative to wherever the process was started.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
)
if not REDIS_URL:
    # The filesystem transport fails on a missing folder; any process may enqueue first.
    CELERY_BROKER_DIR.mkdir(parents=True, exist_ok=True)
CELERY_BEAT_SCHEDULE_FILE = VAR_DIR / "celerybeat-schedule"
CELERY_HEARTBEAT_SECONDS = env_int("CELERY_HEARTBEAT_SECONDS", 60)

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "jiufeng.User"
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
# After a login without a safe ``next``: the landing of the user's role (jiufeng.navigation.LANDINGS).
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Attachments are private: never under STATIC or a public MEDIA_URL. Several machines
# serving need shared storage: set STORAGES_PRIVATE_BACKEND to an S3-compatible backend.
# Whatever the backend, it holds the files encrypted (jiufeng.filecrypt): each file's key is
# wrapped by JIUFENG_IDENTITY_KEYS, which are never in the storage or its backups.
STORAGES = {
    "default": {
        "BACKEND": "jiufeng.filecrypt.EncryptedStorage",
        "OPTIONS": {
            "backend": env_str("STORAGES_PRIVATE_BACKEND", "django.core.files.storage.FileSystemStorage"),
            "options": {} if env_str("STORAGES_PRIVATE_BACKEND") else {"location": str(MEDIA_ROOT)},
        },
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens stored as hashes, each expiring (REST_KNOX); the header stays "Token <token>".
        "jiufeng.token_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "jiufeng.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    # REST framework's own, answering 400 to JSON nested too deeply and to bytes that are not UTF-8.
    "DEFAULT_PARSER_CLASSES": [
        "jiufeng.parsers.JSONParser",
        "jiufeng.parsers.FormParser",
        "jiufeng.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "jiufeng.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiufeng API",
    "DESCRIPTION": "Complaints, the responsibility system and democratic appraisal of a 纠风办.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from static/vendor/, never from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui-dist-5.35.0",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui-dist-5.35.0/favicon-32x32.png",
    # Deep links put a link inside each operation's toggle button: a control inside a control,
    # which screen readers cannot reach (WCAG 4.1.2). The page's address stays plain.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Several models have a "kind" field: name each enum after its own choices.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "responsibility.models.units.UnitKind",
        "PositionKindEnum": "responsibility.models.units.PositionKind",
        "DeadlineKindEnum": "responsibility.models.deadlines.DeadlineKind",
        "VisitKindEnum": "responsibility.models.visits.VisitKind",
        "VisitMethodEnum": "responsibility.models.visits.VisitMethod",
        "RectificationStatusEnum": "responsibility.models.visits.RectificationStatus",
        "AccountabilityStateEnum": "responsibility.models.accountability.AccountabilityState",
        "CampaignStateEnum": "responsibility.models.campaigns.CampaignState",
        "ComplaintStatusEnum": "complaints.models.cases.ComplaintStatus",
    },
}

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions read from the cache, written through to the database: a staff page reads its
# session on every request, and a cache restart only costs one database read per session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: every script and stylesheet is a file of this site.
# Images and fonts as data: and blob: URLs: Bootstrap's icons, the reply letter's picture.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# Nothing here uses a camera, a microphone, a position or a payment: no page may ask.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A proxy in front (nginx, a load balancer) sets X-Forwarded-Proto and appends the client's
# address to X-Forwarded-For. Per-address limits read that address (jiufeng.client_address)
# only on requests that come from one of TRUSTED_PROXIES: a client reaching the app another
# way cannot pose as whatever address it writes there.
JIUFENG_BEHIND_PROXY = env_bool("BEHIND_TLS_PROXY", False)
JIUFENG_TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
RATELIMIT_IP_META_KEY = "jiufeng.client_address.rate_limit_address"
# Staff sign-in (the login page, the admin, the API's token endpoint), by django-axes: after
# AXES_FAILURE_LIMIT wrong passwords for one account, or from one address, that account or
# address is refused for AXES_COOLOFF_TIME, the right password included; an administrator
# lifts it sooner by deleting its access attempt in the admin. Every sign-in, failure and
# lockout is in the auditors' event log (audit.signals), not in axes' own access log.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "jiufeng.client_address.client_address"
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "audit.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "audit.lockout.username_tried"
# Staff (officers, leaders, auditors, administrators) must set up and pass a second factor, a
# TOTP app, when this is on: on in production, off in `make run`'s demo (DEBUG). Whoever has
# set one up passes it either way (jiufeng.twofactor).
JIUFENG_TWO_FACTOR_REQUIRED = env_bool("JIUFENG_TWO_FACTOR_REQUIRED", not DEBUG)
# API tokens (django-rest-knox): only a hash is stored; each lasts JIUFENG_API_TOKEN_HOURS from
# when it was issued; signing out of the API ends the token used, signing out of the website
# ends all of the user's tokens (jiufeng.auth_token).
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=env_int("JIUFENG_API_TOKEN_HOURS", 10)),
    "AUTH_HEADER_PREFIX": "Token",
}
# A staff session idle this long ends (jiufeng.middleware.IdleTimeoutMiddleware).
JIUFENG_IDLE_TIMEOUT_MINUTES = env_int("JIUFENG_IDLE_TIMEOUT_MINUTES", 30)
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = "Jiufeng"
# A limit whose counter cannot be read (Redis away) lets the request through: filing and
# tracking go on on PostgreSQL alone, and django-redis logs every call it could not make.
RATELIMIT_FAIL_OPEN = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy (nginx, a load balancer) that sets X-Forwarded-Proto.
    if JIUFENG_BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz is probed over plain HTTP by orchestrators inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Mail -----------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For the file-based backend `make run` uses: one file per delivery run.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jiufeng@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No code that opens a case or an appraisal is written out (jiufeng.log_redaction): every
    # handler passes the filter. Django's own "django" handlers (a console in DEBUG, mail to
    # ADMINS) are replaced by the root's, and runserver's request lines get the filter too.
    "filters": {"redact_codes": {"()": "jiufeng.log_redaction.RedactCodes"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_codes"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_codes"]},
    },
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
# The console SMS backend's own file (`make run`: var/log/sms.log), so that hundreds of demo
# messages do not bury the server's address; blank: they go to the log like the rest.
JIUFENG_SMS_LOG_FILE = env_str("JIUFENG_SMS_LOG_FILE", "")
if JIUFENG_SMS_LOG_FILE:
    LOGGING["handlers"]["sms_file"] = {
        "class": "logging.FileHandler",
        "filename": JIUFENG_SMS_LOG_FILE,
        "encoding": "utf-8",
        "delay": True,
    }
    LOGGING["loggers"]["jiufeng.sms"] = {"handlers": ["sms_file"], "level": "INFO", "propagate": False}

# --- The office ------------------------------------------------------------------------
# Shown to petitioners wherever the web form cannot help them.
JIUFENG_HOTLINE = env_str("JIUFENG_HOTLINE", "12345")

# --- Complaint time limits (DOMAIN.md, 信访工作条例), in days ---------------------------
# Accept or not from receipt; resolve from acceptance; the petitioner may ask for a review
# within the window after a reply; a review is decided from the request.
JIUFENG_COMPLAINT_ACCEPT_DAYS = env_int("JIUFENG_COMPLAINT_ACCEPT_DAYS", 15)
JIUFENG_COMPLAINT_RESOLVE_DAYS = env_int("JIUFENG_COMPLAINT_RESOLVE_DAYS", 60)
JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS = env_int("JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS", 30)
JIUFENG_COMPLAINT_REVIEW_DAYS = env_int("JIUFENG_COMPLAINT_REVIEW_DAYS", 30)
# Keys of the tracking codes' stored hashes (complaints.tracking), newest first: the newest hashes
# new codes, each opens the codes it hashed. Unset: SECRET_KEY, as before. Set it to the current
# SECRET_KEY before rotating SECRET_KEY, later put a new key first.
JIUFENG_TRACKING_CODE_KEYS = env_list("JIUFENG_TRACKING_CODE_KEYS", [])
# Keys of petitioners' identities at rest (complaints.identity), newest first: Fernet keys
# (python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())').
# The newest encrypts, every one decrypts; `manage.py rotate_identity_keys` moves every row to
# the newest, after which the others can be dropped. Kept apart from SECRET_KEY (and from the
# database and its backups): losing them loses every identity. With DEBUG on a key derived from
# SECRET_KEY stands in when none is set (see JIUFENG_IDENTITY_KEYS_DERIVED below).
JIUFENG_IDENTITY_KEYS = env_list("JIUFENG_IDENTITY_KEYS", [])
# The key of the phone's keyed hash (blind index), by which filings find the same phone without
# decrypting every identity. Changing it needs `rotate_identity_keys` to rehash every phone.
JIUFENG_IDENTITY_INDEX_KEY = env_str("JIUFENG_IDENTITY_INDEX_KEY", "")
# Unset, both are derived from SECRET_KEY, so a deployment with API.md's environment alone
# starts; `check --deploy` warns (jiufeng.W002): rotating SECRET_KEY would then lose every identity.
JIUFENG_IDENTITY_KEYS_DERIVED = not JIUFENG_IDENTITY_KEYS or not JIUFENG_IDENTITY_INDEX_KEY
JIUFENG_IDENTITY_KEYS = JIUFENG_IDENTITY_KEYS or [
    base64.urlsafe_b64encode(hashlib.sha256(f"identity:{SECRET_KEY}".encode()).digest()).decode()
]
JIUFENG_IDENTITY_INDEX_KEY = JIUFENG_IDENTITY_INDEX_KEY or f"identity-index:{SECRET_KEY}"
if not DEBUG and len(JIUFENG_IDENTITY_INDEX_KEY) < 32:
    raise ImproperlyConfigured("JIUFENG_IDENTITY_INDEX_KEY must be a random value of at least 32 characters.")
for _key in JIUFENG_IDENTITY_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured("JIUFENG_IDENTITY_KEYS must list Fernet keys (32 bytes, URL-safe base64).") from None
# Closed cases' identities and attachments are purged this many days after the case ended
# (complaints.retention, daily). Five years: the archive period of petition files that are not
# kept permanently (信访档案 short-term retention); 0 keeps them forever.
JIUFENG_RETENTION_DAYS = env_int("JIUFENG_RETENTION_DAYS", 1826)
# Failed tracking-code lookups allowed before 429: per address, and from everyone together.
JIUFENG_TRACK_FAILURES_PER_IP = env_str("JIUFENG_TRACK_FAILURES_PER_IP", "20/h")
JIUFENG_TRACK_FAILURES_GLOBAL = env_str("JIUFENG_TRACK_FAILURES_GLOBAL", "600/m")
# Wrong appraisal invitation codes (evaluations.codes) allowed before 429, the same way:
# per address, and from everyone together.
JIUFENG_APPRAISAL_CODE_FAILURES_PER_IP = env_str("JIUFENG_APPRAISAL_CODE_FAILURES_PER_IP", "20/10m")
JIUFENG_APPRAISAL_CODE_FAILURES_GLOBAL = env_str("JIUFENG_APPRAISAL_CODE_FAILURES_GLOBAL", "600/m")
# Complaints filed from one address (web, API, Open311) before 429: generous, since a mobile
# network puts many petitioners behind one address.
JIUFENG_FILINGS_PER_IP = env_str("JIUFENG_FILINGS_PER_IP", "30/h")
# A real-name petitioner asking for SMS codes to see all their cases: per number and per address;
# and how long the proof lasts in the session.
JIUFENG_PHONE_CODES_PER_NUMBER = env_str("JIUFENG_PHONE_CODES_PER_NUMBER", "3/10m")
JIUFENG_PHONE_CODES_PER_IP = env_str("JIUFENG_PHONE_CODES_PER_IP", "10/h")
JIUFENG_PHONE_SESSION_SECONDS = env_int("JIUFENG_PHONE_SESSION_SECONDS", 2 * 3600)
# Attachments to a complaint, a message or an activity (complaints.attachments): how many
# at once, each file's size and all of them together.
JIUFENG_ATTACHMENT_MAX_FILES = env_int("JIUFENG_ATTACHMENT_MAX_FILES", 10)
JIUFENG_ATTACHMENT_MAX_BYTES = env_int("JIUFENG_ATTACHMENT_MAX_MB", 20) * 1024 * 1024
JIUFENG_ATTACHMENT_MAX_TOTAL_BYTES = env_int("JIUFENG_ATTACHMENT_MAX_TOTAL_MB", 50) * 1024 * 1024
# Django refuses a request carrying more files than this before any view runs (a bare 400);
# twice our own limit, so a petitioner one file over it reads our plain message instead.
# Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) already spool to a temporary file, and
# DATA_UPLOAD_MAX_MEMORY_SIZE does not count files: both defaults stand. The request's total
# size is capped by the proxy in front (nginx client_max_body_size, above 50 MB).
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * JIUFENG_ATTACHMENT_MAX_FILES

# --- Deadlines, escalation and notifications --------------------------------------------
# Time between escalation steps (催办 → principal → 督办 up the tree), and the early warning
# (预警) lead before a deadline falls due. Each may be overridden per deadline kind
# (responsibility.models.DeadlineKind values as keys).
JIUFENG_ESCALATION_INTERVAL = datetime.timedelta(days=env_int("JIUFENG_ESCALATION_INTERVAL_DAYS", 2))
JIUFENG_ESCALATION_INTERVALS_BY_KIND: dict[str, datetime.timedelta] = {}
JIUFENG_WARNING_LEAD = datetime.timedelta(days=env_int("JIUFENG_WARNING_DAYS", 3))
JIUFENG_WARNING_LEADS_BY_KIND: dict[str, datetime.timedelta] = {}
# Deadline kinds counted in working days (holiday calendar, 调休 included); the others
# in calendar days, the default of the Regulations on Petition Work.
JIUFENG_WORKING_DAY_KINDS = set(env_list("JIUFENG_WORKING_DAY_KINDS", []))
# Accountability proposals (问责建议) the sweep drafts for people to decide: for an obligation
# still open this long after the ladder returned it at the top (0: in the sweep that
# returns it; a deadline met in between gets none), and for a unit whose obligations
# were escalated more than this many times in a calendar quarter.
JIUFENG_ACCOUNTABILITY_AFTER_TOP = datetime.timedelta(days=env_int("JIUFENG_ACCOUNTABILITY_AFTER_TOP_DAYS", 0))
JIUFENG_ACCOUNTABILITY_ESCALATIONS_PER_QUARTER = env_int("JIUFENG_ACCOUNTABILITY_ESCALATIONS_PER_QUARTER", 10)
# Channels that get a copy of every in-app notification, when the user has an address.
JIUFENG_NOTIFICATION_CHANNELS = env_list("JIUFENG_NOTIFICATION_CHANNELS", ["email", "sms"])
if not set(JIUFENG_NOTIFICATION_CHANNELS) <= {"email", "sms"}:
    raise ImproperlyConfigured("JIUFENG_NOTIFICATION_CHANNELS may name only email and sms.")
JIUFENG_SMS_BACKEND = env_str("JIUFENG_SMS_BACKEND", "jiufeng.sms.ConsoleSmsBackend")
JIUFENG_OUTBOX_MAX_ATTEMPTS = env_int("JIUFENG_OUTBOX_MAX_ATTEMPTS", 5)
JIUFENG_OUTBOX_LEASE_SECONDS = env_int("JIUFENG_OUTBOX_LEASE_SECONDS", 300)
# Links in emails and SMS point here.
JIUFENG_SITE_URL = env_str("JIUFENG_SITE_URL", "http://127.0.0.1:8000")

# --- Open311 GeoReport v2 (complaints.open311) -------------------------------------------
# The jurisdiction this endpoint serves (e.g. the county site's domain); a request naming
# another is refused (404). Blank: jurisdiction_id is ignored.
JIUFENG_OPEN311_JURISDICTION_ID = env_str("JIUFENG_OPEN311_JURISDICTION_ID", "")
# Keys a client must send as api_key to file a request; none: filing needs no key.
JIUFENG_OPEN311_API_KEYS = env_list("JIUFENG_OPEN311_API_KEYS", [])
