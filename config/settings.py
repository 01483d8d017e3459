"""Orderly's settings, read from the environment.

Every value a deployment may change comes from an environment variable (see
`.env.example`); the defaults are the safe production ones, so forgetting a variable
never opens the service up. Orderly's own knobs are `ORDERLY_*` and are read through
`kernel.conf.orderly_setting`, which holds their defaults.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str
from config.observability import log_format

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

# The demo's key when DEBUG is on and none is set (sessions, sealed order tokens).
DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

# Older secret keys: sessions signed with them, and order tokens sealed with keys derived
# from them, keep working while a new SECRET_KEY takes over (comma-separated).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "shop",
    "orders",
    "payments",
    "integration",
    "django_tasks",
    "django_tasks_db",
    "events",
    "webhooks",
]

MIDDLEWARE = [
    # First, so it times everything and tags every log line with the request id.
    "config.observability.RequestLogMiddleware",
    # Before every host check: probes call the container by its address (config/health.py).
    "config.health.HealthCheckMiddleware",
    # Oversized bodies and NUL characters are refused before anything reads them.
    "config.request_limits.RequestLimitsMiddleware",
    # JSON 404s under the APIs even with DEBUG on (before CommonMiddleware's slash redirect).
    "config.errors.JsonNotFoundMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's, the pay page's) straight from the app server, compressed
    # and cached forever under hashed names.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shop.middleware.CsrfCookieOnReadMiddleware",
    # Logins, registration and the pay page, throttled per address and account (429).
    "integration.login_throttle.LoginThrottleMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Folders searched before the apps' templates: a shop's own e-mail texts.
        "DIRS": env_list("TEMPLATE_DIRS", default=[]),
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

WSGI_APPLICATION = "config.wsgi.application"

# SQLite out of the box so the service runs with nothing installed; PostgreSQL (the
# supported production database) as soon as DATABASE_URL names it.
# Connections are kept between requests in production (one per gunicorn worker). Not
# with DEBUG: the development server runs each browser connection in a thread of its
# own, and every idle keep-alive thread would hold a database connection until the
# server's limit ("too many clients") is reached.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers files for production; a development run serves them from
# the apps themselves.
STATIC_ROOT = env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")) if not DEBUG else None
WHITENOISE_USE_FINDERS = DEBUG
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

# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto, redirect plain HTTP, and
# tell browsers to use HTTPS only (HSTS). Off for local plain-HTTP runs.
if env_bool("HTTPS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31_536_000)
    # HSTS covers the host's subdomains too and may be preloaded: Orderly runs on a host
    # of its own (shop-api.example.com). Turn both off (0) on a host whose subdomains
    # still serve plain HTTP.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # The health checks, probed over plain HTTP from inside the network, are answered
    # before SecurityMiddleware redirects anything (config/health.py).

# Cookies are HTTPS-only unless the deployment says it serves plain HTTP (local runs).
_SECURE_COOKIES = env_bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = _SECURE_COOKIES
CSRF_COOKIE_SECURE = _SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions with fewer, cheaper round trips (config/sessions.py).
SESSION_ENGINE = "config.sessions"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "kernel.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON first; form and multipart bodies too, as salesman (DRF's defaults) accepts them.
    # JSON is read through a parser that refuses what the database can't store and
    # nesting deep enough to hurt (shop/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "kernel.api.parsers.CheckedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "shop.api.errors.storefront_exception_handler",
    # Per API token on /v1/, per IP for anonymous order lookups by token (see the class).
    "DEFAULT_THROTTLE_CLASSES": ["integration.throttling.OrderlyRateThrottle"],
    # How many proxies in front of the service append to X-Forwarded-For; 0 trusts only
    # the connecting address, so clients can't pick their own rate-limit bucket.
    "NUM_PROXIES": env_int("NUM_PROXIES", default=0),
    # Money is a decimal string on the storefront wire ("33.00"), never a float.
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI 3 (drf-spectacular): one document per API, browsable with Swagger UI served
# from local files (drf-spectacular-sidecar), never a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Orderly",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SORT_OPERATION_PARAMETERS": False,
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "orderToken": {
                "type": "apiKey",
                "in": "query",
                "name": "token",
                "description": "A guest order's token, as checkout hands it out.",
            }
        }
    },
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "EventTypeEnum": "events.models.EventType",
        "WebhookEndpointStatusEnum": "webhooks.models.EndpointStatus",
    },
    # `check --deploy` would build one document of both APIs, which nobody serves, and
    # warn about names the two share. Each real document is generated on its own and
    # tested to generate without warnings (tests/ops/test_openapi.py).
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # The documents describe JSON bodies only, as the contract pages do (the storefront
    # still reads salesman's form bodies, undocumented).
    "PARSER_WHITELIST": ["kernel.api.parsers.CheckedJSONParser"],
    # A PATCH takes the same body as its PUT (basket `extra` is required in both).
    "COMPONENT_SPLIT_PATCH": False,
}

# One JSON object per line (LOG_FORMAT=text for humans, the default with DEBUG), each
# stamped with the request id and with secrets redacted by the formatter, whatever logger
# wrote it; one line per request. See config/observability.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.observability.RequestIdFilter"},
        "client_errors_logged_once": {
            "()": "config.observability.ResponseLineFilter",
            "below": 500,
        },
        "requests_logged_once": {"()": "config.observability.ResponseLineFilter", "below": 600},
    },
    "formatters": {
        "json": {"()": "config.observability.JsonFormatter"},
        "text": {"()": "config.observability.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": log_format(),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Everything Django logs goes to the console above, and only there: no handler of
        # Django's defaults (an unformatted console in DEBUG, e-mails to ADMINS) remains.
        "django": {"handlers": [], "level": "INFO"},
        # Our access line reports every request: the development server's own request
        # lines and Django's "Not Found: /path" for a 4xx go; 5xx keep their traceback.
        "django.server": {"handlers": [], "level": "INFO", "filters": ["requests_logged_once"]},
        "django.request": {"handlers": [], "filters": ["client_errors_logged_once"]},
        # Never SQL, even with LOG_LEVEL=DEBUG: its parameters hold session keys and tokens.
        "django.db.backends": {"handlers": [], "level": "INFO"},
    },
}

# --- Orderly -------------------------------------------------------------------------
# Defaults live in shop/conf.py; set any of them here or through the environment.
ORDERLY_CURRENCY = env_str("ORDERLY_CURRENCY", default="USD")
# Seals order tokens and stored idempotent answers (shop/sealing.py); empty: from SECRET_KEY.
ORDERLY_SEALING_KEY = env_str("ORDERLY_SEALING_KEY", default="")
ORDERLY_SEALING_KEY_FALLBACKS = env_list("ORDERLY_SEALING_KEY_FALLBACKS", default=[])
ORDERLY_PAY_ON_DELIVERY_MAX_QUANTITY = env_int("ORDERLY_PAY_ON_DELIVERY_MAX_QUANTITY", default=10)

# --- Payments: the test gateway and Stripe Checkout ------------------------------------
# Both are off unless the environment turns them on; see README "Payments".
#   ORDERLY_TEST_GATEWAY_ENABLED=1   offers `test-card`, a pretend provider in the service
#   ORDERLY_STRIPE_ENABLED=1         offers `stripe` (on by itself when a secret key is set)
# Secrets come only from the environment and are never logged.
ORDERLY_TEST_GATEWAY_SECRET = env_str("ORDERLY_TEST_GATEWAY_SECRET", default="")
ORDERLY_STRIPE_SECRET_KEY = env_str("ORDERLY_STRIPE_SECRET_KEY", default="")
ORDERLY_STRIPE_WEBHOOK_SECRET = env_str("ORDERLY_STRIPE_WEBHOOK_SECRET", default="")
ORDERLY_STRIPE_API_BASE = env_str("ORDERLY_STRIPE_API_BASE", default="")
ORDERLY_WEBHOOK_TOLERANCE = env_int("ORDERLY_WEBHOOK_TOLERANCE", default=300)
ORDERLY_PROVIDER_TIMEOUT = env_int("ORDERLY_PROVIDER_TIMEOUT", default=10)
# Webhook endpoints may point at loopback/private/link-local hosts (tests, local demos only).
ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)
_payment_gateways = []
if env_bool("ORDERLY_TEST_GATEWAY_ENABLED", default=False):
    _payment_gateways.append("payments.gateways.test_card.TestCardGateway")
if env_bool("ORDERLY_STRIPE_ENABLED", default=bool(ORDERLY_STRIPE_SECRET_KEY)):
    _payment_gateways.append("payments.gateways.stripe_checkout.StripeCheckout")
if _payment_gateways:
    from kernel.conf import DEFAULTS as _ORDERLY_DEFAULTS

    ORDERLY_PAYMENT_METHODS = [*_ORDERLY_DEFAULTS["PAYMENT_METHODS"], *_payment_gateways]

# --- Background work: the task worker and e-mail ----------------------------------------
# Tasks are rows in the database (django-tasks-db), written in the same transaction as
# the change that asks for them; `python manage.py worker` runs them (README "Events").
# Webhook attempts have a queue of their own, so workers may be dedicated to them.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "webhooks"],
    }
}
# A task still marked running this many seconds after it started belonged to a worker
# that died (killed, machine lost): the workers put it back in the queue.
ORDERLY_TASK_LEASE = env_int("ORDERLY_TASK_LEASE", default=300)

# Django's own e-mail settings, from the environment. The default prints each mail on
# the worker's console; set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# and EMAIL_HOST... for real mail.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="orders@localhost")
# The address buyers' links point at (the guest link in order e-mails): where this
# service is reachable from outside, without a trailing slash.
ORDERLY_PUBLIC_URL = env_str("ORDERLY_PUBLIC_URL", default="http://127.0.0.1:8000")
# Staff who opted in get a "new paid order" e-mail at these addresses (comma-separated).
ORDERLY_PAID_ORDER_NOTIFY = env_list("ORDERLY_PAID_ORDER_NOTIFY", default=[])
