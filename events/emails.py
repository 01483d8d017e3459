"""Buyer e-mails (and the staff's opt-in "new paid order" mail), sent by the worker.

The consumer `order_emails` turns an event into at most one `EmailDelivery` row per kind
and enqueues its `email_send` task, both in one transaction; the task sends through
Django's e-mail backend (`EMAIL_BACKEND`...). A failed send is recorded and tried again
later (`ORDERLY_EMAIL_RETRY_DELAYS`); it never touches the order. The texts are
templates, `orderly/emails/<kind>/subject.txt`, `body.txt` and `body.html`, which a
shop overrides with its own files of the same names (README "E-mails").
"""

import logging
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from events.documents import order_pay_link
from events.models import EmailDelivery, EmailKind, EmailStatus, Event, EventType
from events.tasks import retry_delay
from kernel.conf import orderly_setting
from kernel.money import quantize_money
from orders.models import OrderStatus
from orders.selectors import order_detail_queryset
from payments.builtin import PayInAdvance
from payments.methods import payment_method_get

logger = logging.getLogger(__name__)

# How much of a failure's message is kept on the delivery row.
ERROR_EXCERPT = 1000


def _mails_for(event: Event) -> list[tuple[str, list[str]]]:
    """(kind, recipients) of each e-mail an event asks for."""
    buyer = [event.order.email]
    if event.type == EventType.ORDER_CREATED:
        return [(EmailKind.ORDER_CONFIRMATION, buyer)]
    if event.type == EventType.ORDER_PAID:
        staff = list(orderly_setting("PAID_ORDER_NOTIFY"))
        mails: list[tuple[str, list[str]]] = [(EmailKind.PAYMENT_RECEIVED, buyer)]
        return [*mails, (EmailKind.STAFF_PAID_ORDER, staff)] if staff else mails
    if event.type == EventType.ORDER_STATUS_CHANGED and event.data["to"] == OrderStatus.SHIPPED:
        return [(EmailKind.SHIPPED, buyer)]
    if event.type == EventType.REFUND_RECORDED:
        return [(EmailKind.REFUNDED, buyer)]
    return []


def order_emails(event: Event) -> None:
    """The consumer: record each e-mail the event asks for and enqueue its sending, once.
    Run again for the same event (a worker died), it finds the rows and does nothing."""
    for kind, recipients in _mails_for(event):
        delivery, created = EmailDelivery.objects.get_or_create(
            event=event, kind=kind, defaults={"recipients": recipients}
        )
        if created:
            email_send.enqueue(delivery.pk)


def _amount(value: Any) -> Decimal:
    """An amount from an event's data (a number or a decimal string) as exact money."""
    return quantize_money(Decimal(str(value)))


def email_context(delivery: EmailDelivery) -> dict[str, Any]:
    order = order_detail_queryset(include_private_notes=False).get(pk=delivery.event.order_id)
    method = payment_method_get(order.payment_method)
    data = delivery.event.data
    return {
        "order": order,
        "items": order.prefetched_items,
        "currency": orderly_setting("CURRENCY"),
        "guest_link": order_pay_link(order),
        "payment_method": method.label if method is not None else order.payment_method,
        "bank_instructions": (
            orderly_setting("BANK_TRANSFER_INSTRUCTIONS")
            if order.payment_method == PayInAdvance.identifier
            else ""
        ),
        "refund_amount": _amount(data["refund"]["amount"]) if "refund" in data else None,
        "event": delivery.event,
    }


def email_message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    context = email_context(delivery)
    folder = f"orderly/emails/{delivery.kind}"
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{folder}/body.txt", context),
        to=delivery.recipients,
    )
    message.attach_alternative(render_to_string(f"{folder}/body.html", context), "text/html")
    return message


@task()
def email_send(delivery_id: int) -> str:
    """Send one recorded e-mail, unless it was sent already. The row stays locked while
    sending, so two workers never send it at the same time; a failure is recorded and a
    later try enqueued, until `ORDERLY_EMAIL_RETRY_DELAYS` runs out."""
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != EmailStatus.PENDING:
            return "nothing to send"
        delivery.attempts += 1
        try:
            email_message(delivery).send()
        except Exception as exc:  # SMTP refusals, timeouts, unreachable hosts...
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_EXCERPT]
            delays = orderly_setting("EMAIL_RETRY_DELAYS")
            if delivery.attempts > len(delays):
                delivery.status = EmailStatus.FAILED
                logger.exception("E-mail %s given up after %d tries", delivery_id, len(delays))
            else:
                run_after = timezone.now() + retry_delay(delays, delivery.attempts)
                email_send.using(run_after=run_after).enqueue(delivery_id)
                logger.warning("E-mail %s failed (%s); tries again later", delivery_id, exc)
            delivery.save(update_fields=["attempts", "last_error", "status"])
            return "failed"
        delivery.status = EmailStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "status", "sent_at"])
        return "sent"
