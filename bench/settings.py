"""Production settings plus what the benchmark needs, and nothing else.

The server under test runs exactly `config.settings` (DEBUG off, the same middleware,
throttle and database settings) with two differences: the ceiling view is routed, and the
per-IP / per-token rate limits are out of reach, because wrk sends every request from one
address and would otherwise measure 429s. The rate-limit counter is still hit on every
request it would be hit on in production, so its cost stays in the numbers.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

ORDERLY_API_RATE_LIMIT = "100000000/second"
ORDERLY_ORDER_TOKEN_LOOKUP_RATE_LIMIT = "100000000/second"
