"""gunicorn settings for `gunicorn config.wsgi` (read from the environment)."""

import os
from typing import Any

from gunicorn.glogging import Logger

from config.observability import gunicorn_log_config

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers: each request holds one database connection, as Django expects.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Orderly writes its own access line (JSON, with the request id and secrets redacted).
accesslog = None
errorlog = "-"
# gunicorn's own lines in the same format, redacted: a malformed request line it quotes
# may hold an order token.
logconfig_dict = gunicorn_log_config()


class OrderlyGunicornLogger(Logger):
    """gunicorn's logger without its access log. With a `logconfig_dict`, gunicorn gathers
    an access line's fields for every request (~25 us: headers, a strftime) and only then
    finds its access logger has no handler; the service's own line makes them useless."""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


logger_class = OrderlyGunicornLogger
# Recycle workers now and then, so a slow leak can't grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# The app is loaded once, in the master, and every worker is forked from it: a worker
# that replaces a recycled one serves at once instead of spending ~0.5 s of CPU importing
# Django and every view (at max_requests 5,000 that was ~60 us of every request to the
# bench ceiling, measured as the server's CPU time per request). Code changes need a
# restart, not a HUP, which is how a container deploys anyway.
preload_app = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server: object) -> None:
    """In the master, before the first fork: load every view, then hide the start-up heap
    from the garbage collector, so every worker starts with both.

    A full collection in a warmed worker walked ~100,000 start-up objects and took 30 to
    40 ms, about once every hundred staff-list requests: that was the list's p99. After
    `gc.freeze()` it walks only what requests allocate (~6 ms measured). Frozen before
    the fork, the start-up heap is also never written by a collection, so its memory
    stays shared between the workers.
    """
    import gc

    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view module, as a request would)
    # Nothing at import time should have connected; if something did, no worker inherits
    # (and shares) that socket.
    connections.close_all()
    gc.freeze()
