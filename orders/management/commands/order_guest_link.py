"""Print an order's guest links, or re-issue them when a buyer lost theirs.

    python manage.py order_guest_link 2026-00001 --base-url https://shop-api.example.com
    python manage.py order_guest_link 2026-00001 --reissue

Tokens are stored sealed, so the server can show the current links again; `--reissue`
gives the order a new token first, and the old links stop working at once.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.http import urlencode

from orders.models import Order
from orders.selectors import order_guest_token
from orders.services import order_guest_link_reissue


class Command(BaseCommand):
    help = "Print an order's guest links (order and pay page); --reissue replaces its token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ref", help="the order's ref, e.g. 2026-00001")
        parser.add_argument(
            "--reissue", action="store_true", help="give the order a new token first"
        )
        parser.add_argument(
            "--base-url", default="", help="prefix for the links, e.g. https://shop.example"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        order = Order.objects.filter(ref=options["ref"]).first()
        if order is None:
            raise CommandError(f"No order {options['ref']!r}.")
        if options["reissue"]:
            order = order_guest_link_reissue(order=order, actor=None, source="command")
        token = order_guest_token(order)
        base = options["base_url"].rstrip("/")
        order_path = reverse("storefront:order-detail", kwargs={"ref": order.ref})
        self.stdout.write(f"order:    {base}{order_path}?{urlencode({'token': token})}")
        self.stdout.write(f"pay page: {base}{reverse('pay-page', kwargs={'token': token})}")
