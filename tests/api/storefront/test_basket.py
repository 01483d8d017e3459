"""The basket: every call of `/api/basket/`, bad input, visitors vs customers, CSRF."""

import pytest
from django.test import Client

from shop.models import Basket, BasketItem
from tests.conftest import PASSWORD, logged_in_client
from tests.factories import ProductFactory

BASKET_URL = "/api/basket/"
BASKET_KEYS = {"id", "items", "subtotal", "extra_rows", "total", "extra"}


def item_url(ref):
    return f"/api/basket/{ref}/"


def default_ref(product):
    return f"shopproduct-{product.pk}"


def post_json(client, url, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def put_json(client, url, body):
    return client.put(url, body, content_type="application/json")


def add(client, product, quantity=1, url=BASKET_URL, **fields):
    body = {"product_type": "shop.Product", "product_id": product.pk, "quantity": quantity}
    return post_json(client, url, {**body, **fields})


def add_ok(client, product, quantity=1, **fields):
    response = add(client, product, quantity, **fields)
    assert response.status_code == 201, response.content
    return response.json()


def basket_id(client):
    return client.get(BASKET_URL).json()["id"]


def stored_lines(basket_pk=None):
    """Every stored basket line (of one basket if given), as plain tuples."""
    items = BasketItem.objects.order_by("pk")
    if basket_pk is not None:
        items = items.filter(basket_id=basket_pk)
    return list(items.values_list("basket_id", "ref", "product_id", "quantity", "extra"))


def quantities(basket_body):
    return {item["ref"]: item["quantity"] for item in basket_body["items"]}


# --- GET /basket/ --------------------------------------------------------------------


def test_first_get_creates_an_empty_basket(visitor_client, db):
    assert not Basket.objects.exists()

    response = visitor_client.get(BASKET_URL)

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": body["id"],
        "items": [],
        "subtotal": "0.00",
        "extra_rows": [],
        "total": "0.00",
        "extra": {},
    }
    assert list(Basket.objects.values_list("pk", flat=True)) == [body["id"]]


def test_basket_lists_items_with_money_as_decimal_strings(visitor_client, product):
    other = ProductFactory(price="2.50")
    add_ok(visitor_client, product, 2)
    add_ok(visitor_client, other, 3)

    body = visitor_client.get(BASKET_URL).json()

    assert set(body) == BASKET_KEYS
    assert [item["ref"] for item in body["items"]] == [default_ref(product), default_ref(other)]
    assert [item["subtotal"] for item in body["items"]] == ["20.00", "7.50"]
    assert (body["subtotal"], body["extra_rows"], body["total"]) == ("27.50", [], "27.50")


def test_basket_is_not_cacheable(visitor_client, db):
    response = visitor_client.get(BASKET_URL)

    assert "no-store" in response["Cache-Control"]


# --- POST /basket/ -------------------------------------------------------------------


def test_adding_an_item_answers_201_with_the_item_and_its_location(visitor_client, product):
    response = add(visitor_client, product, 2)

    assert response.status_code == 201
    ref = default_ref(product)
    assert response.json() == {
        "url": f"http://testserver/api/basket/{ref}/",
        "ref": ref,
        "product_type": "shop.Product",
        "product_id": product.pk,
        "product": {"name": product.name, "code": product.code},
        "unit_price": "10.00",
        "quantity": 2,
        "subtotal": "20.00",
        "extra_rows": [],
        "total": "20.00",
        "extra": {},
    }
    assert response["Location"] == response.json()["url"]
    assert stored_lines() == [(basket_id(visitor_client), ref, product.pk, 2, {})]


def test_location_of_an_added_item_can_be_read_back(visitor_client, product):
    created = add(visitor_client, product, 2)

    response = visitor_client.get(created["Location"])

    assert response.status_code == 200
    assert response.json() == created.json()


def test_quantity_defaults_to_one(visitor_client, product):
    body = {"product_type": "shop.Product", "product_id": product.pk}

    response = post_json(visitor_client, BASKET_URL, body)

    assert response.status_code == 201
    assert response.json()["quantity"] == 1


def test_adding_the_same_product_again_raises_its_quantity(visitor_client, product):
    add_ok(visitor_client, product, 2)

    item = add_ok(visitor_client, product, 3)

    assert (item["ref"], item["quantity"], item["subtotal"]) == (default_ref(product), 5, "50.00")
    assert [line[1:4] for line in stored_lines()] == [(default_ref(product), product.pk, 5)]


def test_a_custom_ref_makes_a_separate_line_of_the_same_product(visitor_client, product):
    add_ok(visitor_client, product, 1)

    item = add_ok(visitor_client, product, 2, ref="gift-wrapped")

    assert item["ref"] == "gift-wrapped"
    assert item["url"].endswith("/api/basket/gift-wrapped/")
    assert quantities(visitor_client.get(BASKET_URL).json()) == {
        default_ref(product): 1,
        "gift-wrapped": 2,
    }


def test_adding_again_under_a_custom_ref_raises_that_lines_quantity(visitor_client, product):
    add_ok(visitor_client, product, 1, ref="gift-wrapped")

    item = add_ok(visitor_client, product, 4, ref="gift-wrapped")

    assert item["quantity"] == 5
    assert [line[1:4] for line in stored_lines()] == [("gift-wrapped", product.pk, 5)]


def test_extra_of_an_added_item_is_stored_and_merged_on_re_adding(visitor_client, product):
    add_ok(visitor_client, product, extra={"engraving": "A", "colour": "red"})

    item = add_ok(visitor_client, product, extra={"engraving": "B", "colour": None})

    assert item["extra"] == {"engraving": "B"}
    assert stored_lines()[0][4] == {"engraving": "B"}


# --- DELETE /basket/ -----------------------------------------------------------------


def test_deleting_the_basket_removes_it_and_its_items(visitor_client, product):
    add_ok(visitor_client, product)
    old_id = basket_id(visitor_client)

    response = visitor_client.delete(BASKET_URL)

    assert response.status_code == 204
    assert response.content == b""
    assert not Basket.objects.filter(pk=old_id).exists()
    assert stored_lines() == []


def test_after_deleting_the_basket_a_new_empty_one_is_served(visitor_client, product):
    add_ok(visitor_client, product)
    old_id = basket_id(visitor_client)
    visitor_client.delete(BASKET_URL)

    body = visitor_client.get(BASKET_URL).json()

    assert body["id"] != old_id
    assert body["items"] == []


# --- count, quantity, clear ----------------------------------------------------------


def test_count_and_quantity_of_an_empty_basket_are_zero(visitor_client, db):
    assert visitor_client.get("/api/basket/count/").json() == {"count": 0}
    assert visitor_client.get("/api/basket/quantity/").json() == {"quantity": 0}


def test_count_is_distinct_lines_and_quantity_is_the_sum_of_units(visitor_client, product):
    add_ok(visitor_client, product, 2)
    add_ok(visitor_client, product, 3, ref="second-line")
    add_ok(visitor_client, ProductFactory(), 4)

    count = visitor_client.get("/api/basket/count/")
    quantity = visitor_client.get("/api/basket/quantity/")

    assert (count.status_code, count.json()) == (200, {"count": 3})
    assert (quantity.status_code, quantity.json()) == (200, {"quantity": 9})


def test_clearing_removes_every_item_but_keeps_the_basket(visitor_client, product):
    add_ok(visitor_client, product, 2)
    add_ok(visitor_client, ProductFactory())
    put_json(visitor_client, "/api/basket/extra/", {"extra": {"note": "kept"}})
    old_id = basket_id(visitor_client)

    response = visitor_client.post("/api/basket/clear/")

    assert response.status_code == 200
    assert response.json() == {
        "id": old_id,
        "items": [],
        "subtotal": "0.00",
        "extra_rows": [],
        "total": "0.00",
        "extra": {"note": "kept"},
    }
    assert stored_lines() == []


# --- /basket/extra/ ------------------------------------------------------------------


def test_basket_extra_starts_empty(visitor_client, db):
    response = visitor_client.get("/api/basket/extra/")

    assert (response.status_code, response.json()) == (200, {"extra": {}})


def test_putting_extra_merges_keeps_unsent_keys_and_null_removes(visitor_client, db):
    put_json(visitor_client, "/api/basket/extra/", {"extra": {"a": 1, "b": {"x": [1]}, "c": "z"}})

    response = put_json(visitor_client, "/api/basket/extra/", {"extra": {"a": None, "c": "new"}})

    expected = {"b": {"x": [1]}, "c": "new"}
    assert (response.status_code, response.json()) == (200, {"extra": expected})
    assert visitor_client.get("/api/basket/extra/").json() == {"extra": expected}
    assert visitor_client.get(BASKET_URL).json()["extra"] == expected
    assert Basket.objects.get(pk=basket_id(visitor_client)).extra == expected


def test_removing_an_absent_extra_key_is_harmless(visitor_client, db):
    response = put_json(visitor_client, "/api/basket/extra/", {"extra": {"never-set": None}})

    assert (response.status_code, response.json()) == (200, {"extra": {}})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"extra": ["not", "an", "object"]}, "extra"),
        ({"extra": "text"}, "extra"),
        ({"extra": None}, "extra"),
        ({"extra": {"big": "x" * 10_001}}, "extra"),
        ({}, "extra"),
        (["extra"], "non_field_errors"),
    ],
)
def test_bad_basket_extra_is_400_and_changes_nothing(visitor_client, db, body, field):
    put_json(visitor_client, "/api/basket/extra/", {"extra": {"kept": True}})

    response = put_json(visitor_client, "/api/basket/extra/", body)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert visitor_client.get("/api/basket/extra/").json() == {"extra": {"kept": True}}


def test_basket_extra_cannot_grow_past_its_limit_by_merging(visitor_client, db):
    first = {"a": "x" * 6000}
    put_json(visitor_client, "/api/basket/extra/", {"extra": first})

    response = put_json(visitor_client, "/api/basket/extra/", {"extra": {"b": "y" * 6000}})

    assert response.status_code == 400
    assert response.json() == {
        "extra": ["Ensure this object has no more than 10000 characters of JSON."]
    }
    assert visitor_client.get("/api/basket/extra/").json() == {"extra": first}


def test_replacing_a_large_extra_value_stays_within_the_limit(visitor_client, db):
    put_json(visitor_client, "/api/basket/extra/", {"extra": {"a": "x" * 6000}})

    response = put_json(visitor_client, "/api/basket/extra/", {"extra": {"a": "y" * 6000}})

    assert response.status_code == 200
    assert response.json() == {"extra": {"a": "y" * 6000}}


# --- /basket/<ref>/ ------------------------------------------------------------------


def test_reading_an_item_by_ref(visitor_client, product):
    created = add_ok(visitor_client, product, 3, extra={"size": "L"})

    response = visitor_client.get(item_url(default_ref(product)))

    assert response.status_code == 200
    assert response.json() == created
    assert (created["quantity"], created["total"], created["extra"]) == (3, "30.00", {"size": "L"})


def test_putting_a_quantity_replaces_it(visitor_client, product):
    add_ok(visitor_client, product, 3)

    response = put_json(visitor_client, item_url(default_ref(product)), {"quantity": 7})

    assert response.status_code == 200
    body = response.json()
    assert (body["ref"], body["quantity"], body["subtotal"]) == (default_ref(product), 7, "70.00")
    assert stored_lines()[0][3] == 7


def test_putting_extra_merges_it_and_keeps_the_quantity(visitor_client, product):
    add_ok(visitor_client, product, 3, extra={"a": 1, "b": 2})

    response = put_json(
        visitor_client, item_url(default_ref(product)), {"extra": {"a": None, "c": 3}}
    )

    assert response.status_code == 200
    assert (response.json()["quantity"], response.json()["extra"]) == (3, {"b": 2, "c": 3})
    assert stored_lines()[0][3:] == (3, {"b": 2, "c": 3})


def test_putting_quantity_and_extra_together(visitor_client, product):
    add_ok(visitor_client, product, 1, extra={"a": 1})

    body = {"quantity": 2, "extra": {"b": 2}}
    response = put_json(visitor_client, item_url(default_ref(product)), body)

    assert (response.json()["quantity"], response.json()["extra"]) == (2, {"a": 1, "b": 2})


def test_deleting_an_item_removes_only_that_line(visitor_client, product):
    other = ProductFactory()
    add_ok(visitor_client, product)
    add_ok(visitor_client, other)

    response = visitor_client.delete(item_url(default_ref(product)))

    assert response.status_code == 204
    assert [line[1] for line in stored_lines()] == [default_ref(other)]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_an_unknown_ref_is_404(visitor_client, product, method):
    add_ok(visitor_client, product)
    before = stored_lines()

    call = getattr(visitor_client, method)
    response = call(item_url("no-such-line"), {"quantity": 2}, content_type="application/json")

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert stored_lines() == before


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_another_visitors_line_is_404(visitor_client, product, method):
    add_ok(visitor_client, product, 2)
    before = stored_lines()

    call = getattr(Client(), method)
    response = call(
        item_url(default_ref(product)), {"quantity": 5}, content_type="application/json"
    )

    assert response.status_code == 404
    assert stored_lines() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"quantity": 1000}, "quantity"),
        ({"extra": [1]}, "extra"),
        ({"extra": {"big": "x" * 10_001}}, "extra"),
        ([1], "non_field_errors"),
    ],
)
def test_bad_item_update_is_400_and_changes_nothing(visitor_client, product, body, field):
    add_ok(visitor_client, product, 2, extra={"kept": True})
    before = stored_lines()

    response = put_json(visitor_client, item_url(default_ref(product)), body)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert stored_lines() == before


def test_item_extra_cannot_grow_past_its_limit_by_merging(visitor_client, product):
    add_ok(visitor_client, product, 2, extra={"a": "x" * 6000})
    before = stored_lines()

    put = put_json(visitor_client, item_url(default_ref(product)), {"extra": {"b": "y" * 6000}})
    re_add = add(visitor_client, product, 1, extra={"b": "y" * 6000})

    assert (put.status_code, list(put.json())) == (400, ["extra"])
    assert (re_add.status_code, list(re_add.json())) == (400, ["extra"])
    assert stored_lines() == before


# --- ?basket -------------------------------------------------------------------------


def _post_item(client, product):
    return add(client, ProductFactory(), url=f"{BASKET_URL}?basket")


def _put_item(client, product):
    return client.put(
        item_url(default_ref(product)) + "?basket", {"quantity": 5}, content_type="application/json"
    )


def _delete_item(client, product):
    return client.delete(item_url(default_ref(product)) + "?basket")


def _clear(client, product):
    return client.post("/api/basket/clear/?basket")


def _put_extra(client, product):
    return client.put(
        "/api/basket/extra/?basket", {"extra": {"note": "hi"}}, content_type="application/json"
    )


def _delete_basket(client, product):
    return client.delete(f"{BASKET_URL}?basket")


@pytest.mark.parametrize(
    ("call", "expected_quantities", "expected_extra"),
    [
        (_post_item, [2, 1], {}),
        (_put_item, [5], {}),
        (_delete_item, [], {}),
        (_clear, [], {}),
        (_put_extra, [2], {"note": "hi"}),
        (_delete_basket, [], {}),
    ],
    ids=["post-item", "put-item", "delete-item", "clear", "put-extra", "delete-basket"],
)
def test_basket_query_parameter_answers_the_whole_updated_basket(
    visitor_client, product, call, expected_quantities, expected_extra
):
    add_ok(visitor_client, product, 2)

    response = call(visitor_client, product)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == BASKET_KEYS
    assert [item["quantity"] for item in body["items"]] == expected_quantities
    assert body["extra"] == expected_extra
    assert body == visitor_client.get(BASKET_URL).json()


def test_basket_query_parameter_does_not_hide_errors(visitor_client, product):
    response = add(visitor_client, product, 0, url=f"{BASKET_URL}?basket")

    assert response.status_code == 400
    assert list(response.json()) == ["quantity"]


# --- bad input to POST /basket/ --------------------------------------------------------


def _unknown_product(product):
    return {"product_type": "shop.Product", "product_id": product.pk + 1000}


def _inactive_product(product):
    return {"product_type": "shop.Product", "product_id": ProductFactory(is_active=False).pk}


def _with(**fields):
    return lambda product: {"product_type": "shop.Product", "product_id": product.pk, **fields}


BAD_ADDS = {
    "unknown-product": (_unknown_product, "product_id"),
    "inactive-product": (_inactive_product, "product_id"),
    "unknown-product-type": (_with(product_type="shop.Basket"), "product_type"),
    "quantity-0": (_with(quantity=0), "quantity"),
    "quantity-negative": (_with(quantity=-1), "quantity"),
    "quantity-not-a-number": (_with(quantity="abc"), "quantity"),
    "quantity-fraction": (_with(quantity=1.5), "quantity"),
    "quantity-null": (_with(quantity=None), "quantity"),
    "quantity-over-max": (_with(quantity=1000), "quantity"),
    "quantity-huge": (_with(quantity=10**30), "quantity"),
    "product-id-not-a-number": (_with(product_id="abc"), "product_id"),
    "product-id-huge": (_with(product_id=10**30), "product_id"),
    "product-id-zero": (_with(product_id=0), "product_id"),
    "extra-list": (_with(extra=["a"]), "extra"),
    "extra-string": (_with(extra="a"), "extra"),
    "extra-too-large": (_with(extra={"big": "x" * 10_001}), "extra"),
    "ref-not-a-slug": (_with(ref="not a slug!"), "ref"),
    "ref-too-long": (_with(ref="r" * 129), "ref"),
    "missing-product-type": (lambda product: {"product_id": product.pk}, "product_type"),
    "missing-product-id": (lambda product: {"product_type": "shop.Product"}, "product_id"),
    "body-a-list": (lambda product: [product.pk], "non_field_errors"),
}


@pytest.mark.parametrize(("make_body", "field"), BAD_ADDS.values(), ids=BAD_ADDS.keys())
def test_bad_add_is_400_on_the_field_and_writes_nothing(visitor_client, product, make_body, field):
    add_ok(visitor_client, product, 2)
    before = stored_lines()
    body = make_body(product)

    response = post_json(visitor_client, BASKET_URL, body)

    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert all(isinstance(message, str) and message for message in errors[field])
    assert stored_lines() == before


def test_unknown_product_message_names_the_product(visitor_client, product):
    body = _unknown_product(product)

    response = post_json(visitor_client, BASKET_URL, body)

    assert response.json() == {
        "product_id": [f"Product 'shop.Product' with id '{body['product_id']}' doesn't exist."]
    }


def test_missing_fields_are_all_reported(visitor_client, db):
    response = post_json(visitor_client, BASKET_URL, {})

    assert response.status_code == 400
    assert response.json() == {
        "product_type": ["This field is required."],
        "product_id": ["This field is required."],
    }
    assert stored_lines() == []


def test_body_that_is_not_json_is_400(visitor_client, product):
    add_ok(visitor_client, product)
    before = stored_lines()

    response = visitor_client.post(BASKET_URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert stored_lines() == before


def test_adding_to_a_line_past_the_maximum_quantity_is_400(visitor_client, product, settings):
    settings.ORDERLY_BASKET_MAX_QUANTITY = 10
    add_ok(visitor_client, product, 8)

    response = add(visitor_client, product, 3)

    assert response.status_code == 400
    assert response.json() == {"quantity": ["Ensure this value is less than or equal to 10."]}
    assert stored_lines()[0][3] == 8


def test_adding_up_to_exactly_the_maximum_quantity_is_allowed(visitor_client, product, settings):
    settings.ORDERLY_BASKET_MAX_QUANTITY = 10
    add_ok(visitor_client, product, 8)

    assert add_ok(visitor_client, product, 2)["quantity"] == 10


def test_putting_a_quantity_over_the_maximum_is_400(visitor_client, product, settings):
    settings.ORDERLY_BASKET_MAX_QUANTITY = 10
    add_ok(visitor_client, product, 3)

    response = put_json(visitor_client, item_url(default_ref(product)), {"quantity": 11})

    assert response.status_code == 400
    assert list(response.json()) == ["quantity"]
    assert stored_lines()[0][3] == 3


def test_a_line_past_the_maximum_number_of_lines_is_400(visitor_client, product, settings):
    settings.ORDERLY_BASKET_MAX_ITEMS = 2
    add_ok(visitor_client, product)
    add_ok(visitor_client, ProductFactory())
    before = stored_lines()

    response = add(visitor_client, ProductFactory())

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert stored_lines() == before
    # A product already in the basket still takes more units.
    assert add_ok(visitor_client, product)["quantity"] == 2


def test_an_item_whose_product_was_deactivated_cannot_be_topped_up(visitor_client, product):
    add_ok(visitor_client, product, 2)
    product.is_active = False
    product.save()

    response = add(visitor_client, product, 1)

    assert response.status_code == 400
    assert list(response.json()) == ["product_id"]
    assert stored_lines()[0][3] == 2


# --- visitors and customers ----------------------------------------------------------


def test_two_visitors_have_separate_baskets(db, product):
    alice, bob = Client(), Client()
    other = ProductFactory()
    add_ok(alice, product, 2)
    add_ok(bob, other, 5)

    alice_basket, bob_basket = alice.get(BASKET_URL).json(), bob.get(BASKET_URL).json()

    assert alice_basket["id"] != bob_basket["id"]
    assert quantities(alice_basket) == {default_ref(product): 2}
    assert quantities(bob_basket) == {default_ref(other): 5}


def test_a_customers_basket_persists_across_sessions(customer, product):
    add_ok(logged_in_client(customer), product, 3)

    later = logged_in_client(customer).get(BASKET_URL).json()

    assert later["id"] == Basket.objects.get(owner=customer).pk
    assert quantities(later) == {default_ref(product): 3}


def test_customers_do_not_share_baskets(customer, staff, product):
    add_ok(logged_in_client(customer), product, 3)

    assert logged_in_client(staff).get(BASKET_URL).json()["items"] == []


def log_in(client, user):
    client.get("/api/basket/count/")  # a GET under /api/ hands out the CSRF cookie
    response = post_json(
        client,
        "/api/auth/login/",
        {"email": user.email, "password": PASSWORD},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200, response.content
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value


def test_visitor_basket_merges_into_the_customers_at_login(customer, product):
    kept, new = ProductFactory(), ProductFactory()
    add_ok(logged_in_client(customer), product, 2)
    add_ok(logged_in_client(customer), kept, 1)
    browser = Client(enforce_csrf_checks=True)
    add_ok(browser, product, 3)
    add_ok(browser, new, 4)
    visitor_basket_id = basket_id(browser)

    log_in(browser, customer)
    body = browser.get(BASKET_URL).json()

    customer_basket = Basket.objects.get(owner=customer)
    assert body["id"] == customer_basket.pk
    assert quantities(body) == {default_ref(product): 5, default_ref(kept): 1, default_ref(new): 4}
    assert not Basket.objects.filter(pk=visitor_basket_id).exists()
    assert len(stored_lines(customer_basket.pk)) == len(stored_lines()) == 3


def test_visitor_basket_becomes_the_customers_when_they_had_none(customer, product):
    browser = Client(enforce_csrf_checks=True)
    add_ok(browser, product, 3)
    put_json(browser, "/api/basket/extra/", {"extra": {"note": "leave at door"}})

    log_in(browser, customer)
    body = browser.get(BASKET_URL).json()

    assert body["id"] == Basket.objects.get(owner=customer).pk
    assert quantities(body) == {default_ref(product): 3}
    assert body["extra"] == {"note": "leave at door"}
    assert Basket.objects.count() == 1


def test_merging_caps_a_line_at_the_maximum_quantity(customer, product, settings):
    settings.ORDERLY_BASKET_MAX_QUANTITY = 10
    add_ok(logged_in_client(customer), product, 8)
    browser = Client(enforce_csrf_checks=True)
    add_ok(browser, product, 5)

    log_in(browser, customer)

    assert quantities(browser.get(BASKET_URL).json()) == {default_ref(product): 10}


def test_merged_basket_is_seen_from_the_customers_other_sessions(customer, product):
    browser = Client(enforce_csrf_checks=True)
    add_ok(browser, product, 3)
    log_in(browser, customer)
    browser.get("/api/basket/count/")

    other_session = logged_in_client(customer).get(BASKET_URL).json()

    assert quantities(other_session) == {default_ref(product): 3}


def test_after_logout_the_browser_starts_a_fresh_visitor_basket(customer_client, customer, product):
    add_ok(customer_client, product, 2)

    response = customer_client.post("/api/auth/logout/", content_type="application/json")
    visitor_basket = customer_client.get(BASKET_URL).json()

    assert response.status_code == 204
    assert visitor_basket["items"] == []
    assert visitor_basket["id"] != Basket.objects.get(owner=customer).pk
    assert stored_lines(Basket.objects.get(owner=customer).pk)[0][3] == 2


# --- CSRF ----------------------------------------------------------------------------


def _csrf_post_item(client, product):
    return add(client, product, 1)


def _csrf_put_item(client, product):
    return put_json(client, item_url(default_ref(product)), {"quantity": 9})


def _csrf_delete_item(client, product):
    return client.delete(item_url(default_ref(product)))


def _csrf_clear(client, product):
    return client.post("/api/basket/clear/", content_type="application/json")


def _csrf_delete_basket(client, product):
    return client.delete(BASKET_URL)


@pytest.mark.parametrize(
    "call",
    [_csrf_post_item, _csrf_put_item, _csrf_delete_item, _csrf_clear, _csrf_delete_basket],
    ids=["post-item", "put-item", "delete-item", "clear", "delete-basket"],
)
def test_logged_in_basket_write_without_csrf_token_is_403(customer, product, call):
    client = logged_in_client(customer)
    add_ok(client, product, 2)
    before = stored_lines()
    del client.defaults["HTTP_X_CSRFTOKEN"]

    response = call(client, product)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert stored_lines() == before
    assert Basket.objects.filter(owner=customer).exists()


def test_logged_in_basket_write_with_a_wrong_csrf_token_is_403(customer, product):
    client = logged_in_client(customer)
    client.defaults["HTTP_X_CSRFTOKEN"] = "x" * 32

    response = add(client, product)

    assert response.status_code == 403
    assert stored_lines() == []


def test_put_extra_of_logged_in_customer_without_csrf_token_is_403(customer):
    client = logged_in_client(customer)
    del client.defaults["HTTP_X_CSRFTOKEN"]

    response = put_json(client, "/api/basket/extra/", {"extra": {"a": 1}})

    assert response.status_code == 403
    assert not Basket.objects.filter(owner=customer, extra__has_key="a").exists()


def test_anonymous_basket_write_needs_no_csrf_token(db, product):
    browser = Client(enforce_csrf_checks=True)

    response = add(browser, product, 2)

    assert response.status_code == 201
    assert [line[3] for line in stored_lines()] == [2]


# --- query counts --------------------------------------------------------------------


@pytest.mark.parametrize("as_customer", [False, True], ids=["visitor", "customer"])
def test_reading_the_basket_costs_the_same_queries_for_1_and_10_items(
    customer, count_queries, as_customer
):
    client = logged_in_client(customer) if as_customer else Client()
    add_ok(client, ProductFactory())
    with_one = count_queries(lambda: client.get(BASKET_URL))
    for _ in range(9):
        add_ok(client, ProductFactory())

    with_ten = count_queries(lambda: client.get(BASKET_URL))

    assert len(client.get(BASKET_URL).json()["items"]) == 10
    assert with_one == with_ten


def test_count_and_quantity_agree_with_the_items_shown_when_a_product_is_deleted(visitor_client):
    kept, deleted = ProductFactory(), ProductFactory()
    for product, quantity in [(kept, 2), (deleted, 5)]:
        response = visitor_client.post(
            "/api/basket/",
            {"product_type": "shop.Product", "product_id": product.pk, "quantity": quantity},
            content_type="application/json",
        )
        assert response.status_code == 201
    deleted.delete()

    items = visitor_client.get("/api/basket/").json()["items"]

    assert [item["product_id"] for item in items] == [kept.pk]
    assert visitor_client.get("/api/basket/count/").json() == {"count": 1}
    assert visitor_client.get("/api/basket/quantity/").json() == {"quantity": 2}


def test_a_logged_in_form_encoded_basket_post_is_accepted_like_salesman(customer_client):
    product = ProductFactory()

    response = customer_client.post(
        "/api/basket/", {"product_type": "shop.Product", "product_id": product.pk, "quantity": 3}
    )

    assert response.status_code == 201, response.content
    assert response.json()["quantity"] == 3
