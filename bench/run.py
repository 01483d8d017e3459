"""Benchmark Orderly's production server in one command (issue 6, README "Performance").

    python bench/run.py --orders 10000 --duration 10

Starts a throwaway PostgreSQL (the `pgserver` wheel) unless DATABASE_URL names an empty
database, migrates, loads the dataset (bench/dataset.py), starts gunicorn exactly as
production does (`gunicorn config.wsgi -c gunicorn.conf.py`, 2 sync workers) with
`bench.settings`, warms every case up, measures each with wrk and the basket -> checkout
flow with concurrent Python buyers, and prints a Markdown table and the issue 15 targets.
Everything talks to 127.0.0.1 only, every loop is bounded, and the servers are stopped on
the way out.

Every case is reported as a share of the *stock* ceiling, measured first: a bare DRF view
behind the middleware `django-admin startproject` writes (`bench/settings_stock.py`),
served by the same gunicorn command with gunicorn's defaults (`bench/gunicorn_stock.conf.py`).
`--only TEXT` measures only the cases whose name holds TEXT (and the stock ceiling), for
quick A/B runs.
"""

import argparse
import contextlib
import logging
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx

if TYPE_CHECKING:
    from bench.dataset import BenchData

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `python bench/run.py` puts bench/, not the repo, on the path

WORKERS = 2
# The staff list cases: pages of 50, the first and the 1,000th (issue 6).
PAGE_SIZE = 50
DEEP_PAGE = 1000
CHECKOUT_BODY = {
    "email": "buyer@example.com",
    "shipping_address": "1 Shipping Lane",
    "billing_address": "2 Billing Road",
    "payment_method": "pay-in-advance",
}
# A buyer stops after this many flows even if the duration has not run out.
MAX_FLOWS_PER_BUYER = 10_000
# The memory walk (issue 6: a server process stays flat while walking every page of the
# staff list): a few clients on interleaved pages keep both workers busy, and worker RSS
# is read about WALK_SAMPLES times along the way.
WALK_CLIENTS = 4
WALK_SAMPLES = 20
# A hang guard only: the whole walk at 1,000,000 orders takes minutes.
WALK_TIMEOUT_S = 3600


# --- the database -----------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A private PostgreSQL from the `pgserver` wheel (as tests/postgres.py), removed after."""
    import pgserver

    data_dir = tempfile.mkdtemp(prefix="orderly-bench-pg-")
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        socket_dir = server.get_uri().split("host=")[1]
        # A Unix socket directory goes in the host part, percent-encoded.
        yield f"postgres://postgres@{quote(socket_dir, safe='')}/postgres"
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def bench_environment(database_url: str) -> dict[str, str]:
    """The production environment, with the bench settings and plain-HTTP cookies."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "WEB_CONCURRENCY": str(WORKERS),
    }


def prepare_database(orders: int) -> "BenchData":
    """Migrate and load the dataset in this process (Django is set up from the environment)."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    # Django's logging config sends every library's INFO lines to stdout; the table is ours.
    for noisy in ("httpx", "pgserver"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from bench.dataset import load

    call_command("migrate_locked", verbosity=0)
    started = time.monotonic()
    data = load(orders)
    print(f"loaded {orders:,} orders in {time.monotonic() - started:.1f} s", flush=True)
    connection.close()  # the server gets the database to itself
    return data


def database_facts() -> dict[str, int | str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
        cursor.execute("SELECT count(*), count(*) - count(DISTINCT ref) FROM orders_order")
        orders, duplicates = cursor.fetchone()
    connection.close()
    return {"version": version, "orders": orders, "duplicate_refs": duplicates}


# --- the server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    """How a gunicorn is started: its config file, and the path that says it is ready."""

    config: str
    ready_path: str
    settings: str | None = None  # None: the environment's (bench.settings)


PRODUCTION = Server(config="gunicorn.conf.py", ready_path="/health/ready/")
# The stock project has no health checks; the ceiling itself says it serves.
STOCK = Server(
    config="bench/gunicorn_stock.conf.py",
    ready_path="/bench/ceiling/",
    settings="bench.settings_stock",
)


@contextlib.contextmanager
def production_server(
    env: dict[str, str], log_path: Path, server_kind: Server = PRODUCTION
) -> Iterator[tuple[str, int]]:
    """gunicorn as in production (`gunicorn config.wsgi -c <config>`), on loopback."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", server_kind.config]
    if server_kind.settings is not None:
        env = {**env, "DJANGO_SETTINGS_MODULE": server_kind.settings}
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603  (our own fixed command line)
            command,
            env={**env, "BIND": f"127.0.0.1:{port}"},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_ready(base + server_kind.ready_path, server, log_path)
            yield base, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_ready(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not become ready:\n{log_path.read_text()[-3000:]}")


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (Linux /proc), to see it stays flat."""
    return list(worker_rss_by_pid(master_pid).values())


def worker_rss_by_pid(master_pid: int) -> dict[int, float]:
    """Worker pid -> resident MB. The pid tells a recycled worker from one that stayed."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if not children.exists():
        return {}
    sizes = {}
    for pid in children.read_text().split():
        status = Path(f"/proc/{pid}/status")
        with contextlib.suppress(OSError):
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS:"))
            sizes[int(pid)] = int(line.split()[1]) / 1024
    return sizes


# --- wrk cases --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    # None: the run's --connections; 1 where the target is defined at concurrency 1.
    connections: int | None = None


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    connections: int
    stock_share: float | None = None  # % of the stock ceiling's requests/s
    ceiling_share: float | None = None  # % of our own ceiling's


def http_cases(data: "BenchData") -> list[Case]:
    """The wrk cases, ceiling first. The deep staff page is page 1,000 where the dataset has
    one (50,000 orders and up), else the last page, the deepest there is."""
    staff = {"Cookie": f"sessionid={data.staff_session}"}
    customer = {"Cookie": f"sessionid={data.customer_session}"}
    bearer = {"Authorization": f"Bearer {data.api_token}"}
    last_page = -(-data.orders // PAGE_SIZE)
    deep = DEEP_PAGE if data.orders >= PAGE_SIZE * DEEP_PAGE else last_page
    return [
        Case(OUR_CEILING, "/bench/ceiling/"),
        Case("guest order detail", f"/api/orders/{data.guest_ref}/?token={data.guest_token}"),
        Case("customer order list (20)", "/api/orders/?page_size=20", customer),
        Case("staff order status", f"/api/orders/{data.staff_ref}/status/", staff),
        Case(
            "staff list, page 1 of 50 (c=1)",
            f"/api/orders/all/?page_size={PAGE_SIZE}",
            staff,
            connections=1,
        ),
        Case(
            f"staff list, page {deep:,} of 50 (c=1)",
            f"/api/orders/all/?page_size={PAGE_SIZE}&page={deep}",
            staff,
            connections=1,
        ),
        Case("/v1/orders page", "/v1/orders", bearer),
        Case("/v1/orders/{id}", f"/v1/orders/{data.team_order_id}", bearer),
    ]


STOCK_CEILING = "stock ceiling: bare DRF view, startproject middleware"
OUR_CEILING = "ceiling: bare DRF view, our middleware"


def check_case(base: str, case: Case) -> None:
    """One request first: a misconfigured case would otherwise be measured as fast 4xx."""
    response = httpx.get(base + case.path, headers=case.headers, timeout=30)
    if response.status_code != 200:
        raise SystemExit(f"{case.name}: {response.status_code} {response.text[:300]}")


def ensure_wrk() -> str:
    """wrk from Debian/Ubuntu's `wrk` package; installed here when missing and root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed: `sudo apt-get install wrk` (or build it).")
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        raise SystemExit("wrk is not installed and there is no apt-get: install wrk first.")
    print("installing wrk with apt-get ...", flush=True)
    install = [apt_get, "install", "-y", "-q", "wrk"]
    # The package lists may be stale on a fresh machine: update once, then retry.
    if subprocess.run(install, check=False, capture_output=True).returncode != 0:  # noqa: S603
        subprocess.run([apt_get, "update", "-q"], check=True, capture_output=True)  # noqa: S603
        subprocess.run(install, check=True, capture_output=True)  # noqa: S603
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("apt-get did not install wrk.")
    return found


def run_wrk(wrk: str, base: str, case: Case, connections: int, seconds: int) -> Result:
    threads = min(2, connections)
    command = [wrk, "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "10s"]
    for name, value in case.headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(base + case.path)
    # Bounded: wrk stops by itself after `seconds`; the timeout only catches a hung wrk.
    finished = subprocess.run(  # noqa: S603  (wrk, with our own arguments)
        command, check=True, capture_output=True, text=True, timeout=seconds + 60
    )
    output = finished.stdout
    return parse_wrk(case.name, output, connections)


_DURATION_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _find(pattern: str, output: str) -> str:
    match = re.search(pattern, output, re.MULTILINE)
    if match is None:
        raise SystemExit(f"unexpected wrk output (no {pattern!r}):\n{output}")
    return match.group(1)


def _ms(text: str) -> float:
    """wrk's "612.00us", "3.21ms", "1.02s" in milliseconds."""
    number, unit = _find(r"^([\d.]+)(?:us|ms|s|m)$", text), _find(r"(us|ms|s|m)$", text)
    return float(number) * _DURATION_UNITS[unit]


def parse_wrk(name: str, output: str, connections: int) -> Result:
    """Requests/s, p50, p99 and errors (non-2xx/3xx + socket errors) from `wrk --latency`."""
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", output))
    p50 = _ms(_find(r"^\s+50%\s+(\S+)", output))
    p99 = _ms(_find(r"^\s+99%\s+(\S+)", output))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: (.*)", output):
        errors += sum(int(n) for n in re.findall(r"\d+", match.group(1)))
    return Result(name, rps, p50, p99, errors, connections)


# --- the memory walk --------------------------------------------------------------------


class WalkFailed(Exception):
    """A walk request that was not a 200; the walk stops and reports it as an error."""


@dataclass
class WalkLog:
    """What one walking client saw."""

    rows: int = 0
    ids: set[int] = field(default_factory=set)
    seconds: list[float] = field(default_factory=list)


@dataclass
class WorkerMemory:
    pid: int
    start_mb: float
    max_mb: float
    end_mb: float | None  # None: the worker was gone at the end
    # At the first sample inside the walk, once the first pages have grown the heap to
    # what serving a page takes; None on a walk too short to have one.
    settled_mb: float | None


class RssSampler:
    """Worker RSS before the walk, every `pages / samples` pages, and after it.

    The client finishing a step's page takes the sample: reading /proc takes well under a
    millisecond, and counting pages gives the same number of samples at any speed."""

    def __init__(self, master_pid: int, pages: int, samples: int) -> None:
        self.master_pid = master_pid
        self.step = max(1, -(-pages // samples))
        self.done = 0
        self.samples: list[dict[int, float]] = []
        self.lock = threading.Lock()

    def sample(self) -> None:
        rss = worker_rss_by_pid(self.master_pid)
        with self.lock:
            self.samples.append(rss)

    def page_done(self) -> None:
        with self.lock:
            self.done += 1
            due = self.done % self.step == 0
        if due:
            self.sample()

    def workers(self) -> list[WorkerMemory]:
        """Per worker present at the start (the first sample; the last is the end)."""
        start, end = self.samples[0], self.samples[-1]
        settled = self.samples[1] if len(self.samples) > 2 else {}
        return [
            WorkerMemory(
                pid=pid,
                start_mb=mb,
                max_mb=max(sample[pid] for sample in self.samples if pid in sample),
                end_mb=end.get(pid),
                settled_mb=settled.get(pid),
            )
            for pid, mb in start.items()
        ]

    def workers_replaced(self) -> int:
        """Pids that appeared after the start: a restart would hide a leak behind a new
        process, so the report says so instead of calling the memory flat."""
        seen = {pid for sample in self.samples for pid in sample}
        return len(seen - set(self.samples[0]))


def walk_page_size() -> int:
    """The staff list's largest page (ORDERLY_MAX_PAGE_SIZE): the fewest requests per walk.
    Read from the bench settings this process shares with the server."""
    from kernel.conf import orderly_setting

    size: int = orderly_setting("MAX_PAGE_SIZE")
    return size


def walk_get(client: httpx.Client, page_size: int, page: int) -> httpx.Response:
    try:
        response = client.get("/api/orders/all/", params={"page_size": page_size, "page": page})
    except httpx.HTTPError as error:
        raise WalkFailed(f"page {page}: {type(error).__name__}: {error}") from error
    if response.status_code != 200:
        raise WalkFailed(f"page {page}: {response.status_code} {response.text[:300]}")
    return response


def warm_up_walk(base: str, headers: dict[str, str], page_size: int, clients: int) -> int:
    """Page 1 a few times at once, so both workers have imported and cached what every
    later request reuses before the start RSS is read. Returns X-Total-Count."""

    def one(_: int) -> int:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            return int(walk_get(client, page_size, 1).headers["X-Total-Count"])

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return max(pool.map(one, range(2 * clients)))


def walk_pages(
    base: str,
    headers: dict[str, str],
    page_size: int,
    pages: range,
    sampler: RssSampler,
    stop: threading.Event,
    deadline: float,
) -> WalkLog:
    """One client's share of the pages, on one connection. Raises WalkFailed on the first
    failure after telling the other clients to stop."""
    log = WalkLog()
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for page in pages:
            if stop.is_set():
                break
            try:
                if time.monotonic() >= deadline:
                    raise WalkFailed(f"not done after {WALK_TIMEOUT_S} s, stopped at page {page}")
                started = time.monotonic()
                response = walk_get(client, page_size, page)
            except WalkFailed:
                stop.set()
                raise
            log.seconds.append(time.monotonic() - started)
            orders = response.json()
            log.rows += len(orders)
            log.ids.update(order["id"] for order in orders)
            sampler.page_done()
    return log


def walk_every_page(
    base: str,
    data: "BenchData",
    master_pid: int,
    clients: int = WALK_CLIENTS,
    samples: int = WALK_SAMPLES,
) -> tuple[Result, dict]:
    """Every page of the staff order list at its largest page size, `clients` at a time
    (client i takes pages i+1, i+1+clients, ...), with the workers' RSS sampled along the
    way. A failure stops the walk and is counted and described, never raised."""
    headers = {"Cookie": f"sessionid={data.staff_session}"}
    page_size = walk_page_size()
    logs: list[WalkLog] = []
    failures: list[str] = []
    try:
        total = warm_up_walk(base, headers, page_size, clients)
    except WalkFailed as error:
        total, failures = 0, [f"warm-up {error}"]
    pages = -(-total // page_size)
    sampler = RssSampler(master_pid, pages, samples)
    sampler.sample()
    stop = threading.Event()
    started = time.monotonic()
    if not failures:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            futures = [
                pool.submit(
                    walk_pages,
                    base,
                    headers,
                    page_size,
                    range(first, pages + 1, clients),
                    sampler,
                    stop,
                    started + WALK_TIMEOUT_S,
                )
                for first in range(1, clients + 1)
            ]
            for future in futures:
                try:
                    logs.append(future.result())
                except WalkFailed as error:
                    failures.append(str(error))
    elapsed = time.monotonic() - started
    sampler.sample()
    seconds = sorted(s for log in logs for s in log.seconds)
    result = Result(
        name=f"walk every staff page ({pages:,} pages of {page_size})",
        rps=len(seconds) / elapsed,
        p50_ms=percentile(seconds, 50) * 1000,
        p99_ms=percentile(seconds, 99) * 1000,
        errors=len(failures),
        connections=clients,
    )
    details = {
        "pages": pages,
        "pages_walked": len(seconds),
        "rows": sum(log.rows for log in logs),
        "distinct_orders": len(set().union(*(log.ids for log in logs))),
        "total_count_header": total,
        "expected": data.orders,
        "workers": sampler.workers(),
        "workers_replaced": sampler.workers_replaced(),
        "samples": len(sampler.samples),
        "settled_after_pages": sampler.step,
        "failures": failures,
    }
    return result, details


def measure_memory_walk(
    env: dict[str, str], log_path: Path, data: "BenchData"
) -> tuple[Result, dict]:
    """The walk on its own gunicorn: the production command with worker recycling off
    (WEB_MAX_REQUESTS=0). Recycling (max_requests 5,000) would restart each worker midway
    through a 1,000,000-order walk (10,000 pages) and hide a leak behind a fresh process."""
    walk_env = {**env, "WEB_MAX_REQUESTS": "0"}
    with production_server(walk_env, log_path) as (base, master_pid):
        result, details = walk_every_page(base, data, master_pid)
    print(f"  {result.name}: {result.rps:,.0f} pages/s", flush=True)
    return result, details


# --- the checkout flow ------------------------------------------------------------------


@dataclass
class BuyerLog:
    refs: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


def buyer(base: str, product_ids: list[int], index: int, deadline: float) -> BuyerLog:
    """One shopper with their own cookie jar: add to basket, check out, again and again."""
    log = BuyerLog()
    product = {"product_type": "shop.Product", "product_id": product_ids[index % len(product_ids)]}
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(MAX_FLOWS_PER_BUYER):
            if time.monotonic() >= deadline:
                break
            started = time.monotonic()
            try:
                added = client.post("/api/basket/", json=product)
                if added.status_code != 201:
                    log.errors[f"basket {added.status_code}"] += 1
                    continue
                placed = client.post("/api/checkout/", json=CHECKOUT_BODY)
            except httpx.HTTPError as error:
                log.errors[type(error).__name__] += 1
                continue
            if placed.status_code != 201:
                log.errors[f"checkout {placed.status_code}"] += 1
                continue
            log.seconds.append(time.monotonic() - started)
            # {"url": ".../api/orders/2026-00042/?token=..."}
            log.refs.append(placed.json()["url"].split("/api/orders/")[1].split("/")[0])
    return log


def run_buyers(base: str, product_ids: list[int], buyers: int, seconds: int) -> tuple[Result, dict]:
    start_barrier = threading.Event()
    deadline_box: list[float] = []

    def one(index: int) -> BuyerLog:
        start_barrier.wait()
        return buyer(base, product_ids, index, deadline_box[0])

    with ThreadPoolExecutor(max_workers=buyers) as pool:
        futures = [pool.submit(one, index) for index in range(buyers)]
        started = time.monotonic()
        deadline_box.append(started + seconds)
        start_barrier.set()
        logs = [future.result() for future in futures]
        elapsed = time.monotonic() - started
    refs = [ref for log in logs for ref in log.refs]
    seconds_each = sorted(s for log in logs for s in log.seconds)
    errors = sum((log.errors for log in logs), Counter())
    result = Result(
        name=f"basket -> checkout, {buyers} buyers (flows/s)",
        rps=len(refs) / elapsed,
        p50_ms=percentile(seconds_each, 50) * 1000,
        p99_ms=percentile(seconds_each, 99) * 1000,
        errors=sum(errors.values()),
        connections=buyers,
    )
    details = {
        "flows": len(refs),
        "duplicate_refs_seen": len(refs) - len(set(refs)),
        "errors": dict(errors),
    }
    return result, details


def percentile(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


# --- the report -------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _percent(share: float | None) -> str:
    return f"{share:.0f} %" if share is not None else "—"


def markdown_table(results: list[Result]) -> str:
    lines = [
        "| case | conns | requests/s | p50 ms | p99 ms | errors | share of stock ceiling"
        " | share of our ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.connections} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.errors} | {_percent(r.stock_share)} | {_percent(r.ceiling_share)} |"
        )
    return "\n".join(lines)


# Issue 15's targets: (case name, what is compared, the bound). Shares are of the stock
# ceiling; the staff list's p99 bound is defined at 1,000,000 orders, concurrency 1.
SHARE_TARGETS = [
    (OUR_CEILING, 90),
    ("guest order detail", 50),
    ("staff order status", 50),
    ("/v1/orders/{id}", 50),
    ("customer order list (20)", 25),
    ("/v1/orders page", 25),
]
STAFF_LIST_P99_MS = 50


def targets_table(results: list[Result], flow: dict | None, orders: int) -> str:
    """One line per target: what this run measured and whether it meets the target."""
    by_name = {r.name: r for r in results}
    lines = ["| target | measured | met |", "|---|---:|---|"]

    def row(target: str, measured: str, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {target} | {measured} | {verdict} |")

    for name, bound in SHARE_TARGETS:
        result = by_name.get(name)
        share = result.stock_share if result is not None else None
        row(
            f"{name}: ≥ {bound} % of the stock ceiling",
            _percent(share),
            None if share is None else share >= bound,
        )
    staff_lists = [r for r in results if r.name.startswith("staff list, page")]
    for result in staff_lists:
        row(
            f"{result.name}: p99 ≤ {STAFF_LIST_P99_MS} ms (target at 1,000,000 orders;"
            f" this run {orders:,})",
            f"{result.p99_ms:.1f} ms",
            result.p99_ms <= STAFF_LIST_P99_MS,
        )
    if not staff_lists:
        row(f"staff list pages 1 and 1,000: p99 ≤ {STAFF_LIST_P99_MS} ms", "—", None)
    checkout = next((r for r in results if r.name.startswith("basket -> checkout")), None)
    if checkout is None or flow is None:
        row("checkout at 64 buyers: 0 errors, 0 duplicate refs", "—", None)
    else:
        duplicates = flow["duplicate_refs_seen"] + flow.get("duplicate_refs_in_database", 0)
        # Throughput against the code before issue 15 is a second run of that code's own
        # bench on the same machine (README "Performance"); this row judges correctness.
        row(
            f"checkout at {checkout.connections} buyers: 0 errors, 0 duplicate refs"
            " (the flows/s are compared with the code before issue 15 in the README)",
            f"{checkout.rps:,.0f} flows/s, {checkout.errors} errors, {duplicates} duplicates",
            checkout.errors == 0 and duplicates == 0,
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000, help="orders in the dataset")
    parser.add_argument("--duration", type=int, default=10, help="seconds per case")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per case")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--buyers", type=int, default=64, help="concurrent checkout buyers")
    parser.add_argument(
        "--walk",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="walk every staff list page and watch worker memory (minutes at 1M orders)",
    )
    parser.add_argument(
        "--only",
        metavar="TEXT",
        default=None,
        help="measure only the cases whose name holds TEXT (case-insensitive; the stock"
        " ceiling always), e.g. --only ceiling, --only checkout, --only walk",
    )
    return parser.parse_args()


def selected(name: str, only: str | None) -> bool:
    return only is None or only.lower() in name.lower()


def main() -> None:
    args = parse_args()
    wrk = ensure_wrk()
    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL") or stack.enter_context(throwaway_postgres())
        env = bench_environment(database_url)
        os.environ.update(env)
        data = prepare_database(args.orders)
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="orderly-bench-")))
        # First, on a server of its own that is stopped before ours starts.
        with production_server(env, workdir / "stock-server.log", STOCK) as (stock_base, _):
            [stock] = measure_http_cases(
                wrk, stock_base, [Case(STOCK_CEILING, "/bench/ceiling/")], args
            )
        base, master_pid = stack.enter_context(production_server(env, workdir / "server.log"))
        cases = [case for case in http_cases(data) if selected(case.name, args.only)]
        results = [stock, *measure_http_cases(wrk, base, cases, args)]
        walk_details = None
        # Before the checkout, which adds orders the walk would count.
        if args.walk and selected("walk every staff page", args.only):
            walk, walk_details = measure_memory_walk(env, workdir / "walk-server.log", data)
            results.append(walk)
        flow_details = None
        if selected("basket -> checkout", args.only):
            flow, flow_details = run_buyers(base, data.product_ids, args.buyers, args.duration)
            results.append(flow)
        rss = worker_rss_mb(master_pid)
        facts = database_facts()  # while the throwaway database still runs
    if flow_details is not None:
        flow_details["duplicate_refs_in_database"] = facts["duplicate_refs"]
    set_shares(results)
    print_report(args, results, flow_details, walk_details, facts, rss)


def measure_http_cases(
    wrk: str, base: str, cases: list[Case], args: argparse.Namespace
) -> list[Result]:
    """Each case: one checked request, a warm-up, the measurement."""
    results = []
    for case in cases:
        check_case(base, case)
        connections = case.connections or args.connections
        run_wrk(wrk, base, case, connections, args.warmup)
        results.append(run_wrk(wrk, base, case, connections, args.duration))
        print(f"  {case.name}: {results[-1].rps:,.0f} req/s", flush=True)
    return results


def set_shares(results: list[Result]) -> None:
    """Every request case's share of the stock ceiling and of ours (when measured); the
    memory walk counts pages and the checkout flows, so they get none."""
    by_name = {r.name: r for r in results}
    stock, ours = by_name[STOCK_CEILING], by_name.get(OUR_CEILING)
    for result in results:
        if result.name.startswith(("walk every", "basket -> checkout")):
            continue
        result.stock_share = 100 * result.rps / stock.rps
        if ours is not None:
            result.ceiling_share = 100 * result.rps / ours.rps


def print_report(
    args: argparse.Namespace,
    results: list[Result],
    flow: dict | None,
    walk: dict | None,
    facts: dict[str, int | str],
    rss: list[float],
) -> None:
    command = (
        f"python bench/run.py --orders {args.orders} --duration {args.duration} "
        f"--warmup {args.warmup} --connections {args.connections} --buyers {args.buyers}"
        + ("" if args.walk else " --no-walk")
        + (f" --only '{args.only}'" if args.only else "")
    )
    print()
    print(markdown_table(results))
    print()
    print(targets_table(results, flow, args.orders))
    print()
    print(f"- command: `{command}`")
    print(
        f"- machine: {os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()},"
        f" PostgreSQL {facts.get('version', '?')}; gunicorn {WORKERS} sync workers;"
        " wrk and the buyers run on the same machine"
    )
    print(
        f"- stock ceiling: `gunicorn config.wsgi -c bench/gunicorn_stock.conf.py` (gunicorn's"
        f" defaults, {WORKERS} sync workers) with `bench.settings_stock`, measured first"
    )
    if flow is not None:
        print(
            f"- checkout: {flow['flows']} flows, errors {flow['errors'] or 0}, duplicate refs"
            f" seen by buyers {flow['duplicate_refs_seen']}, duplicate refs in the database"
            f" {facts.get('duplicate_refs', '?')}"
        )
    if walk is not None:
        print(walk_line(walk))
    if rss:
        print(f"- worker RSS after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}")


def walk_line(walk: dict) -> str:
    """- memory walk (...): 10,000 of 10,000 pages, 1,000,000 rows, ... worker RSS start
    72/79 MB, max 89/88 MB, end 89/88 MB (growth +17/+9 MB, max +17/+9 MB; after the first
    500 pages +1/+0 MB; 22 samples)"""
    workers: list[WorkerMemory] = walk["workers"]

    def mbs(values: list[float | None], sign: str = "") -> str:
        # Rounded first, so -0.2 MB reads +0, not -0.
        return "/".join("gone" if mb is None else f"{round(mb):{sign}d}" for mb in values)

    def minus(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a - b

    growth = [
        f"growth {mbs([minus(w.end_mb, w.start_mb) for w in workers], '+')} MB",
        f"max {mbs([w.max_mb - w.start_mb for w in workers], '+')} MB",
    ]
    # Most of the growth is the first pages (the heap reaching what serving a page takes);
    # a leak shows as growth after them, so that is reported too.
    settled = [minus(w.end_mb, w.settled_mb) for w in workers]
    if any(mb is not None for mb in settled):
        growth.append(
            f"after the first {walk['settled_after_pages']:,} pages {mbs(settled, '+')} MB"
        )
    growth.append(f"{walk['samples']} samples")
    line = (
        f"- memory walk (own gunicorn, worker recycling off): {walk['pages_walked']:,} of"
        f" {walk['pages']:,} pages, {walk['rows']:,} rows, {walk['distinct_orders']:,} distinct"
        f" (expected {walk['expected']:,}, X-Total-Count {walk['total_count_header']:,}),"
        f" worker RSS start {mbs([w.start_mb for w in workers])} MB,"
        f" max {mbs([w.max_mb for w in workers])} MB,"
        f" end {mbs([w.end_mb for w in workers])} MB ({'; '.join(growth)})"
    )
    if walk["workers_replaced"]:
        line += f"; {walk['workers_replaced']} worker(s) replaced mid-walk: growth not comparable"
    if walk["failures"]:
        line += f"; STOPPED: {'; '.join(walk['failures'])}"
    return line


if __name__ == "__main__":
    main()
