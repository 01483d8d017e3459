"""The integration API (`/v1/`), Presscart's paths; each works with or without a trailing
slash, as Presscart clients call them without.

Each app owns its views (orders and the catalogue in `integration`, the events feed in
`events`, webhook endpoints in `webhooks`); this table only places them, so `integration`
needs no import of the apps that build on it.
"""

from django.urls import URLPattern, URLResolver, include, re_path

from events.api.v1 import EventFeedView
from integration.api import v1
from integration.idempotency import idempotent

integration_patterns: list[URLPattern | URLResolver] = [
    re_path(r"^auth/token/?$", v1.WhoAmIView.as_view(), name="whoami"),
    re_path(r"^orders/?$", v1.OrderListView.as_view(), name="order-list"),
    re_path(r"^orders/checkout/?$", idempotent(v1.CheckoutView).as_view(), name="checkout"),
    re_path(r"^orders/(?P<order_id>[^/]+)/?$", v1.OrderDetailView.as_view(), name="order-detail"),
    re_path(r"^order-items/?$", v1.OrderItemListView.as_view(), name="order-item-list"),
    re_path(
        r"^teams/(?P<team_id>[^/]+)/profiles/?$",
        v1.TeamProfileListView.as_view(),
        name="team-profile-list",
    ),
    re_path(
        r"^profiles/(?P<profile_id>[^/]+)/orders/?$",
        v1.ProfileOrderListView.as_view(),
        name="profile-order-list",
    ),
    re_path(r"^products/listings/?$", v1.ProductListingView.as_view(), name="product-listings"),
    re_path(
        r"^products/(?P<product_id>[^/]+)/?$", v1.ProductDetailView.as_view(), name="product-detail"
    ),
    re_path(r"^events/?$", EventFeedView.as_view(), name="event-feed"),
    re_path(r"", include("webhooks.urls")),
    # Last: anything else under /v1/ is a 404 in the envelope.
    re_path(r"^(?P<path>.*)$", v1.unknown_path, name="unknown-path"),
]
