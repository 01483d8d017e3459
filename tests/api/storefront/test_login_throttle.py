"""Logins, registration and the pay page are throttled per client address and account.

Counts live in the database's rate-limit table (shared by every worker); windows are
driven by a clock the test controls.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import StaffFactory, UserFactory


class Clock:
    def __init__(self) -> None:
        # The start of an hour: every window the tests use begins here.
        self.now = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def limits(settings):
    settings.ORDERLY_LOGIN_RATE_PER_ADDRESS = "100/minute"
    settings.ORDERLY_LOGIN_RATE_PER_ACCOUNT = "3/hour"
    settings.ORDERLY_REGISTRATION_RATE_PER_ADDRESS = "100/hour"
    return settings


def browser(address: str = "10.0.0.1") -> Client:
    """An anonymous browser holding the CSRF cookie, as the SPA would."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.get("/api/products/")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def api_login(client: Client, email: str, password: str = PASSWORD):
    return client.post(
        "/api/auth/login/", {"email": email, "password": password}, content_type="application/json"
    )


def form_login(path: str, username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def test_failed_logins_of_one_account_are_limited_from_any_address(db, clock, limits):
    user = UserFactory()
    for n in range(3):
        assert api_login(browser(f"10.0.1.{n}"), user.email, "wrong").status_code == 400

    refused = api_login(browser("10.0.2.1"), user.email)  # even the right password

    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Request was throttled.")
    assert 0 < int(refused["Retry-After"]) <= 3600
    clock.advance(hours=1)
    assert api_login(browser("10.0.2.1"), user.email).status_code == 200


def test_successful_logins_do_not_use_up_the_accounts_attempts(db, clock, limits):
    user = UserFactory()
    for _ in range(5):
        assert api_login(browser(), user.email).status_code == 200


def test_the_admin_and_the_api_share_one_count_per_account(db, clock, limits):
    staff = StaffFactory(is_superuser=True)
    api_login(browser(), staff.email, "wrong")
    form_login("/admin/login/", staff.username, "wrong")
    form_login("/api-auth/login/", staff.username, "wrong")

    admin = form_login("/admin/login/", staff.username, PASSWORD)
    api_auth = form_login("/api-auth/login/", staff.username, PASSWORD)

    for refused in (admin, api_auth):
        assert refused.status_code == 429
        assert refused["Content-Type"].startswith("text/html")
        assert b"Too many attempts" in refused.content
        assert int(refused["Retry-After"]) > 0
    clock.advance(hours=1)
    assert form_login("/admin/login/", staff.username, PASSWORD).status_code == 302


def test_unknown_accounts_are_limited_like_known_ones(db, clock, limits):
    for _ in range(3):
        assert api_login(browser(), "nobody@example.com", "guess").status_code == 400
    assert api_login(browser(), "NOBODY@example.com", "guess").status_code == 429


def test_logins_are_limited_per_address(db, clock, limits):
    limits.ORDERLY_LOGIN_RATE_PER_ADDRESS = "3/minute"
    users = UserFactory.create_batch(4)
    for user in users[:3]:
        assert api_login(browser("10.0.0.9"), user.email).status_code == 200

    assert api_login(browser("10.0.0.9"), users[3].email).status_code == 429
    assert form_login("/admin/login/", "x", "y", address="10.0.0.9").status_code == 429
    assert api_login(browser("10.0.0.10"), users[3].email).status_code == 200
    clock.advance(minutes=1)
    assert api_login(browser("10.0.0.9"), users[3].email).status_code == 200


def test_registration_is_limited_per_address_taken_email_or_not(db, clock, limits):
    limits.ORDERLY_REGISTRATION_RATE_PER_ADDRESS = "2/hour"
    taken = UserFactory()
    client = browser()

    def register(email: str):
        return client.post(
            "/api/auth/register/",
            {"email": email, "password": PASSWORD},
            content_type="application/json",
        )

    assert register(taken.email).status_code == 400
    assert register("someone.else@example.com").status_code == 201
    refused = register(taken.email)

    assert refused.status_code == 429
    assert "exists" not in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_the_pay_page_counts_with_the_guest_order_lookups(db, clock, settings):
    settings.ORDERLY_ORDER_TOKEN_LOOKUP_RATE_LIMIT = "3/minute"
    client = Client(REMOTE_ADDR="10.0.0.7")
    assert client.get("/pay/not-a-token/").status_code == 404
    assert client.get("/pay/not-a-token/").status_code == 404
    assert client.get("/api/orders/2026-00001/?token=guess").status_code == 404

    refused = client.get("/pay/another-guess/")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert client.get("/api/orders/2026-00001/?token=guess").status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.8").get("/pay/not-a-token/").status_code == 404
    clock.advance(minutes=1)
    assert client.get("/pay/not-a-token/").status_code == 404


class CountingHasher(MD5PasswordHasher):
    """The test's hasher: counts how often a password is hashed."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_an_unknown_email_hashes_the_password_as_a_known_one_does(db, clock, limits, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    user = UserFactory()

    def hashes_for(email: str) -> int:
        before = CountingHasher.calls
        assert api_login(browser(), email, "wrong password").status_code == 400
        return CountingHasher.calls - before

    assert hashes_for(user.email) == hashes_for("nobody@example.com") == 1


def test_what_the_throttles_cost_in_queries(db, clock, limits, count_queries):
    """A login pays three queries for its throttle (count the address, find the account,
    read its failures) and one more when it fails; the pay page one (its count)."""
    user = UserFactory()
    client = browser()
    failed = count_queries(lambda: api_login(client, user.email, "wrong"))
    unknown = count_queries(lambda: api_login(client, "nobody@example.com", "wrong"))

    # Plus the view's own: the account by e-mail, and Django's by user name when known.
    assert (failed, unknown) == (6, 5)
    pay_page = count_queries(lambda: Client().get("/pay/not-a-token/"))
    assert pay_page == 2  # its count, and the order look-up
