"""Webhook endpoints in the admin, per team: create one (its secret shown once), rotate the
secret, disable and enable (with the reason staff read), and each delivery's attempts."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from events.models import EventType
from kernel.exceptions import DomainError
from webhooks import services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.urlguard import webhook_url_check


class WebhookEndpointCreateForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=[(name, name) for name in EventType.values],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event type.",
    )
    url = forms.CharField(max_length=2000, help_text="Where the events are POSTed (http or https).")

    class Meta:
        model = WebhookEndpoint
        fields = ["team", "url", "event_types"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            webhook_url_check(url)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return url


@admin.action(description="Disable selected endpoints")
def disable_endpoints(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
) -> None:
    for endpoint in queryset:
        services.webhook_endpoint_disable(endpoint=endpoint, reason=f"Disabled by {request.user}.")
    modeladmin.message_user(request, f"Disabled {len(queryset)} endpoint(s).", messages.SUCCESS)


@admin.action(description="Enable selected endpoints")
def enable_endpoints(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
) -> None:
    for endpoint in queryset:
        services.webhook_endpoint_enable(endpoint=endpoint)
    modeladmin.message_user(request, f"Enabled {len(queryset)} endpoint(s).", messages.SUCCESS)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "team", "status", "event_type_list", "disabled_reason", "created_at"]
    list_filter = ["status", "team"]
    list_select_related = ["team"]
    search_fields = ["url", "team__name"]
    actions = [disable_endpoints, enable_endpoints]
    readonly_fields = [
        "deliveries",
        "team",
        "url",
        "event_types",
        "status",
        "disabled_reason",
        "disabled_at",
        "failing_since",
        "previous_secret_expires_at",
        "created_at",
    ]

    @admin.display(description="deliveries")
    def deliveries(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("admin:webhooks_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">Deliveries and their attempts</a>',
            url,
            endpoint.pk,
        )

    @admin.display(description="event types")
    def event_type_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.event_types) or "all"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return WebhookEndpointCreateForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = WebhookEndpointCreateForm
        return super().get_form(request, obj, change, **kwargs)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        if request.method != "POST":
            return super().add_view(request, form_url, extra_context)
        form = WebhookEndpointCreateForm(request.POST)
        if not form.is_valid():  # the admin's own page shows the errors
            return super().add_view(request, form_url, extra_context)
        created = services.webhook_endpoint_create(
            team=form.cleaned_data["team"],
            url=form.cleaned_data["url"],
            event_types=form.cleaned_data["event_types"],
        )
        return self._secret_page(request, created, "The endpoint was created")

    def response_change(self, request: HttpRequest, obj: WebhookEndpoint) -> HttpResponse:
        if "_rotate_secret" in request.POST:
            rotated = services.webhook_endpoint_rotate_secret(endpoint=obj)
            return self._secret_page(
                request, rotated, "A new secret signs from now on (the old one for 24 hours)"
            )
        return super().response_change(request, obj)

    def _secret_page(
        self, request: HttpRequest, created: services.EndpointWithSecret, what: str
    ) -> HttpResponse:
        endpoint = created.endpoint
        context = {
            **self.admin_site.each_context(request),
            "title": "Webhook signing secret",
            "opts": self.model._meta,
            "endpoint": endpoint,
            "secret": created.secret,
            "what": what,
            "change_url": reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        }
        response = TemplateResponse(request, "admin/webhooks/secret_shown.html", context)
        response["Cache-Control"] = "no-store"  # the secret must not sit in any cache
        return response


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = readonly_fields = (
        "started_at",
        "status_code",
        "error",
        "duration_ms",
        "response_excerpt",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description="Send again")
def send_again(modeladmin: Any, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
    for delivery in queryset:
        services.webhook_delivery_send_again(delivery=delivery)
    modeladmin.message_user(
        request, f"Queued {len(queryset)} delivery(ies) to be sent again.", messages.SUCCESS
    )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event_id",
        "event_type",
        "endpoint",
        "status",
        "attempts_made",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "endpoint__team", "endpoint"]
    list_select_related = ["endpoint", "event"]
    search_fields = ["=event__id", "endpoint__url"]
    actions = [send_again]
    inlines = [WebhookAttemptInline]
    fields = readonly_fields = (
        "event",
        "endpoint",
        "status",
        "attempts_made",
        "series_start",
        "next_attempt_at",
        "created_at",
        "finished_at",
    )

    @admin.display(description="type")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.type

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def response_change(self, request: HttpRequest, obj: WebhookDelivery) -> HttpResponse:
        if "_send_again" in request.POST:
            services.webhook_delivery_send_again(delivery=obj)
            self.message_user(request, "Queued to be sent again.", messages.SUCCESS)
        return super().response_change(request, obj)
