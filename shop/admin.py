from django.contrib import admin

from shop.models import Product, Profile, Team


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "price", "is_active", "updated_at"]
    list_filter = ["is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "=code"]
    ordering = ["name", "id"]


class ProfileInline(admin.TabularInline):
    model = Profile
    extra = 0
    fields = ["name", "email", "legal_company_name", "website_url"]
    show_change_link = True


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email", "created_at"]
    search_fields = ["name", "slug", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]
    inlines = [ProfileInline]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "email", "created_at"]
    list_filter = ["team"]
    list_select_related = ["team"]
    search_fields = ["name", "email", "team__name"]
    autocomplete_fields = ["team"]
