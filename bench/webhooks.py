"""Webhook delivery rate of one worker, and checkout throughput with events on and off.

    .venv/bin/python bench/webhooks.py            # about a minute

On a throwaway PostgreSQL (or an empty DATABASE_URL of yours), with the production
server (gunicorn, 2 sync workers) and a local receiver (http.server, threads) on 127.0.0.1:

1. **delivery**: places orders in this process until `--events` events are waiting for one
   endpoint, starts one worker process, and times how long until the receiver has them
   all (the worker also runs the dispatch of each event to its deliveries).
2. **checkout**: `--buyers` threads place orders through `/v1/orders/checkout` for
   `--duration` seconds, first with events "off" (no webhook endpoint, no worker), then
   "on" (three active endpoints and a worker delivering while the buyers buy); reports
   both rates and their ratio. Events are written in every checkout's transaction either
   way: "off" measures what the outbox alone costs, "on" adds the deliveries.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `python bench/webhooks.py` puts bench/, not the repo, on the path

from bench.run import (  # noqa: E402
    bench_environment,
    prepare_database,
    production_server,
    throwaway_postgres,
)

WORKER_COMMAND = [sys.executable, "manage.py", "worker"]


class Receiver:
    """Counts deliveries; answers 204 at once."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.count += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@contextlib.contextmanager
def worker(env: dict[str, str], log_path: Path) -> Iterator[None]:
    with log_path.open("a") as log:
        process = subprocess.Popen(  # noqa: S603  (our own fixed command line)
            WORKER_COMMAND, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def team_and_profile() -> tuple[Any, Any]:
    from shop.models import Profile

    profile = Profile.objects.select_related("team").get(name="Bench profile")
    return profile.team, profile


def endpoints_create(count: int, url: str) -> None:
    from webhooks.services import webhook_endpoint_create

    team, _ = team_and_profile()
    for _ in range(count):
        webhook_endpoint_create(team=team, url=url)


def endpoints_delete() -> None:
    from webhooks.models import WebhookEndpoint

    WebhookEndpoint.objects.all().delete()


def events_place(count: int, product_id: int) -> int:
    """Place team orders in this process until at least `count` events were written."""
    from events.models import Event
    from integration.services import CheckoutLine, integration_checkout

    team, profile = team_and_profile()
    before = Event.objects.filter(team=team).count()
    while (written := Event.objects.filter(team=team).count() - before) < count:
        integration_checkout(
            team=team,
            profile_id=profile.pk,
            lines=[CheckoutLine(product_id=product_id, quantity=1, is_add_on=False)],
            discount=Decimal(0),
        )
    return written


def measure_delivery(env: dict, workdir: Path, events: int, product_id: int) -> dict:
    receiver = Receiver()
    endpoints_create(1, receiver.url)
    written = events_place(events, product_id)
    from django.db import connection

    connection.close()
    started = time.monotonic()
    with worker(env, workdir / "worker-delivery.log"):
        deadline = started + 120
        while receiver.count < written and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    endpoints_delete()
    return {"events": written, "delivered": receiver.count, "seconds": elapsed}


def buyers(base: str, token: str, profile_id: int, product_id: int, count: int, seconds: int):
    body = {
        "profile_id": str(profile_id),
        "line_items": [{"product_id": str(product_id), "quantity": 1}],
    }
    placed, errors = [0] * count, [0] * count
    deadline = time.monotonic() + seconds

    def buy(index: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while time.monotonic() < deadline:
                response = client.post("/v1/orders/checkout", json=body)
                if response.status_code == 201:
                    placed[index] += 1
                else:
                    errors[index] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(buy, range(count)))
    return sum(placed) / (time.monotonic() - started), sum(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="events to deliver")
    parser.add_argument("--duration", type=int, default=8, help="seconds per checkout run")
    parser.add_argument("--buyers", type=int, default=8, help="concurrent /v1 checkout clients")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL") or stack.enter_context(throwaway_postgres())
        env = {**bench_environment(database_url), "ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS": "1"}
        os.environ.update(env)
        data = prepare_database(1000)
        product_id = data.product_ids[0]
        _, profile = team_and_profile()
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="orderly-bench-")))

        delivery = measure_delivery(env, workdir, args.events, product_id)
        rate = delivery["delivered"] / delivery["seconds"]
        print(
            f"delivery: {delivery['delivered']:,} of {delivery['events']:,} events in "
            f"{delivery['seconds']:.1f} s by one worker: {rate:,.0f} events/s",
            flush=True,
        )

        base, _ = stack.enter_context(production_server(env, workdir / "server.log"))
        off, off_errors = buyers(
            base, data.api_token, profile.pk, product_id, args.buyers, args.duration
        )
        print(f"checkout, events off: {off:,.1f} orders/s ({off_errors} errors)", flush=True)
        # The events of that run (dispatched to no endpoint) out of the way first.
        drain = [*WORKER_COMMAND, "--batch"]
        subprocess.run(drain, env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        receiver = Receiver()
        endpoints_create(3, receiver.url)
        with worker(env, workdir / "worker-checkout.log"):
            on, on_errors = buyers(
                base, data.api_token, profile.pk, product_id, args.buyers, args.duration
            )
        print(
            f"checkout, events on (3 endpoints, 1 worker): {on:,.1f} orders/s "
            f"({on_errors} errors, {receiver.count:,} deliveries meanwhile)",
            flush=True,
        )
    print(f"checkout with events on / off: {on / off:.2f}")


if __name__ == "__main__":
    main()
