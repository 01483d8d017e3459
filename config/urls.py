from django.contrib import admin
from django.urls import include, path

from config.integration_urls import integration_patterns
from config.openapi import schema_urls
from config.storefront_urls import storefront_patterns
from payments.api.webhooks import payment_webhook
from payments.web.pay_page import pay_page
from payments.web.test_gateway import gateway_page

# /health/live/ and /health/ready/ are answered by config.health.HealthCheckMiddleware,
# whatever the Host header.
urlpatterns = [
    # OpenAPI documents and browsable docs: /api/schema/, /api/docs/, /v1/schema/, /v1/docs/
    *schema_urls("storefront", "api/"),
    *schema_urls("integration", "v1/"),
    path("admin/", admin.site.urls),
    path("api/", include((storefront_patterns, "storefront"))),
    path("api-auth/", include("rest_framework.urls")),
    path("v1/", include((integration_patterns, "integration"))),
    # The hosted pay page: the `checkout_link` handed out with an order.
    path("pay/<str:token>/", pay_page, name="pay-page"),
    # Payment providers' notifications, one URL per payment method (`/webhooks/stripe/`).
    path("webhooks/<slug:method>/", payment_webhook, name="payment-webhook"),
    # The built-in test gateway's approve/decline page (404 unless it is enabled).
    path("test-gateway/", gateway_page, name="test-gateway"),
]

# JSON errors under /api/ and /v1/ (in each API's shape), Django's pages elsewhere.
handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
