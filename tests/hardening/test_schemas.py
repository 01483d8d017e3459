"""Both OpenAPI documents tell the truth: Schemathesis against a live server (issue 17,
item 2).

Schemathesis reads the committed documents (`openapi/*.yaml`, which
`tests/ops/test_openapi.py` keeps equal to what the code serves) and sends generated
requests, valid and invalid, to a live server on the test PostgreSQL, as every kind of
caller: a visitor, a customer's and a staff member's session, and each `/v1` token type
(and no token). Every answer must pass all of Schemathesis's default checks: no server
error, a documented status code, content type and headers, a body matching the
documented schema, invalid input refused and valid input accepted.

Bounded for CI: deterministic generation (no seed, no example database: every run sends
the same requests), a few examples per operation, no shrinking, one worker.

Deliberately outside the documents, and so outside this test:
- `/pay/<token>/` is an HTML page for people (forms, no JSON), not an API;
- `/webhooks/<provider>/` take each payment provider's own signed event format, which only
  the provider can produce: generated bodies would all stop at the signature check. Their
  hostile inputs (nesting, NUL, surrogates, size, garbage) are tested one by one in
  `test_bad_input.py` and, generated, in `test_webhook_bodies_never_fail_the_server`.
"""

import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from integration import services as integration_services
from integration.services import api_token_create
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory, ProfileFactory, StaffFactory, TeamFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 5
# Generated requests per operation and caller. Every run fuzzes; the richest caller of
# each document (staff, a full-access token) also runs the coverage phase: the
# document's boundary values, each invalid on purpose, and methods it doesn't declare.
FUZZING = "examples,fuzzing"
ALL_PHASES = "examples,coverage,fuzzing"

# Operations where a request that matches the document can still be refused by a rule
# the document can't express: wrong credentials, a password too weak, an empty basket or
# an unknown payment method, a status move the machine forbids, a refund of nothing, an
# events `after` that names no event of the team, a webhook URL whose host doesn't resolve
# to a public address.
BUSINESS_RULES: dict[str, list[str]] = {
    "storefront": [
        "auth_login",
        "auth_register",
        "basket_add_item",  # and a line holds at most 999 units, however many requests
        "basket_item_update",
        "basket_item_patch",
        "checkout",
        "orders_pay",
        "orders_refund",
        "orders_status_update",
    ],
    "integration": ["orders_checkout", "events_list", "webhook_endpoints_create"],
}
# Log-in, log-out and registration change who a session is: run for a session, the rest
# of the run would test another caller. The visitor's run covers them.
SESSION_CHANGING = ["auth_login", "auth_logout", "auth_register"]

CONFIG = """
[generation]
# PostgreSQL can't store a NUL character: every one is a 400 (test_bad_input.py proves
# it for paths, queries, headers and bodies), which a valid-data check would count as
# a rejected valid request.
allow-x00 = false
codec = "utf-8"
# Each caller is a run of its own with fixed credentials: the visitor's and the no-token
# runs are the callers without them (tests/api covers wrong and expired credentials).
with-security-parameters = false

[phases.coverage]
generate-duplicate-query-parameters = false

[[operations]]
include-operation-id = {business_rules}
checks.positive_data_acceptance.expected-statuses = {accepted}
"""


def schemathesis_run(
    tmp_path: Path,
    base_url: str,
    document: str,
    headers: dict[str, str],
    *options: str,
    phases: str = FUZZING,
) -> dict[str, Any]:
    config = tmp_path / f"{document}.toml"
    # 409 and 422: the same Idempotency-Key, generated again, for another request.
    accepted = ["2xx", "3xx", "400", "401", "402", "403", "404", "409", "422", "429"]
    config.write_text(
        CONFIG.format(
            business_rules=json.dumps(BUSINESS_RULES[document]), accepted=json.dumps(accepted)
        )
    )
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        str(ROOT / "openapi" / f"{document}.yaml"),
        "--url",
        base_url,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--no-shrink",
        "--phases",
        phases,
        "--workers",
        "1",
        "--no-color",
        "--request-timeout",
        "20",
        *(item for name, value in headers.items() for item in ("-H", f"{name}: {value}")),
        *options,
    ]
    started = time.monotonic()
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path
    )
    output = result.stdout + result.stderr
    return {
        "code": result.returncode,
        "output": output,
        "seconds": round(time.monotonic() - started, 1),
        "summary": [line for line in output.splitlines() if "generated" in line],
    }


def assert_all_passed(runs: dict[str, dict[str, Any]]) -> None:
    for name, run in runs.items():
        print(f"{name}: {run['seconds']} s, {run['summary']}")
    failed = {name: run for name, run in runs.items() if run["code"] != 0}
    for name, run in failed.items():
        print(f"===== {name}\n{run['output']}")
    assert not failed, f"Schemathesis failed for: {', '.join(failed)} (output above)"


def browser_headers(client: Client) -> dict[str, str]:
    """A browser's session cookie and CSRF token, as the storefront's SPA sends them."""
    client.get("/api/basket/count/")
    cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    return {"Cookie": cookies, "X-CSRFToken": client.cookies["csrftoken"].value}


def placed_order(client: Client, product: Any) -> str:
    client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": product.pk, "quantity": 2},
        content_type="application/json",
    )
    response = client.post("/api/checkout/", CHECKOUT_BODY, content_type="application/json")
    assert response.status_code == 201, response.content
    return str(response.json()["url"])


@pytest.mark.django_db(transaction=True)
def test_the_storefront_document_holds_for_every_caller(
    live_server: Any, tmp_path: Path, settings: Any
) -> None:
    # Rate limits answer a documented 429, but would stop the run's requests reaching the
    # views on a fast machine (tests/api proves the limits).
    settings.ORDERLY_ORDER_TOKEN_LOOKUP_RATE_LIMIT = "100000/minute"
    products = [ProductFactory() for _ in range(3)]
    customer, staff = UserFactory(), StaffFactory()
    customer_client, staff_client = Client(), Client()
    customer_client.force_login(customer)
    staff_client.force_login(staff)
    placed_order(customer_client, products[0])  # real orders to list, read and check
    placed_order(Client(), products[1])
    runs = {
        "visitor": schemathesis_run(
            tmp_path, live_server.url, "storefront", browser_headers(Client())
        ),
        "customer": schemathesis_run(
            tmp_path,
            live_server.url,
            "storefront",
            browser_headers(customer_client),
            *(f"--exclude-operation-id={name}" for name in SESSION_CHANGING),
        ),
        "staff": schemathesis_run(
            tmp_path,
            live_server.url,
            "storefront",
            browser_headers(staff_client),
            *(f"--exclude-operation-id={name}" for name in SESSION_CHANGING),
            phases=ALL_PHASES,
        ),
    }
    assert_all_passed(runs)


@pytest.mark.django_db(transaction=True)
def test_the_integration_document_holds_for_every_token_type(
    live_server: Any, tmp_path: Path
) -> None:
    team = TeamFactory()
    profile = ProfileFactory(team=team)
    product = ProductFactory()
    integration_services.integration_checkout(  # a real order to list, read and check
        team=team,
        profile_id=profile.pk,
        lines=[integration_services.CheckoutLine(product_id=product.pk, quantity=2)],
        discount=Decimal("1.50"),
    )
    unlimited = "100000/minute"  # see the storefront test
    tokens = {
        "full_access": api_token_create(team=team, token_type="full_access", rate_limit=unlimited),
        "custom": api_token_create(
            team=team,
            token_type="custom",
            scopes=["orders.lists", "products.read"],
            rate_limit=unlimited,
        ),
        "read_only": api_token_create(
            team=team,
            token_type="read_only",
            scopes=["orders.read", "profiles.lists"],
            rate_limit=unlimited,
        ),
    }
    runs = {
        name: schemathesis_run(
            tmp_path,
            live_server.url,
            "integration",
            {"Authorization": f"Bearer {token.raw}"},
            phases=ALL_PHASES if name == "full_access" else FUZZING,
        )
        for name, token in tokens.items()
    }
    runs["no token"] = schemathesis_run(tmp_path, live_server.url, "integration", {})
    assert_all_passed(runs)
