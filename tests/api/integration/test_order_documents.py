"""Order reads serve stored documents (`orders.documents`), byte for byte what the declared
serializers render, and never a stale one.

The expected bodies are built the slow, independent way: DRF's per-field walk over each
shape's *declared* fields (what the OpenAPI documents show), rendered by DRF's own
`JSONRenderer`. The served bodies come from the stored texts with their slots filled.
"""

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from orders.api import serializers as storefront_shapes
from orders.models import Order, OrderDocument, OrderNote, OrderPayment
from orders.selectors import order_detail_queryset
from orders.services import order_note_add, payment_record, payment_refund_record
from tests.api.integration.test_client_reads import place
from tests.api.integration.test_shapes import declared_order, team_order_details
from tests.factories import ProductFactory

declared_walk = serializers.Serializer.to_representation
render = JSONRenderer().render


def declared_storefront_body(ref: str, request: Any, *, staff: bool) -> bytes:
    order = order_detail_queryset(include_private_notes=staff).get(ref=ref)
    return render(declared_storefront(order, request))


def declared_storefront(order: Order, request: Any) -> dict[str, Any]:
    body = declared_walk(storefront_shapes.OrderSerializer(context={"request": request}), order)
    body["items"] = [
        declared_walk(storefront_shapes.OrderItemSerializer(), i) for i in order.prefetched_items
    ]
    body["payments"] = [
        declared_walk(storefront_shapes.OrderPaymentSerializer(), p)
        for p in order.prefetched_payments
    ]
    body["notes"] = [
        declared_walk(storefront_shapes.OrderNoteSerializer(), n) for n in order.prefetched_notes
    ]
    return body


def pay_refund_and_note(order: Order, staff: Any) -> None:
    """Two payments (one partly refunded), a public and a private note (with text JSON
    must escape, and U+2028, which DRF's renderer escapes too)."""
    for number, amount in enumerate(["2.00", "3.00"]):
        payment_record(
            order=order,
            amount=Decimal(amount),
            transaction_id=f"bank-{order.pk}-{number}",
            payment_method="pay-in-advance",
            actor=staff,
            source="test",
        )
    payment = OrderPayment.objects.filter(order=order).first()
    assert payment is not None
    payment_refund_record(
        payment=payment,
        amount=Decimal("1.50"),
        transaction_id=f"refund-{order.pk}",
        actor=staff,
        source="test",
    )
    order_note_add(
        order=order,
        message='Leaves "Monday" \u2028 — café',
        is_public=True,
        actor=staff,
        source="test",
    )
    order_note_add(order=order, message="staff only", is_public=False, actor=staff, source="test")


@pytest.fixture
def storefront_orders(place_order, customer_client, staff) -> list[dict[str, Any]]:
    """A customer's orders: one of several items paid, refunded in part and annotated,
    one untouched."""
    products = [ProductFactory(name="Tea \u2028 «Assam»"), ProductFactory(), ProductFactory()]
    rich = place_order(customer_client, items=[(product, 2) for product in products])
    pay_refund_and_note(Order.objects.get(ref=rich["ref"]), staff)
    plain = place_order(customer_client)
    return [rich, plain]


@pytest.mark.parametrize("caller", ["staff_client", "customer_client", "visitor_client"])
def test_storefront_order_bodies_are_byte_for_byte_the_declared_shape(
    request, storefront_orders, caller
):
    client: Client = request.getfixturevalue(caller)
    staff = caller == "staff_client"
    for order in storefront_orders:
        response = client.get(f"/api/orders/{order['ref']}/?token={order['token']}")
        assert response.status_code == 200, response.content
        expected = declared_storefront_body(order["ref"], response.wsgi_request, staff=staff)
        assert response.content == expected
        notes = response.json()["notes"]
        assert len(notes) == (0 if order is storefront_orders[1] else 2 if staff else 1)


def test_storefront_lists_are_byte_for_byte_the_declared_shape(
    storefront_orders, customer_client, staff_client
):
    for client, url, staff in [
        (customer_client, "/api/orders/", False),
        (staff_client, "/api/orders/all/", True),
        (staff_client, "/api/orders/all/?ordering=total&page_size=1&page=2", True),
    ]:
        response = client.get(url)
        assert response.status_code == 200, response.content
        refs = [order["ref"] for order in response.json()]
        queryset = order_detail_queryset(include_private_notes=staff)
        rows = {order.ref: order for order in queryset.filter(ref__in=refs)}
        expected = [declared_storefront(rows[ref], response.wsgi_request) for ref in refs]
        assert response.content == render(expected)
    last = customer_client.get("/api/orders/last/")
    assert last.content == declared_storefront_body(
        storefront_orders[1]["ref"], last.wsgi_request, staff=False
    )


def test_v1_order_bodies_are_byte_for_byte_the_declared_shape(
    make_token, team, profile, catalogue, staff
):
    partly_paid = place(team, profile, (catalogue[0], 2), (catalogue[1], 1), discount="1.00")
    pay_refund_and_note(partly_paid, staff)
    open_order = place(team, profile, (catalogue[0], 1))  # payable: has a checkout link
    paid = place(team, profile, (catalogue[1], 1))
    payment_record(
        order=paid,
        amount=paid.total,
        transaction_id="all-of-it",
        payment_method="pay-in-advance",
        actor=staff,
        source="test",
    )
    v1 = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(team)}")
    for order in (partly_paid, open_order, paid):
        response = v1.get(f"/v1/orders/{order.pk}")
        assert response.status_code == 200, response.content
        row = team_order_details(team).get(pk=order.pk)
        assert response.content == render(declared_order(row, response.wsgi_request))
    assert (
        v1.get(f"/v1/orders/{open_order.pk}")
        .json()["checkout_link"]
        .startswith("http://testserver/pay/")
    )
    assert v1.get(f"/v1/orders/{paid.pk}").json()["checkout_link"] is None

    for url in ["/v1/orders", "/v1/orders?limit=1&page=2", f"/v1/profiles/{profile.pk}/orders"]:
        response = v1.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids = [int(record["id"]) for record in body["records"]]
        rows = {o.pk: o for o in team_order_details(team).filter(pk__in=ids)}
        expected = {
            **body,
            "records": [declared_order(rows[pk], response.wsgi_request) for pk in ids],
        }
        assert response.content == render(expected)


def test_an_indented_body_asks_for_the_same_json(storefront_orders, customer_client):
    url = f"/api/orders/{storefront_orders[0]['ref']}/"
    compact = customer_client.get(url)
    indented = customer_client.get(url, HTTP_ACCEPT="application/json; indent=4")
    assert indented.content.startswith(b'{\n    "id"')
    assert indented.json() == compact.json()


def test_a_change_no_service_made_is_served_at_once(storefront_orders, staff_client, staff):
    """Revisions are raised by triggers, so even writes that bypass the services (the ORM,
    SQL) make the stored document stale, and the next read renders it again."""
    ref = storefront_orders[1]["ref"]
    url = f"/api/orders/{ref}/"
    staff_client.get(url)
    order = Order.objects.get(ref=ref)
    stored = OrderDocument.objects.get(order=order)
    assert stored.revision == order.revision

    OrderNote.objects.create(order=order, message="written by the ORM", is_public=True)
    assert staff_client.get(url).json()["notes"][0]["message"] == "written by the ORM"
    with connection.cursor() as cursor:
        sql = "UPDATE orders_order SET email = 'sql@example.com' WHERE id = %s"
        cursor.execute(sql, [order.pk])
    assert staff_client.get(url).json()["email"] == "sql@example.com"
    payment_record(
        order=order,
        amount=Decimal("1.00"),
        transaction_id="late",
        payment_method="pay-in-advance",
        actor=staff,
        source="test",
    )
    assert staff_client.get(url).json()["amount_paid"] == "1.00"
    response = staff_client.get(url)
    assert response.content == declared_storefront_body(ref, response.wsgi_request, staff=True)


def test_a_current_document_is_one_query(storefront_orders, visitor_client, make_token, team):
    """A guest's order page: its rate-limit counter and one fetch of the stored document."""
    order = storefront_orders[0]
    url = f"/api/orders/{order['ref']}/?token={order['token']}"
    visitor_client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert visitor_client.get(url).status_code == 200
    document_reads = [q for q in captured if "orders_orderdocument" in q["sql"]]
    assert len(document_reads) == 1
    assert not [q for q in captured if "orders_orderitem" in q["sql"]]


def test_a_page_without_documents_renders_them_all_at_once(
    storefront_orders, place_order, customer_client, staff_client
):
    """Orders older than the documents table (or after a shape change) have none: a list
    page renders its missing ones together, the same bytes, and stores them."""
    for _ in range(3):
        place_order(customer_client)
    OrderDocument.objects.all().delete()
    response = staff_client.get("/api/orders/all/")
    assert response.status_code == 200, response.content
    refs = [order["ref"] for order in response.json()]
    rows = {o.ref: o for o in order_detail_queryset(include_private_notes=True)}
    assert response.content == render(
        [declared_storefront(rows[ref], response.wsgi_request) for ref in refs]
    )
    assert OrderDocument.objects.count() == len(refs) == 5
    with CaptureQueriesContext(connection) as captured:
        again = staff_client.get("/api/orders/all/")
    assert again.content == response.content
    assert not [q for q in captured if "orders_orderitem" in q["sql"]]


def test_the_render_command_fills_in_missing_and_stale_documents(
    storefront_orders, place_order, customer_client, staff_client
):
    """After an upgrade, `order_documents_render` renders what reads would otherwise
    render on first use; then every read is one fetch of a current document."""
    place_order(customer_client)
    OrderDocument.objects.filter(order__ref=storefront_orders[0]["ref"]).delete()
    stale = Order.objects.get(ref=storefront_orders[1]["ref"])
    with connection.cursor() as cursor:
        sql = "UPDATE orders_order SET email = 'new@example.com' WHERE id = %s"
        cursor.execute(sql, [stale.pk])

    out = StringIO()
    call_command("order_documents_render", "--batch", "1", stdout=out)
    assert out.getvalue().strip() == "Rendered the documents of 2 orders."
    current = {o.pk: o.revision for o in Order.objects.all()}
    documents = {d.order_id: d.revision for d in OrderDocument.objects.all()}
    assert documents == current
    with CaptureQueriesContext(connection) as captured:
        listed = staff_client.get("/api/orders/all/")
    assert not [q for q in captured if "orders_orderitem" in q["sql"]]
    assert "new@example.com" in {order["email"] for order in listed.json()}

    again = StringIO()
    call_command("order_documents_render", stdout=again)
    assert again.getvalue().strip() == "Rendered the documents of 0 orders."
