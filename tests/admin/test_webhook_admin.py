"""Webhook endpoints in the admin: created with the secret shown once, rotated, disabled
and enabled by staff, who see why an endpoint is disabled."""

import re

import pytest
from django.test import Client
from standardwebhooks import Webhook

from tests.factories import TeamFactory
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_signing_secrets


@pytest.fixture
def admin(staff) -> Client:
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


def shown_secret(response) -> str:
    return re.search(r'value="(whsec_[^"]+)"', response.content.decode()).group(1)


def test_staff_create_an_endpoint_and_see_its_secret_once(admin, settings):
    settings.ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    team = TeamFactory()

    response = admin.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"team": team.pk, "url": "http://127.0.0.1:9/hook", "event_types": ["order.paid"]},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = shown_secret(response)
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.team, endpoint.event_types) == (team, ["order.paid"])
    assert webhook_endpoint_signing_secrets(endpoint) == [secret]
    Webhook(secret)  # a secret the Standard Webhooks library accepts
    page = admin.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert secret not in page.content.decode()

    rotated = admin.post(
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/", {"_rotate_secret": "1"}
    )
    new_secret = shown_secret(rotated)
    assert new_secret != secret
    assert webhook_endpoint_signing_secrets(endpoint=WebhookEndpoint.objects.get()) == [
        new_secret,
        secret,
    ]


def test_the_admin_refuses_a_private_host(admin):
    team = TeamFactory()
    response = admin.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"team": team.pk, "url": "http://169.254.169.254/latest/"},
    )
    assert "public hosts" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_staff_disable_and_enable_endpoints(admin, settings, staff):
    settings.ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    admin.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"team": TeamFactory().pk, "url": "http://127.0.0.1:9/hook"},
    )
    endpoint = WebhookEndpoint.objects.get()
    changelist = "/admin/webhooks/webhookendpoint/"

    admin.post(changelist, {"action": "disable_endpoints", "_selected_action": [endpoint.pk]})

    endpoint.refresh_from_db()
    assert endpoint.status == "disabled"
    listed = admin.get(changelist).content.decode()
    assert f"Disabled by {staff}." in listed
    admin.post(changelist, {"action": "enable_endpoints", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.disabled_reason) == ("active", "")
