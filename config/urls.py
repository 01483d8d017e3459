from django.contrib import admin
from django.urls import include, path

from config.storefront_urls import storefront_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include((storefront_patterns, "storefront"))),
    path("api-auth/", include("rest_framework.urls")),
    path("v1/", include("integration.urls")),
]
