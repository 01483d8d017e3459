"""Settings the type checker's Django plugin (django-stubs) loads: the production ones.

The plugin only reads the apps and models; it never queries a database. Loading the test
settings instead started a throwaway PostgreSQL on every mypy run, and mypy's exit left
it running.
"""

import os

os.environ.setdefault("SECRET_KEY", "type-checking-only")

from config.settings import *  # noqa: F403
