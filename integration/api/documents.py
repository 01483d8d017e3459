"""The `/v1/` order, stored rendered and filled in per request: the fast read path.

Why: integrations poll their orders, so `GET /v1/orders/{id}` and the order pages are
the API's busiest reads. They used to load each order and its items as model instances
and serialize them through `OrderSerializer`. Now `orders.documents` keeps the body that
`OrderSerializer` renders in the order's `OrderDocument` row (`integration` column), and
a read fetches it and fills in its one request-dependent part: `checkout_link`, the pay
page on the request's host with the order's token (never stored in clear), present while
the order is payable. A test renders the same orders both ways and compares the bytes
(tests/api/integration/test_order_documents.py).
"""

from typing import Any

from integration.api.pagination import Page, PageRequest
from integration.api.serializers import OrderSerializer
from kernel.api.renderers import SLOT, RenderedJSON, cut_slots, fill_slots, json_text, slot_marks
from orders.documents import StoredOrder
from orders.models import Order
from orders.selectors import order_pay_path

COLUMNS = ("integration",)


class _PayLinkMark:
    """Stands in for the request while the document is rendered: the checkout link
    becomes a mark (`kernel.api.renderers.slot_marks`), cut out as the slot."""

    def __init__(self) -> None:
        self.mark = slot_marks("pay_link")["pay_link"]

    def build_absolute_uri(self, path: str) -> str:
        return self.mark


def integration_part(order: Order) -> dict[str, str | None]:
    """The `/v1/` column of a team order's documents (`orders.documents`); empty for an
    order without a team, which `/v1/` never shows."""
    if order.team_id is None:
        return {"integration": ""}
    site = _PayLinkMark()
    text = json_text(OrderSerializer(order, context={"request": site}).data)
    return {"integration": cut_slots(text, [site.mark])}


def integration_order_text(text: str, *, pay_link: Any) -> str:
    """A stored `/v1/` document with its checkout link filled in (when it has the slot)."""
    return fill_slots(text, json_text(pay_link)) if SLOT in text else text


def integration_order_json(stored: StoredOrder, request: Any) -> str:
    text = stored.texts["integration"]
    assert text  # `/v1/` reads only team orders, which all have one
    if SLOT not in text:
        return text  # not payable: no link, and no token to open
    return fill_slots(text, json_text(request.build_absolute_uri(order_pay_path(stored))))


def integration_page_json(page: Page, page_request: PageRequest, request: Any) -> RenderedJSON:
    """A page of orders in Presscart's envelope, `records` spliced from stored documents
    (the envelope's first key, by declaration)."""
    envelope = json_text(page.envelope(page_request, []))
    opening = '{"records":[]'
    assert envelope.startswith(opening)
    records = ",".join(integration_order_json(stored, request) for stored in page.records)
    return RenderedJSON(f'{{"records":[{records}]{envelope[len(opening) :]}')
