"""A throwaway PostgreSQL server for the test run, from the `pgserver` wheel."""

import logging
import tempfile
from urllib.parse import quote

import dj_database_url


def throwaway_database_settings() -> dj_database_url.DBConfig:
    import pgserver

    # pgserver logs at interpreter exit, after pytest has closed the streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir = tempfile.mkdtemp(prefix="orderly-test-pg-")
    # pgserver stops the server and deletes its directory at exit. (Removing the directory
    # ourselves ran first, at exit, and left every test run's server running.)
    server = pgserver.get_server(data_dir, cleanup_mode="delete")
    socket_dir = server.get_uri().split("host=")[1]
    # A Unix socket directory goes in the host part, percent-encoded.
    return dj_database_url.parse(f"postgres://postgres@{quote(socket_dir, safe='')}/postgres")


def database_url() -> str:
    """The test database as a `DATABASE_URL`, for processes the tests start (gunicorn, the
    task worker) to use the same database."""
    from django.db import connection

    db = connection.settings_dict
    host = quote(db["HOST"], safe="") if db["HOST"].startswith("/") else db["HOST"]
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}{password}@{host}{port}/{db['NAME']}"
