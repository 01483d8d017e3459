from django.contrib import admin

from shop.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "price", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    ordering = ["name", "id"]
