"""API tokens in the admin: create one (its secret shown once, on the next page only),
see scopes, expiry and last use, revoke. Secrets are never stored, logged or put in a
message (messages travel in cookies)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from integration.models import ApiToken, Scope
from integration.services import api_token_create, api_token_revoke
from kernel.exceptions import DomainError


class ApiTokenCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For custom and read-only tokens; full access always has every scope.",
    )

    class Meta:
        model = ApiToken
        fields = ["team", "name", "token_type", "scopes", "expires_at", "rate_limit"]


@admin.action(description="Revoke selected tokens")
def revoke_tokens(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
    for token in queryset:
        api_token_revoke(token=token)
    modeladmin.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "prefix",
        "team",
        "name",
        "token_type",
        "scope_list",
        "expires_at",
        "last_used_at",
        "is_active",
    ]
    list_filter = ["token_type", "team"]
    list_select_related = ["team"]
    search_fields = ["=prefix", "name", "team__name"]
    actions = [revoke_tokens]
    readonly_fields = [
        "prefix",
        "team",
        "name",
        "token_type",
        "scope_list",
        "expires_at",
        "rate_limit",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenCreateForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ApiTokenCreateForm.Meta.fields
        return self.readonly_fields

    @admin.display(description="scopes")
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.granted_scopes)

    @admin.display(description="active", boolean=True)
    def is_active(self, token: ApiToken) -> bool:
        return token.revoked_at is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead, so the record of who had access stays

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        if request.method != "POST":
            return super().add_view(request, form_url, extra_context)
        form = ApiTokenCreateForm(request.POST)
        if form.is_valid():
            try:
                created = api_token_create(
                    team=form.cleaned_data["team"],
                    token_type=form.cleaned_data["token_type"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.cleaned_data["expires_at"],
                    rate_limit=form.cleaned_data["rate_limit"],
                    name=form.cleaned_data["name"],
                    actor=request.user,  # type: ignore[arg-type]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self._created_page(request, created.token, created.raw)
        return super().add_view(request, form_url, extra_context)

    def _created_page(self, request: HttpRequest, token: ApiToken, raw: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "API token created",
            "opts": self.model._meta,
            "token": token,
            "raw_token": raw,
            "change_url": reverse("admin:integration_apitoken_change", args=[token.pk]),
        }
        response = TemplateResponse(request, "admin/integration/token_created.html", context)
        response["Cache-Control"] = "no-store"  # the secret must not sit in any cache
        return response

    def response_change(self, request: HttpRequest, obj: ApiToken) -> HttpResponse:
        if "_revoke" in request.POST:
            api_token_revoke(token=obj)
            self.message_user(request, f"Revoked {obj.prefix}.", messages.SUCCESS)
        return super().response_change(request, obj)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        extra_context = {**(extra_context or {}), "show_revoke": True}
        return super().change_view(request, object_id, form_url, extra_context)
