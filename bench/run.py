"""Benchmark Orderly's production server in one command (issue 6, README "Performance").

    python bench/run.py --orders 10000 --duration 10

Starts a throwaway PostgreSQL (the `pgserver` wheel) unless DATABASE_URL names an empty
database, migrates, loads the dataset (bench/dataset.py), starts gunicorn exactly as
production does (`gunicorn config.wsgi -c gunicorn.conf.py`, 2 sync workers) with
`bench.settings`, warms every case up, measures each with wrk and the basket -> checkout
flow with concurrent Python buyers, and prints a Markdown table. Everything talks to
127.0.0.1 only, every loop is bounded, and the servers are stopped on the way out.
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


@contextlib.contextmanager
def production_server(env: dict[str, str], log_path: Path) -> Iterator[tuple[str, int]]:
    """gunicorn as in production (`gunicorn config.wsgi`, its config file), on loopback."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py"]
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
            wait_until_ready(base, server, log_path)
            yield base, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_ready(base: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/health/ready/", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not become ready:\n{log_path.read_text()[-3000:]}")


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (Linux /proc), to see it stays flat."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if not children.exists():
        return []
    sizes = []
    for pid in children.read_text().split():
        status = Path(f"/proc/{pid}/status")
        with contextlib.suppress(OSError):
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS:"))
            sizes.append(int(line.split()[1]) / 1024)
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
    ceiling_share: float | None = None


def http_cases(data: "BenchData") -> list[Case]:
    """The wrk cases, ceiling first. The deep staff page is page 1,000 where the dataset has
    one (50,000 orders and up), else the last page, the deepest there is."""
    staff = {"Cookie": f"sessionid={data.staff_session}"}
    customer = {"Cookie": f"sessionid={data.customer_session}"}
    bearer = {"Authorization": f"Bearer {data.api_token}"}
    last_page = -(-data.orders // PAGE_SIZE)
    deep = DEEP_PAGE if data.orders >= PAGE_SIZE * DEEP_PAGE else last_page
    return [
        Case("ceiling: bare DRF view", "/bench/ceiling/"),
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


def markdown_table(results: list[Result]) -> str:
    lines = [
        "| case | conns | requests/s | p50 ms | p99 ms | errors | share of ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        share = f"{r.ceiling_share:.0f} %" if r.ceiling_share is not None else "—"
        lines.append(
            f"| {r.name} | {r.connections} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.errors} | {share} |"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000, help="orders in the dataset")
    parser.add_argument("--duration", type=int, default=10, help="seconds per case")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per case")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--buyers", type=int, default=64, help="concurrent checkout buyers")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    wrk = ensure_wrk()
    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL") or stack.enter_context(throwaway_postgres())
        env = bench_environment(database_url)
        os.environ.update(env)
        data = prepare_database(args.orders)
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="orderly-bench-")))
        base, master_pid = stack.enter_context(production_server(env, workdir / "server.log"))
        results = measure_http_cases(wrk, base, http_cases(data), args)
        flow, flow_details = run_buyers(base, data.product_ids, args.buyers, args.duration)
        results.append(flow)
        rss = worker_rss_mb(master_pid)
        facts = database_facts()  # while the throwaway database still runs
    print_report(args, results, flow_details, facts, rss)


def measure_http_cases(
    wrk: str, base: str, cases: list[Case], args: argparse.Namespace
) -> list[Result]:
    """Each case: one checked request, a warm-up, the measurement. The first is the ceiling."""
    results = []
    for case in cases:
        check_case(base, case)
        connections = case.connections or args.connections
        run_wrk(wrk, base, case, connections, args.warmup)
        results.append(run_wrk(wrk, base, case, connections, args.duration))
        print(f"  {case.name}: {results[-1].rps:,.0f} req/s", flush=True)
    ceiling = results[0].rps
    for result in results:
        result.ceiling_share = 100 * result.rps / ceiling
    return results


def print_report(
    args: argparse.Namespace,
    results: list[Result],
    flow: dict,
    facts: dict[str, int | str],
    rss: list[float],
) -> None:
    command = (
        f"python bench/run.py --orders {args.orders} --duration {args.duration} "
        f"--warmup {args.warmup} --connections {args.connections} --buyers {args.buyers}"
    )
    print()
    print(markdown_table(results))
    print()
    print(f"- command: `{command}`")
    print(
        f"- machine: {os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()},"
        f" PostgreSQL {facts.get('version', '?')}; gunicorn {WORKERS} sync workers;"
        " wrk and the buyers run on the same machine"
    )
    print(
        f"- checkout: {flow['flows']} flows, errors {flow['errors'] or 0}, duplicate refs seen by"
        f" buyers {flow['duplicate_refs_seen']}, duplicate refs in the database"
        f" {facts.get('duplicate_refs', '?')}"
    )
    if rss:
        print(f"- worker RSS after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}")


if __name__ == "__main__":
    main()
