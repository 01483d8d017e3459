"""gunicorn for the stock ceiling (`bench/settings_stock.py`): gunicorn's own defaults,
only the address and the worker count set, as the server under test has them."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
