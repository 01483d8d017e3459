"""Load a benchmark dataset: N orders of 3 items each, fast, with PostgreSQL COPY.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgres://... SECRET_KEY=x \
        python -m bench.dataset --orders 100000

Orders are written straight into the tables (the ORM would take an hour for a million),
so this module is the one place that must agree with the models' columns by hand: every
row it writes is what checkout would have written (a ref from the year's counter, a token
sealed and stored with its digest, items frozen from the catalogue, shipping as an extra
row, totals consistent with the items, a payment of the total for paid orders). It needs
an empty orders table: refs and ids start at 1.
"""

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from importlib import import_module

import psycopg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from integration.services import api_token_create
from orders.models import (
    Order,
    RefCounter,
    new_order_token,
    order_token_digest,
    order_token_sealed,
)
from orders.selectors import order_guest_token
from shop.models import Product, Profile, Team

ITEMS_PER_ORDER = 3
CUSTOMER_ORDERS = 20
# The shop's default shipping modifier: 5.00 below 100.00 (see kernel/conf.py).
SHIPPING_CENTS = 500
FREE_SHIPPING_FROM_CENTS = 10_000
# Weights give a little over half the orders paid (PROCESSING, SHIPPED, COMPLETED).
STATUS_WEIGHTS = {
    "COMPLETED": 35,
    "SHIPPED": 10,
    "PROCESSING": 10,
    "HOLD": 25,
    "CREATED": 5,
    "CANCELLED": 10,
    "FAILED": 5,
}
PAID_STATUSES = {"COMPLETED", "SHIPPED", "PROCESSING"}
# Rows are streamed to COPY in batches, so memory stays flat at a million orders.
BATCH = 20_000
# An API token the rate limiter never stops (one wrk client is one token).
BENCH_RATE_LIMIT = "100000000/second"


@dataclass(frozen=True)
class BenchData:
    """What the runner needs to address the dataset."""

    orders: int
    guest_ref: str
    guest_token: str
    staff_ref: str
    customer_session: str
    staff_session: str
    api_token: str
    team_order_id: int
    product_ids: list[int]


@dataclass(frozen=True)
class CatalogueEntry:
    id: int
    cents: int
    data: str  # the frozen product_data JSON


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def create_catalogue(count: int = 50) -> list[CatalogueEntry]:
    products = Product.objects.bulk_create(
        Product(name=f"Bench product {n:03d}", code=f"BENCH-{n:03d}", price=money(490 + n * 170))
        for n in range(count)
    )
    return [
        CatalogueEntry(
            id=product.pk,
            cents=490 + n * 170,
            data=json.dumps({"name": product.name, "code": product.code}),
        )
        for n, product in enumerate(products)
    ]


def create_people() -> tuple[User, User, Team, Profile]:
    staff = User.objects.create_user(
        "bench-staff", "staff@example.com", None, is_staff=True, is_superuser=True
    )
    customer = User.objects.create_user("bench-customer", "customer@example.com", None)
    team = Team.objects.create(name="Bench team", slug="bench-team")
    profile = Profile.objects.create(team=team, name="Bench profile")
    return staff, customer, team, profile


def login_session(user: User) -> str:
    """A saved session that logs `user` in, as `django.contrib.auth.login` would write it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


@dataclass(frozen=True)
class Owners:
    """Who owns which order number: the customer exactly 20, the team every 4th other one."""

    customer_id: int
    team_id: int
    profile_id: int
    customer_numbers: frozenset[int]

    def of(self, number: int) -> tuple[int | None, int | None, int | None]:
        if number in self.customer_numbers:
            return self.customer_id, None, None
        if number % 4 == 0:
            return None, self.team_id, self.profile_id
        return None, None, None


def spread_numbers(total: int, count: int) -> frozenset[int]:
    """`count` order numbers spread evenly over 1..total, newest first."""
    step = total // count
    return frozenset(total - k * step for k in range(count))


def order_rows(
    total: int, year: int, catalogue: list[CatalogueEntry], owners: Owners, rng: random.Random
) -> Iterator[tuple[tuple, list[tuple], tuple | None]]:
    """(order row, item rows, payment row or None) for order numbers 1..total, oldest first.

    Orders are spread evenly over the past year so date sorts and filters see a real
    range; the number (and so the ref) grows with the creation time, as checkout does it.
    """
    start = timezone.now() - timedelta(days=365)
    step = timedelta(days=365) / total
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    for number in range(1, total + 1):
        created_at = start + step * (number - 1)
        items, subtotal = item_rows(number, catalogue, rng)
        shipping = 0 if subtotal >= FREE_SHIPPING_FROM_CENTS else SHIPPING_CENTS
        extra_rows = (
            json.dumps(
                [
                    {
                        "modifier": "shipping",
                        "label": "Shipping",
                        "amount": money(shipping),
                        "extra": {},
                    }
                ]
            )
            if shipping
            else "[]"
        )
        total_cents = subtotal + shipping
        status = rng.choices(statuses, weights)[0]
        date_paid = created_at + timedelta(hours=1) if status in PAID_STATUSES else None
        token = new_order_token()
        user_id, team_id, profile_id = owners.of(number)
        order = (
            number,
            f"{year}-{number:05d}",
            order_token_sealed(token),
            order_token_digest(token),
            status,
            user_id,
            f"buyer{number % 5000}@example.com",
            "2 Billing Road",
            "1 Shipping Lane",
            money(subtotal),
            money(total_cents),
            extra_rows,
            "{}",
            "pay-in-advance" if number % 3 else "pay-on-delivery",
            team_id,
            profile_id,
            date_paid,
            created_at,
            date_paid or created_at,
        )
        payment = (
            (number, money(total_cents), f"bench-{number}", "manual", date_paid)
            if date_paid
            else None
        )
        yield order, items, payment


def item_rows(
    number: int, catalogue: list[CatalogueEntry], rng: random.Random
) -> tuple[list[tuple], int]:
    rows, subtotal = [], 0
    for product in rng.sample(catalogue, ITEMS_PER_ORDER):
        quantity = rng.randint(1, 3)
        line = product.cents * quantity
        subtotal += line
        rows.append(
            (
                number,
                "shop.Product",
                product.id,
                product.data,
                money(product.cents),
                quantity,
                money(line),
                money(line),
                "[]",
                "{}",
                False,
            )
        )
    return rows, subtotal


ORDER_COLUMNS = (
    "id, ref, token_sealed, token_digest, status, user_id, email, billing_address,"
    " shipping_address, subtotal, total, extra_rows, extra, payment_method, team_id,"
    " profile_id, date_paid, created_at, updated_at"
)
ITEM_COLUMNS = (
    "order_id, product_type, product_id, product_data, unit_price, quantity, subtotal, total,"
    " extra_rows, extra, is_add_on"
)
PAYMENT_COLUMNS = "order_id, amount, transaction_id, payment_method, created_at"


def copy_orders(rows: Iterator[tuple[tuple, list[tuple], tuple | None]]) -> None:
    """Stream the rows into the three tables with COPY, one batch of orders at a time."""
    raw = connection.connection  # the psycopg 3 connection under Django's wrapper
    batch: list[tuple[tuple, list[tuple], tuple | None]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            copy_batch(raw, batch)
            batch = []
    if batch:
        copy_batch(raw, batch)


def copy_batch(
    raw: psycopg.Connection, batch: list[tuple[tuple, list[tuple], tuple | None]]
) -> None:
    # Orders first: items and payments reference them, and COPY checks foreign keys.
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY orders_order ({ORDER_COLUMNS}) FROM STDIN") as copy:
            for order, _, _ in batch:
                copy.write_row(order)
        with cursor.copy(f"COPY orders_orderitem ({ITEM_COLUMNS}) FROM STDIN") as copy:
            for _, items, _ in batch:
                for item in items:
                    copy.write_row(item)
        with cursor.copy(f"COPY orders_orderpayment ({PAYMENT_COLUMNS}) FROM STDIN") as copy:
            for _, _, payment in batch:
                if payment is not None:
                    copy.write_row(payment)


def finish_tables(total: int, year: int) -> None:
    """Point the id sequence and the ref counter past the loaded orders, count them per
    status as the triggers would have, then ANALYZE so the planner sees the real table
    sizes from the first request."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('orders_order', 'id'), %s)", [total])
        cursor.execute(
            "INSERT INTO orders_orderstatuscount (team_key, status, count)"
            " SELECT COALESCE(team_id, 0), status, count(*) FROM orders_order GROUP BY 1, 2"
        )
        cursor.execute("ANALYZE orders_order, orders_orderitem, orders_orderpayment")
    RefCounter.objects.update_or_create(year=year, defaults={"last_number": total})


def middle_order(total: int, owners: Owners, *, team: bool) -> int:
    """The number (and id) of a guest's or the team's order in the middle of the table:
    not the newest, hottest row."""
    number = total // 2 + 1
    while (owners.of(number)[1] is not None) != team or owners.of(number)[0] is not None:
        number += 1
    return number


LOADED_TABLES = ("orders_order", "orders_orderitem", "orders_orderpayment")


def load(total: int, seed: int = 6) -> BenchData:
    if total < 100:
        raise SystemExit("--orders must be at least 100.")
    if Order.objects.exists():
        raise SystemExit("The orders table is not empty: load into a fresh database.")
    rng = random.Random(seed)  # noqa: S311  (test data, the same on every run)
    year = timezone.localdate().year
    # The per-status count triggers (orders migration 0003) would queue one event per
    # copied row until commit; they are off while loading and finish_tables counts once.
    # So are the revision triggers (migration 0005): each copied item and payment would
    # update its order's row, leaving three dead versions of every order behind (the
    # loaded orders have no documents yet; the first read renders them).
    # Outside the load's transaction: ALTER TABLE refuses while the copied rows' foreign
    # key checks are still pending in it.
    with connection.cursor() as cursor:
        for table in LOADED_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        with transaction.atomic():
            catalogue = create_catalogue()
            staff, customer, team, profile = create_people()
            owners = Owners(
                customer_id=customer.pk,
                team_id=team.pk,
                profile_id=profile.pk,
                customer_numbers=spread_numbers(total, CUSTOMER_ORDERS),
            )
            copy_orders(order_rows(total, year, catalogue, owners, rng))
            finish_tables(total, year)
            token = api_token_create(
                team=team, token_type="full_access", rate_limit=BENCH_RATE_LIMIT, name="bench"
            )
    finally:
        with connection.cursor() as cursor:
            for table in LOADED_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    guest = Order.objects.get(pk=middle_order(total, owners, team=False))
    return BenchData(
        orders=total,
        guest_ref=guest.ref,
        guest_token=order_guest_token(guest),
        staff_ref=guest.ref,
        customer_session=login_session(customer),
        staff_session=login_session(staff),
        api_token=token.raw,
        team_order_id=middle_order(total, owners, team=True),
        product_ids=[entry.id for entry in catalogue],
    )


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    django.setup()
    print(json.dumps(asdict(load(args.orders)), indent=2))


if __name__ == "__main__":
    main()
