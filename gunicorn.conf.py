"""gunicorn settings for `gunicorn config.wsgi` (read from the environment)."""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers: each request holds one database connection, as Django expects.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Orderly writes its own access line (JSON, with the request id and secrets redacted).
accesslog = None
errorlog = "-"
# Recycle workers now and then, so a slow leak can't grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
