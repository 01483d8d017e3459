"""The stock ceiling's settings: what `django-admin startproject` writes (Django 5.2) plus
DRF with its defaults, on the same database and secret key as the server under test.

The reference every bench case is divided by (issue 15): a bare DRF `APIView` behind the
middleware list a new project starts with, not ours, served by a gunicorn with its own
defaults (`bench/gunicorn_stock.conf.py`). Our own ceiling (`bench/urls.py`, through our
middleware, throttle classes and server settings) is reported as a share of it too.
"""

import dj_database_url

from config.env import env_list, env_str

SECRET_KEY = env_str("SECRET_KEY", default="")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
]

# As `django-admin startproject` writes it for Django 5.2.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bench.urls_stock"

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

DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", default=""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
