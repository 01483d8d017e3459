"""Every error class the `pypresscart` client maps, raised by the real client against our
`/v1/`: its class, and the body's `name`, `message` and `issues`."""

from datetime import timedelta
from typing import Any

import pytest
import requests
from django.db.models import Max
from django.utils import timezone
from pypresscart import (
    AuthenticationError,
    BadRequestError,
    CheckoutLineItem,
    CheckoutRequest,
    NotFoundError,
    PermissionError,
    PresscartAPIError,
    ValidationError,
)

from integration.models import ApiToken, token_digest
from integration.services import api_token_revoke
from orders.models import Order, OrderItem
from shop.models import Product, Profile
from tests.factories import ProductFactory


def one_line(profile: Any, product: Any, **line: Any) -> dict[str, Any]:
    return {
        "profile_id": str(profile.pk),
        "line_items": [{"product_id": str(product.pk), **line}],
    }


def assert_issues(error: ValidationError, *paths: list[Any]) -> None:
    assert error.status_code == 400
    assert error.name == "ValidationError"
    assert error.message
    assert [issue["path"] for issue in error.issues] == list(paths)
    assert all(isinstance(issue["message"], str) and issue["message"] for issue in error.issues)
    assert error.payload["issues"] == error.issues


def unused_pk(model: Any) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1000


def get(live_server: Any, path: str, raw_token: str | None = None, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}
    return requests.get(f"{live_server.url}{path}", headers=headers, timeout=10, **kwargs)


# --- ValidationError -------------------------------------------------------------------


def test_checkout_without_profile_id(presscart, make_token, team, catalogue):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout({"line_items": [{"product_id": str(catalogue[0].pk)}]})

    assert_issues(raised.value, ["profile_id"])


def test_checkout_with_a_blank_profile_id(presscart, make_token, team, catalogue):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        # A dict: the client's models turn "" into None before it is sent.
        client.orders.create_checkout(
            {"profile_id": "", "line_items": [{"product_id": str(catalogue[0].pk)}]}
        )

    assert_issues(raised.value, ["profile_id"])


def test_checkout_with_no_line_items(presscart, make_token, team, profile):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout(CheckoutRequest(profile_id=str(profile.pk), line_items=[]))

    assert_issues(raised.value, ["line_items"])


def test_checkout_without_line_items(presscart, make_token, team, profile):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout({"profile_id": str(profile.pk)})

    assert_issues(raised.value, ["line_items"])


def test_checkout_quantity_zero_names_the_line(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout(
            CheckoutRequest(
                profile_id=str(profile.pk),
                line_items=[
                    CheckoutLineItem(product_id=str(catalogue[0].pk), quantity=1),
                    CheckoutLineItem(product_id=str(catalogue[1].pk), quantity=0),
                ],
            )
        )

    assert_issues(raised.value, ["line_items", 1, "quantity"])
    assert not Order.objects.exists()


def test_checkout_lists_every_invalid_field(presscart, make_token, team, catalogue):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout(
            {
                "line_items": [
                    {"product_id": str(catalogue[0].pk), "quantity": -2},
                    {"quantity": 1},
                ],
                "discount": "lots",
            }
        )

    paths = sorted(issue["path"] for issue in raised.value.issues)
    assert paths == sorted(
        [
            ["profile_id"],
            ["line_items", 0, "quantity"],
            ["line_items", 1, "product_id"],
            ["discount"],
        ]
    )


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": -5}, "limit"),
        ({"page": 0}, "page"),
        ({"limit": "abc"}, "limit"),
        ({"page": "2.5"}, "page"),
        ({"sort_by": "price"}, "sort_by"),
        ({"sort_by": "id; drop table orders_order"}, "sort_by"),
        ({"order_by": "sideways"}, "order_by"),
    ],
)
def test_orders_list_bad_paging_parameters(presscart, make_token, team, params, path):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.list(**params)

    assert_issues(raised.value, [path])


def test_bad_paging_parameters_in_json_mode(presscart, make_token, team):
    client = presscart(make_token(team), response_mode="json")

    with pytest.raises(ValidationError) as raised:
        client.order_items.list(limit="abc", page=0, sort_by="total")

    assert sorted(issue["path"] for issue in raised.value.issues) == [
        ["limit"],
        ["page"],
        ["sort_by"],
    ]


@pytest.mark.parametrize(
    ("call", "path"),
    [("order_items", "sort_by"), ("listings", "sort_by"), ("profile_orders", "limit")],
)
def test_every_list_validates_its_parameters(presscart, make_token, team, profile, call, path):
    client = presscart(make_token(team))
    calls = {
        "order_items": lambda: client.order_items.list(sort_by="reference_number"),
        "listings": lambda: client.products.list_listings(sort_by="updated_at"),
        "profile_orders": lambda: client.profiles.list_orders(str(profile.pk), limit=0),
    }

    with pytest.raises(ValidationError) as raised:
        calls[call]()

    assert_issues(raised.value, [path])


def test_team_profiles_reject_an_unknown_sort_key(live_server, make_token, team, profile):
    response = get(live_server, f"/v1/teams/{team.pk}/profiles?sort_by=email", make_token(team))

    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError"
    assert [issue["path"] for issue in response.json()["issues"]] == [["sort_by"]]


def test_profile_orders_with_a_bad_date(presscart, make_token, team, profile):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.profiles.list_orders(str(profile.pk), start_date="last tuesday")

    assert_issues(raised.value, ["start_date"])


def test_a_body_that_is_not_json_is_a_bad_request(live_server, make_token, team):
    response = requests.post(
        f"{live_server.url}/v1/orders/checkout",
        data="{not json",
        headers={"Authorization": f"Bearer {make_token(team)}", "Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 400
    body = response.json()
    assert body["name"] == "BadRequestError"
    assert body["message"]
    assert "issues" not in body


# --- AuthenticationError ---------------------------------------------------------------


def assert_unauthorized(error: AuthenticationError, *words: str) -> None:
    assert error.status_code == 401
    assert error.name == "UnauthorizedError"
    for word in words:
        assert word in error.message.lower()


def test_a_wrong_token(presscart, make_token, team):
    make_token(team)
    client = presscart("oly_" + "x" * 43)

    with pytest.raises(AuthenticationError) as raised:
        client.orders.list()

    assert_unauthorized(raised.value, "invalid")


def test_a_malformed_token(presscart, team):
    client = presscart("pc_live_not_one_of_ours")

    with pytest.raises(AuthenticationError) as raised:
        client.auth.whoami()

    assert_unauthorized(raised.value, "malformed")


def test_an_expired_token(presscart, make_token, team):
    raw = make_token(team, expires_at=timezone.now() - timedelta(minutes=1))
    client = presscart(raw)

    with pytest.raises(AuthenticationError) as raised:
        client.auth.whoami()

    assert_unauthorized(raised.value, "expired")


def test_a_token_expiring_later_still_works(presscart, make_token, team):
    raw = make_token(team, expires_at=timezone.now() + timedelta(hours=1))

    assert presscart(raw).auth.whoami().team_id == str(team.pk)


def test_a_revoked_token(presscart, make_token, team):
    raw = make_token(team)
    client = presscart(raw)
    assert client.auth.whoami().team_id == str(team.pk)

    api_token_revoke(token=ApiToken.objects.get(digest=token_digest(raw)))

    with pytest.raises(AuthenticationError) as raised:
        client.orders.list()
    assert_unauthorized(raised.value, "revoked")


@pytest.mark.parametrize("path", ["/v1/orders", "/v1/auth/token", "/v1/products/listings"])
def test_no_token(live_server, path):
    response = get(live_server, path)

    assert response.status_code == 401
    body = response.json()
    assert body["name"] == "UnauthorizedError"
    assert body["message"]


@pytest.mark.parametrize(
    "header", ["Token abc", "Bearer", "Bearer two parts", "Basic dXNlcjpwYXNz"]
)
def test_a_malformed_authorization_header(live_server, make_token, team, header):
    response = requests.get(
        f"{live_server.url}/v1/orders", headers={"Authorization": header}, timeout=10
    )

    assert response.status_code == 401
    assert response.json()["name"] == "UnauthorizedError"


def test_a_bad_token_is_refused_before_the_scope_is_checked(presscart, make_token, team):
    raw = make_token(
        team, "custom", scopes=["products.read"], expires_at=timezone.now() - timedelta(days=1)
    )

    with pytest.raises(AuthenticationError):
        presscart(raw).orders.list()


# --- PermissionError -------------------------------------------------------------------


def test_a_custom_token_without_the_scope(presscart, make_token, team, profile):
    client = presscart(make_token(team, "custom", scopes=["orders.read"]))

    with pytest.raises(PermissionError) as raised:
        client.orders.list()

    assert raised.value.status_code == 403
    assert raised.value.name == "ForbiddenError"
    assert "orders.lists" in raised.value.message


@pytest.mark.parametrize(
    ("scope", "missing"),
    [
        ("orders.lists", "profiles.lists"),
        ("profiles.lists", "orders.lists"),
        ("orders.read", "products.read"),
    ],
)
def test_each_call_checks_its_own_scope(presscart, make_token, team, profile, scope, missing):
    client = presscart(make_token(team, "custom", scopes=[scope]))
    calls = {
        "profiles.lists": lambda: client.profiles.list_team_profiles(str(team.pk)),
        "orders.lists": lambda: client.profiles.list_orders(str(profile.pk)),
        "products.read": lambda: client.products.list_listings(),
    }

    with pytest.raises(PermissionError) as raised:
        calls[missing]()

    assert missing in raised.value.message


def test_a_custom_token_without_orders_create(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team, "custom", scopes=["orders.lists", "orders.read"]))

    with pytest.raises(PermissionError) as raised:
        client.orders.create_checkout(one_line(profile, catalogue[0]))

    assert raised.value.name == "ForbiddenError"
    assert "orders.create" in raised.value.message
    assert not Order.objects.exists()


def test_a_read_only_token_cannot_write_even_when_asked_to(
    presscart, make_token, team, profile, catalogue
):
    raw = make_token(team, "read_only", scopes=["orders.lists", "orders.create"])
    client = presscart(raw)
    assert client.orders.list().total_records == 0  # it does read

    with pytest.raises(PermissionError) as raised:
        client.orders.create_checkout(
            CheckoutRequest(
                profile_id=str(profile.pk),
                line_items=[CheckoutLineItem(product_id=str(catalogue[0].pk))],
            )
        )

    assert raised.value.status_code == 403
    assert raised.value.name == "ForbiddenError"
    assert "orders.create" in raised.value.message
    assert not Order.objects.exists()


def test_the_scope_is_checked_before_the_body(presscart, make_token, team):
    client = presscart(make_token(team, "read_only", scopes=["orders.read"]))

    with pytest.raises(PermissionError):
        client.orders.create_checkout({"line_items": []})


# --- NotFoundError ---------------------------------------------------------------------


def assert_not_found(error: NotFoundError) -> None:
    assert error.status_code == 404
    assert error.name == "NotFoundError"
    assert error.message


def test_an_unknown_order_id(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))
    client.orders.create_checkout(one_line(profile, catalogue[0]))

    with pytest.raises(NotFoundError) as raised:
        client.orders.get(str(unused_pk(Order)))

    assert_not_found(raised.value)


@pytest.mark.parametrize("order_id", ["ord_1", "-1", "1.0", "9" * 30, "%20", "null"])
def test_order_ids_that_name_nothing(presscart, make_token, team, order_id):
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError) as raised:
        client.orders.get(order_id)

    assert_not_found(raised.value)


@pytest.mark.parametrize("product_id", ["prod_xyz", "9" * 30])
def test_non_numeric_product_ids(presscart, make_token, team, product_id):
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError) as raised:
        client.products.get(product_id)

    assert_not_found(raised.value)


def test_an_inactive_product_is_not_found(presscart, make_token, team):
    retired = ProductFactory(is_active=False)
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError):
        client.products.get(str(retired.pk))


@pytest.mark.parametrize("which", ["unknown", "inactive", "non-numeric"])
def test_checkout_of_a_product_that_cannot_be_bought(
    presscart, make_token, team, profile, catalogue, which
):
    ids = {
        "unknown": lambda: str(unused_pk(Product)),
        "inactive": lambda: str(ProductFactory(is_active=False).pk),
        "non-numeric": lambda: "prod_xyz",
    }
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError) as raised:
        client.orders.create_checkout(
            {
                "profile_id": str(profile.pk),
                "line_items": [{"product_id": str(catalogue[0].pk)}, {"product_id": ids[which]()}],
            }
        )

    assert_not_found(raised.value)
    assert not Order.objects.exists()


@pytest.mark.parametrize("which", ["unknown", "non-numeric"])
def test_checkout_for_a_profile_that_does_not_exist(presscart, make_token, team, catalogue, which):
    profile_id = str(unused_pk(Profile)) if which == "unknown" else "prof_abc"
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError) as raised:
        client.orders.create_checkout(
            CheckoutRequest(
                profile_id=profile_id,
                line_items=[CheckoutLineItem(product_id=str(catalogue[0].pk))],
            )
        )

    assert_not_found(raised.value)
    assert not Order.objects.exists()


def test_checkout_for_another_teams_profile(presscart, make_token, team, other_profile, catalogue):
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError) as raised:
        client.orders.create_checkout(one_line(other_profile, catalogue[0]))

    assert_not_found(raised.value)
    assert not Order.objects.exists()


def test_an_add_on_linked_to_another_teams_line(
    presscart, make_token, team, profile, other_team, other_profile, catalogue
):
    theirs = presscart(make_token(other_team)).orders.create_checkout(
        one_line(other_profile, catalogue[0])
    )
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError) as raised:
        client.orders.create_checkout(
            one_line(
                profile,
                catalogue[1],
                is_add_on=True,
                linked_order_line_item_id=theirs.line_items[0].id,
            )
        )

    assert_not_found(raised.value)
    assert not Order.objects.filter(team=team).exists()


@pytest.mark.parametrize("which", ["unknown", "non-numeric"])
def test_an_add_on_linked_to_no_line(presscart, make_token, team, profile, catalogue, which):
    line_id = str(unused_pk(OrderItem)) if which == "unknown" else "li_1"
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError):
        client.orders.create_checkout(
            one_line(profile, catalogue[0], is_add_on=True, linked_order_line_item_id=line_id)
        )

    assert not Order.objects.exists()


def test_validation_comes_before_lookups(presscart, make_token, team, other_profile, catalogue):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout(one_line(other_profile, catalogue[0], quantity=0))

    assert_issues(raised.value, ["line_items", 0, "quantity"])


# --- paths, bodies, and what is written ------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/v1/auth/token", "/v1/orders", "/v1/order-items", "/v1/products/listings"],
)
def test_paths_work_with_and_without_a_trailing_slash(live_server, make_token, team, path):
    raw = make_token(team)

    bare = get(live_server, path, raw, allow_redirects=False)
    slashed = get(live_server, f"{path}/", raw, allow_redirects=False)

    assert (bare.status_code, slashed.status_code) == (200, 200)
    assert bare.json() == slashed.json()


def test_detail_paths_work_with_and_without_a_trailing_slash(
    live_server, presscart, make_token, team, profile, catalogue
):
    raw = make_token(team)
    order = presscart(raw).orders.create_checkout(one_line(profile, catalogue[0]))

    for path in (
        f"/v1/orders/{order.id}",
        f"/v1/products/{catalogue[0].pk}",
        f"/v1/teams/{team.pk}/profiles",
        f"/v1/profiles/{profile.pk}/orders",
    ):
        bare = get(live_server, path, raw, allow_redirects=False)
        slashed = get(live_server, f"{path}/", raw, allow_redirects=False)
        assert (bare.status_code, slashed.status_code) == (200, 200), path
        assert bare.json() == slashed.json(), path


@pytest.mark.parametrize("suffix", ["", "/"])
def test_checkout_posts_with_and_without_a_trailing_slash(
    live_server, make_token, team, profile, catalogue, suffix
):
    response = requests.post(
        f"{live_server.url}/v1/orders/checkout{suffix}",
        json=one_line(profile, catalogue[0]),
        headers={"Authorization": f"Bearer {make_token(team)}"},
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 201, response.text
    assert response.json()["reference_number"] == Order.objects.get().ref


def fill(value: Any, ids: dict[str, str]) -> Any:
    """The case's body or path with real ids in place of "{profile}" and "{product}"."""
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/v1/orders/checkout", [1, 2, 3], 400),
        ("POST", "/v1/orders/checkout", "just a string", 400),
        ("POST", "/v1/orders/checkout", {"profile_id": {"a": 1}, "line_items": "nope"}, 400),
        ("POST", "/v1/orders/checkout", {"profile_id": "{profile}", "line_items": ["x", 5]}, 400),
        (
            "POST",
            "/v1/orders/checkout",
            {"profile_id": "{profile}", "line_items": [{"product_id": []}]},
            400,
        ),
        (
            "POST",
            "/v1/orders/checkout",
            {
                "profile_id": "{profile}",
                "line_items": [{"product_id": "{product}", "quantity": "many"}],
            },
            400,
        ),
        (
            "POST",
            "/v1/orders/checkout",
            {
                "profile_id": "{profile}",
                "line_items": [{"product_id": "{product}", "quantity": 10**30}],
            },
            400,
        ),
        (
            "POST",
            "/v1/orders/checkout",
            {
                "profile_id": "{profile}",
                "line_items": [{"product_id": "{product}", "is_add_on": "maybe"}],
            },
            400,
        ),
        (
            "POST",
            "/v1/orders/checkout",
            {
                "profile_id": "{profile}",
                "line_items": [{"product_id": "{product}"}],
                "discount": 10**20,
            },
            400,
        ),
        (
            "POST",
            "/v1/orders/checkout",
            {"profile_id": "{profile}", "line_items": [{"product_id": "{product}"}] * 1000},
            400,
        ),
        ("GET", "/v1/orders?page=99999999999999999999", None, 400),
        ("GET", "/v1/orders?limit=1e3", None, 400),
        ("GET", "/v1/orders?order_by=", None, 400),
        ("GET", "/v1/order-items?page=-1", None, 400),
        ("GET", "/v1/orders/%00", None, 404),
        ("GET", "/v1/products/listings?limit=%00", None, 400),
        ("GET", "/v1/profiles/{profile}/orders?paid_orders_only=perhaps", None, 400),
        ("GET", "/v1/profiles/{profile}/orders?end_date=2026-13-45", None, 400),
    ],
)
def test_bad_input_is_an_envelope_never_a_traceback(
    live_server, make_token, team, profile, catalogue, method, path, body, status
):
    ids = {"profile": str(profile.pk), "product": str(catalogue[0].pk)}

    response = requests.request(
        method,
        f"{live_server.url}{fill(path, ids)}",
        json=fill(body, ids),
        headers={"Authorization": f"Bearer {make_token(team)}"},
        timeout=10,
    )

    assert response.status_code == status, response.text[:500]
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    payload = response.json()
    assert set(payload) <= {"name", "message", "issues"}
    assert payload["name"] and payload["message"]
    if status == 400:  # every case here is a field the caller can fix
        assert payload["name"] == "ValidationError"
        assert payload["issues"]
    for issue in payload.get("issues", []):
        assert isinstance(issue["path"], list) and issue["message"]
    assert not Order.objects.exists()


def test_the_client_maps_a_plain_400(live_server, make_token, team):
    """A 400 without issues is the client's BadRequestError, not its ValidationError."""
    raw = make_token(team)
    session = requests.Session()
    response = session.post(
        f"{live_server.url}/v1/orders/checkout",
        data=b"\xff\xfe",
        headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json()["name"] == "BadRequestError"
    assert "issues" not in response.json()
    assert issubclass(ValidationError, BadRequestError)


def test_a_refused_checkout_writes_nothing(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))
    client.orders.create_checkout(one_line(profile, catalogue[0]))
    before = (Order.objects.count(), OrderItem.objects.count())

    refused: list[PresscartAPIError] = []
    for body in (
        one_line(profile, catalogue[0], quantity=0),
        {**one_line(profile, catalogue[0], quantity=2), "discount": 20.01},
        one_line(profile, catalogue[0], linked_order_line_item_id=str(unused_pk(OrderItem))),
        {
            "profile_id": str(profile.pk),
            "line_items": [
                {"product_id": str(catalogue[1].pk)},
                {"product_id": str(unused_pk(Product))},
            ],
        },
    ):
        with pytest.raises(PresscartAPIError) as raised:
            client.orders.create_checkout(body)
        refused.append(raised.value)

    assert [type(e) for e in refused] == [
        ValidationError,
        ValidationError,
        NotFoundError,
        NotFoundError,
    ]
    assert (Order.objects.count(), OrderItem.objects.count()) == before


def test_a_presscart_call_we_do_not_serve_is_a_not_found_envelope(presscart, make_token, team):
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError) as raised:
        client.outlets.list()

    assert_not_found(raised.value)
    assert raised.value.payload == {"name": "NotFoundError", "message": raised.value.message}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/campaigns"), ("GET", "/v1/orders/1/extra"), ("POST", "/v1/folders")],
)
def test_unknown_v1_paths_answer_json(live_server, make_token, team, method, path):
    response = requests.request(
        method,
        f"{live_server.url}{path}",
        json={},
        headers={"Authorization": f"Bearer {make_token(team)}"},
        timeout=10,
    )

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["name"] == "NotFoundError"
