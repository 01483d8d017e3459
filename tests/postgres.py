"""A throwaway PostgreSQL server for the test run, from the `pgserver` wheel."""

import atexit
import logging
import shutil
import tempfile
from typing import Any


def throwaway_database_settings() -> dict[str, Any]:
    import pgserver

    # pgserver logs at interpreter exit, after pytest has closed the streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir = tempfile.mkdtemp(prefix="orderly-test-pg-")
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    socket_dir = server.get_uri().split("host=")[1]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {},
        "TEST": {"NAME": "orderly_test"},
    }
