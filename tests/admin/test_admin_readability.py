"""Staff read an order as easily as a buyer reads the pay page: at a 1280 x 800 desk, the
order list's money columns are in view, and money reads with two places and its currency.
Screenshots land in test-artifacts/."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from orders.models import Order
from tests.browser.conftest import ARTIFACTS, browser_context
from tests.conftest import PASSWORD
from tests.factories import ProductFactory, StaffFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH, HEIGHT = 1280, 800
SHIPPING = {
    "class": "shop.modifiers.ShippingModifier",
    "identifier": "shipping",
    "label": "Shipping",
    "amount": "5.00",
    "free_from": "100.00",
}
BULK = {
    "class": "shop.modifiers.PercentageModifier",
    "identifier": "bulk-discount",
    "label": "Bulk discount",
    "percent": "-10",
    "min_quantity": 10,
}


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch, live_server: Any) -> Iterator[Any]:
    """A staff superuser's admin page at 1280 x 800."""
    staff = StaffFactory(is_superuser=True)
    with browser_context(monkeypatch, WIDTH, HEIGHT) as context:
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", staff.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")
        yield page


def place_order(settings: Any, *, quantity: int, extra: dict[str, Any] | None = None) -> Order:
    settings.ORDERLY_PRICE_MODIFIERS = [BULK, SHIPPING]
    client = Client()
    product = ProductFactory(name="Black T-shirt", price="4.50")
    client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": product.pk, "quantity": quantity},
        content_type="application/json",
    )
    response = client.post(
        "/api/checkout/",
        {
            "email": "a.rather.long.address@customer-example.com",
            "shipping_address": "1 Main St, Springfield",
            "billing_address": "1 Main St, Springfield",
            "payment_method": "pay-in-advance",
            "extra": extra or {},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Order.objects.latest("id")


def visible_and_uncovered(page: Any, selector: str) -> dict[str, Any]:
    """Where the element is, whether it lies inside the viewport, and whether the element
    the browser finds at its centre is it (or inside it): not scrolled away, not covered."""
    return page.eval_on_selector(
        selector,
        """(el, [width, height]) => {
            const box = el.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            const hit = document.elementFromPoint(x, y);
            return {
                box: [box.left, box.top, box.right, box.bottom],
                inside: box.left >= 0 && box.top >= 0 && box.right <= width && box.bottom <= height,
                uncovered: hit !== null && (hit === el || el.contains(hit)),
            };
        }""",
        [WIDTH, HEIGHT],
    )


def test_the_order_list_shows_its_money_columns_at_1280_px(page, live_server, settings):
    team = TeamFactory(name="Acme Publishing International")
    orders = [place_order(settings, quantity=q) for q in (1, 3, 12)]
    Order.objects.filter(pk=orders[0].pk).update(team=team)

    page.goto(f"{live_server.url}/admin/orders/order/")
    page.screenshot(path=str(ARTIFACTS / "admin-order-list-1280.png"))

    for column in ("total_amount", "paid", "payment_method"):
        header = visible_and_uncovered(page, f"#result_list th.column-{column}")
        assert header["inside"], (column, header)
        assert header["uncovered"], (column, header)
        first_cell = visible_and_uncovered(
            page, f"#result_list tbody tr:first-child .field-{column}"
        )
        assert first_cell["inside"] and first_cell["uncovered"], (column, first_cell)
    # Nothing to scroll sideways to find, on the page or inside the list.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert page.eval_on_selector(".results", "el => el.scrollWidth <= el.clientWidth")
    totals = page.eval_on_selector_all(
        "#result_list tbody .field-total_amount", "cells => cells.map(c => c.innerText.trim())"
    )
    # Newest first: 12 x 4.50 less the 10 % bulk discount plus shipping; 3; 1.
    assert totals == ["53.60 USD", "18.50 USD", "9.50 USD"]


def test_the_order_page_reads_like_the_pay_page(page, live_server, settings):
    order = place_order(settings, quantity=12, extra={"gift_note": "Happy birthday"})

    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    page.wait_for_selector("#order_form")

    assert page.inner_text(".field-amount_paid .readonly") == "0.00 USD"
    assert page.inner_text(".field-amount_outstanding .readonly") == "53.60 USD"
    assert page.inner_text(".field-subtotal_amount .readonly") == "48.60 USD"
    assert page.inner_text(".field-total_amount .readonly") == "53.60 USD"
    # The order's price rows as a list of label and amount, not JSON.
    rows = page.eval_on_selector_all(
        "div.field-price_rows ul.price-rows li",
        "rows => rows.map(r => ['.label', '.money'].map(c => r.querySelector(c).innerText))",
    )
    assert rows == [["Shipping", "5.00 USD"]]
    # The line's own rows (the bulk discount) and its money, in the items table.
    line = page.inner_text("#items-group tbody tr")
    assert "Black T-shirt" in line
    assert "4.50 USD" in line and "-5.40 USD" in line and "48.60 USD" in line
    assert "Bulk discount" in line
    assert page.inner_text(".field-extra_data .readonly") == "gift_note: Happy birthday"
    for selector in ("div.field-price_rows", "#items-group", ".field-extra_data", "#events-group"):
        text = page.inner_text(selector)
        assert "{" not in text and '"' not in text, (selector, text)
    page.screenshot(path=str(ARTIFACTS / "admin-order-page-1280.png"), full_page=True)

    # Paid in full: the amounts follow.
    page.check("#id_record_payment")
    page.click("input[name=_continue]")
    page.wait_for_selector("#order_form")
    assert page.inner_text(".field-amount_paid .readonly") == "53.60 USD"
    assert page.inner_text(".field-amount_outstanding .readonly") == "0.00 USD"
    assert "53.60 USD" in page.inner_text("#payments-group")
