"""The read-only catalogue: `/api/products/` and `/api/products/<id>/`."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from shop.models import Product
from tests.factories import ProductFactory

LIST_URL = "/api/products/"


def detail_url(product_id):
    return f"/api/products/{product_id}/"


def links(response):
    """The `Link` header as {rel: query parameters of its URL}."""
    found = {}
    for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", "")):
        found[rel] = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    return found


def codes(response):
    return [product["code"] for product in response.json()]


@pytest.fixture
def five_products(db):
    """Five active products named so their catalogue order (by name) is A..E."""
    return [ProductFactory(name=f"{letter} product", code=f"P-{letter}") for letter in "ABCDE"]


# --- list ----------------------------------------------------------------------------


def test_list_is_a_plain_array_of_active_products_only(visitor_client, five_products):
    ProductFactory(name="C hidden", code="HIDDEN", is_active=False)

    response = visitor_client.get(LIST_URL)

    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert codes(response) == ["P-A", "P-B", "P-C", "P-D", "P-E"]
    assert response["X-Total-Count"] == "5"
    assert "Link" not in response


def test_list_items_have_the_product_shape(visitor_client, product):
    response = visitor_client.get(LIST_URL)

    assert response.json() == [
        {
            "product_type": "shop.Product",
            "product_id": product.pk,
            "name": product.name,
            "code": product.code,
            "unit_price": "10.00",
            "description": product.description,
        }
    ]


def test_first_page_links_to_the_next_page_only(visitor_client, five_products):
    response = visitor_client.get(LIST_URL, {"page_size": 2})

    assert response.status_code == 200
    assert codes(response) == ["P-A", "P-B"]
    assert response["X-Total-Count"] == "5"
    assert links(response) == {"next": {"page": "2", "page_size": "2"}}


def test_middle_page_links_both_ways(visitor_client, five_products):
    response = visitor_client.get(LIST_URL, {"page": 2, "page_size": 2})

    assert codes(response) == ["P-C", "P-D"]
    assert response["X-Total-Count"] == "5"
    page_links = links(response)
    assert page_links["next"] == {"page": "3", "page_size": "2"}
    # DRF drops `page=1` from the link to the first page.
    assert page_links["prev"] == {"page_size": "2"}


def test_last_page_links_back_only(visitor_client, five_products):
    response = visitor_client.get(LIST_URL, {"page": 3, "page_size": 2})

    assert codes(response) == ["P-E"]
    assert set(links(response)) == {"prev"}


def test_following_next_links_walks_every_product_once(visitor_client, five_products):
    seen, params = [], {"page_size": 2}
    while params is not None:
        response = visitor_client.get(LIST_URL, params)
        assert response.status_code == 200
        seen += codes(response)
        params = links(response).get("next")

    assert seen == ["P-A", "P-B", "P-C", "P-D", "P-E"]


def test_default_page_size_comes_from_settings(visitor_client, five_products, settings):
    settings.ORDERLY_PAGE_SIZE = 3

    response = visitor_client.get(LIST_URL)

    assert codes(response) == ["P-A", "P-B", "P-C"]
    assert links(response) == {"next": {"page": "2"}}


def test_page_size_is_capped_by_max_page_size(visitor_client, five_products, settings):
    settings.ORDERLY_MAX_PAGE_SIZE = 3

    response = visitor_client.get(LIST_URL, {"page_size": 1000})

    assert codes(response) == ["P-A", "P-B", "P-C"]
    assert response["X-Total-Count"] == "5"
    assert "next" in links(response)


@pytest.mark.parametrize("page_size", ["abc", "0", "-1"])
def test_unusable_page_size_falls_back_to_the_default(
    visitor_client, five_products, settings, page_size
):
    settings.ORDERLY_PAGE_SIZE = 4

    response = visitor_client.get(LIST_URL, {"page_size": page_size})

    assert response.status_code == 200
    assert codes(response) == ["P-A", "P-B", "P-C", "P-D"]


@pytest.mark.parametrize("page", ["4", "abc", "0"])
def test_page_past_the_end_or_not_a_number_is_404(visitor_client, five_products, page):
    response = visitor_client.get(LIST_URL, {"page": page, "page_size": 2})

    assert response.status_code == 404
    assert "detail" in response.json()


def test_search_matches_names_case_insensitively(visitor_client, db):
    ProductFactory(name="Blue Teapot", code="TEA-1")
    ProductFactory(name="Red Mug", code="MUG-1")

    response = visitor_client.get(LIST_URL, {"search": "teapot"})

    assert codes(response) == ["TEA-1"]
    assert response["X-Total-Count"] == "1"


def test_search_matches_codes(visitor_client, db):
    ProductFactory(name="Blue Teapot", code="TEA-1")
    ProductFactory(name="Red Mug", code="MUG-1")

    response = visitor_client.get(LIST_URL, {"search": "mug-"})

    assert codes(response) == ["MUG-1"]


def test_search_leaves_out_inactive_products(visitor_client, db):
    ProductFactory(name="Old Teapot", code="TEA-OLD", is_active=False)
    ProductFactory(name="New Teapot", code="TEA-NEW")

    response = visitor_client.get(LIST_URL, {"search": "teapot"})

    assert codes(response) == ["TEA-NEW"]


def test_search_without_match_is_an_empty_array(visitor_client, five_products):
    response = visitor_client.get(LIST_URL, {"search": "nothing like this"})

    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Total-Count"] == "0"


# --- detail --------------------------------------------------------------------------


def test_detail_shape_names_what_basket_post_takes(visitor_client, db):
    product = ProductFactory(name="Teapot", code="TEA-1", price="12.50", description="Holds tea.")

    response = visitor_client.get(detail_url(product.pk))

    assert response.status_code == 200
    assert response.json() == {
        "product_type": "shop.Product",
        "product_id": product.pk,
        "name": "Teapot",
        "code": "TEA-1",
        "unit_price": "12.50",
        "description": "Holds tea.",
    }


def test_detail_price_is_a_two_place_decimal_string(visitor_client, db):
    product = ProductFactory(price="7")

    assert visitor_client.get(detail_url(product.pk)).json()["unit_price"] == "7.00"


def test_detail_of_an_inactive_product_is_404(visitor_client, db):
    product = ProductFactory(is_active=False)

    response = visitor_client.get(detail_url(product.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("missing_id", ["0", "99999999", "99999999999999999999999999999"])
def test_detail_of_an_unknown_product_is_404(visitor_client, product, missing_id):
    response = visitor_client.get(detail_url(missing_id))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_catalogue_is_read_only(staff_client, product):
    post = staff_client.post(LIST_URL, {"name": "New"}, content_type="application/json")
    delete = staff_client.delete(detail_url(product.pk))

    assert (post.status_code, delete.status_code) == (405, 405)
    assert list(Product.objects.values_list("pk", flat=True)) == [product.pk]
