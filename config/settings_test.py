"""Settings for the test suite: the production settings, on a throwaway PostgreSQL.

Tests of locking, concurrency and constraints must run where production runs, so the
suite never falls back to SQLite: without DATABASE_URL it starts its own PostgreSQL
(the `pgserver` wheel) for the run and throws it away afterwards.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("SECURE_COOKIES", "0")

from config.settings import *  # noqa: F403
from config.settings import DATABASES

if not os.environ.get("DATABASE_URL"):
    from tests.postgres import throwaway_database_settings

    DATABASES["default"] = throwaway_database_settings()

DATABASES["default"]["CONN_MAX_AGE"] = 0
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Tests don't run collectstatic (the production-server test does, for itself): static
# files come straight from the apps.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Fast hashing: the suite creates many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
