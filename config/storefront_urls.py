"""The storefront API (`/api/`), wire-compatible with django-salesman's.

Each app owns its views; this table only places them, so the paths a salesman frontend
calls are readable in one spot. Unsafe calls that move money or status accept an
Idempotency-Key (`integration.idempotency`).
"""

from django.urls import path

from integration.idempotency import idempotent
from orders.api import storefront as orders_api
from payments.api import storefront as payments_api
from shop.api import storefront as shop_api

storefront_patterns = [
    # accounts
    path("auth/register/", shop_api.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", shop_api.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", shop_api.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", shop_api.MeView.as_view(), name="auth-me"),
    # catalogue
    path("products/", shop_api.ProductListView.as_view(), name="product-list"),
    path("products/<int:product_id>/", shop_api.ProductDetailView.as_view(), name="product-detail"),
    # basket
    path("basket/", shop_api.BasketView.as_view(), name="basket"),
    path("basket/count/", shop_api.BasketCountView.as_view(), name="basket-count"),
    path("basket/quantity/", shop_api.BasketQuantityView.as_view(), name="basket-quantity"),
    path("basket/clear/", shop_api.BasketClearView.as_view(), name="basket-clear"),
    path("basket/extra/", shop_api.BasketExtraView.as_view(), name="basket-extra"),
    path("basket/<str:ref>/", shop_api.BasketItemView.as_view(), name="basket-item"),
    # checkout
    path("checkout/", idempotent(payments_api.CheckoutView).as_view(), name="checkout"),
    # orders
    path("orders/", orders_api.OrderListView.as_view(), name="order-list"),
    path("orders/last/", orders_api.OrderLastView.as_view(), name="order-last"),
    path("orders/all/", orders_api.OrderAllView.as_view(), name="order-all"),
    path("orders/<str:ref>/", orders_api.OrderDetailView.as_view(), name="order-detail"),
    path(
        "orders/<str:ref>/status/",
        idempotent(orders_api.OrderStatusView).as_view(),
        name="order-status",
    ),
    path(
        "orders/<str:ref>/pay/", idempotent(payments_api.OrderPayView).as_view(), name="order-pay"
    ),
    path(
        "orders/<str:ref>/refund/",
        idempotent(payments_api.OrderRefundView).as_view(),
        name="order-refund",
    ),
]
