"""Staff read provider notifications and provider calls in the admin; nobody edits them."""

import pytest
from django.test import Client

from payments.models import PaymentNotification, PaymentProviderCall
from tests.api.payments.conftest import gateway_event, post_webhook, sign
from tests.factories import StaffFactory

pytestmark = pytest.mark.usefixtures("test_card")


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_a_refused_notification_is_listed_for_staff_with_its_reason(admin_client, visitor_client):
    body = gateway_event({"ref": "1999-00001"}, amount="1.00")
    post_webhook(visitor_client, "test-card", body, sign(body, "forged"))
    notification = PaymentNotification.objects.get()

    listing = admin_client.get("/admin/payments/paymentnotification/?verdict=refused")
    detail = admin_client.get(f"/admin/payments/paymentnotification/{notification.pk}/change/")

    assert listing.status_code == 200
    assert "Bad signature." in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_notifications_and_provider_calls_cannot_be_added_changed_or_deleted(admin_client):
    for model in ["paymentnotification", "paymentprovidercall"]:
        assert admin_client.get(f"/admin/payments/{model}/").status_code == 200
        assert admin_client.get(f"/admin/payments/{model}/add/").status_code == 403
    PaymentProviderCall.objects.create(
        provider="stripe", action="refund", order_ref="x", amount="1.00", is_success=True
    )
    call = PaymentProviderCall.objects.get()
    assert (
        admin_client.post(f"/admin/payments/paymentprovidercall/{call.pk}/delete/").status_code
        == 403
    )
