"""Buyer e-mails, sent by the worker as a real process after the change committed."""

import email
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events.models import EmailDelivery, Event
from kernel.conf import DEFAULTS
from orders.models import Order
from orders.selectors import order_guest_token
from payments.exceptions import PaymentRefused
from payments.methods import PaymentMethod
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory
from tests.ops.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def sent_mails(mail_dir: Path) -> list[Message]:
    """Every message the file backend wrote (one file per connection, messages separated
    by a line of dashes)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no html part")


def staff_call(client: Client, method: str, path: str, body: Any = None) -> Any:
    response = getattr(client, method)(path, body or {}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def held_order(place_order: Any, visitor_client: Client) -> dict[str, Any]:
    """A guest's pay-in-advance order: 2 x 12.50, on HOLD."""
    product = ProductFactory(price="12.50", name="Blue mug")
    return place_order(visitor_client, items=[(product, 2)], email="guest@example.com")


def test_confirmation_payment_shipped_and_refund_mails_each_go_once(
    held_order: dict[str, Any], staff_client: Client, run_worker: Any, mail_dir: Path
) -> None:
    ref = held_order["ref"]
    staff_call(staff_client, "post", f"/api/orders/{ref}/pay/", {"payment_method": "manual"})
    staff_call(staff_client, "put", f"/api/orders/{ref}/status/", {"status": "SHIPPED"})
    staff_call(staff_client, "post", f"/api/orders/{ref}/refund/")
    assert sent_mails(mail_dir) == []  # nothing leaves the requests themselves

    run_worker(ORDERLY_PAID_ORDER_NOTIFY="boss@example.com,packer@example.com")

    mails = sent_mails(mail_dir)
    subjects = sorted(mail["Subject"] for mail in mails)
    assert subjects == sorted(
        [
            f"Your order {ref}",
            f"Payment received for order {ref}",
            f"Your order {ref} has shipped",
            f"Refund for order {ref}",
            f"New paid order {ref}: 25.00 USD",
        ]
    )
    by_subject = {mail["Subject"]: mail for mail in mails}
    confirmation = by_subject[f"Your order {ref}"]
    assert confirmation["To"] == "guest@example.com"
    text = text_part(confirmation)
    token = order_guest_token(Order.objects.get(ref=ref))
    assert "2 x Blue mug @ 12.50 = 25.00 USD" in text
    assert "Total: 25.00 USD" in text
    assert "How to pay: Pay in advance." in text
    assert f"https://shop.example/pay/{token}/" in text
    assert f'href="https://shop.example/pay/{token}/"' in html_part(confirmation)
    assert "Blue mug" in html_part(confirmation)
    assert "25.00 USD" in text_part(by_subject[f"Refund for order {ref}"])
    staff_mail = by_subject[f"New paid order {ref}: 25.00 USD"]
    assert staff_mail["To"] == "boss@example.com, packer@example.com"

    # A worker that died mid-way runs its tasks again: every task is due once more.
    DBTaskResult.objects.update(status="READY", run_after=timezone.now())
    run_worker(ORDERLY_PAID_ORDER_NOTIFY="boss@example.com,packer@example.com")

    assert len(sent_mails(mail_dir)) == 5
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_task_left_running_by_a_dead_worker_is_run_again(
    held_order: dict[str, Any], run_worker: Any, mail_dir: Path
) -> None:
    # As a SIGKILLed worker leaves it: claimed, running, never finished.
    lease = timedelta(seconds=DEFAULTS["TASK_LEASE"])
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - lease * 2)

    output = run_worker()

    assert "abandoned task(s) back in the queue" in output
    assert [mail["Subject"] for mail in sent_mails(mail_dir)] == [f"Your order {held_order['ref']}"]


def test_two_workers_at_once_run_each_task_once(
    place_order: Any, visitor_client: Client, run_worker: Any, mail_dir: Path
) -> None:
    refs = [place_order(visitor_client)["ref"] for _ in range(12)]

    run_worker(processes=2)

    assert sorted(mail["Subject"] for mail in sent_mails(mail_dir)) == sorted(
        f"Your order {ref}" for ref in refs
    )
    tasks = DBTaskResult.objects.all()
    assert tasks.count() == 2 * 12 + 12  # a dispatch per event (created, HOLD), a send per mail
    assert {task.status for task in tasks} == {"SUCCESSFUL"}
    assert {len(task.worker_ids) for task in tasks} == {1}  # claimed once, by one worker


class DecliningAtCheckout(PaymentMethod):
    identifier = "declining"
    label = "Declining"

    def start_order_payment(self, order: Any, *, context: Any) -> str:
        raise PaymentRefused("The provider is down.")


def test_a_rolled_back_checkout_writes_no_event_and_sends_nothing(
    settings: Any, visitor_client: Client, run_worker: Any, mail_dir: Path
) -> None:
    settings.ORDERLY_PAYMENT_METHODS = [
        *DEFAULTS["PAYMENT_METHODS"],
        f"{__name__}.DecliningAtCheckout",
    ]
    product = ProductFactory(price="10.00")
    visitor_client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": product.pk},
        content_type="application/json",
    )

    response = visitor_client.post(
        "/api/checkout/",
        {**CHECKOUT_BODY, "payment_method": "declining"},
        content_type="application/json",
    )

    assert response.status_code == 402, response.content
    assert (Order.objects.count(), Event.objects.count(), DBTaskResult.objects.count()) == (0, 0, 0)
    run_worker()
    assert sent_mails(mail_dir) == []


class RefusingThenAccepting:
    """An SMTP server's handler that answers "try again later" to the first messages."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.accepted: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals > 0:
            self.refusals -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.accepted.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[RefusingThenAccepting, int]]:
    port = free_port()
    handler = RefusingThenAccepting(refusals=1)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_an_smtp_failure_leaves_the_order_alone_and_a_later_try_sends_the_mail(
    held_order: dict[str, Any], run_worker: Any, smtp_server: Any
) -> None:
    handler, port = smtp_server
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    order_before = Order.objects.values().get(ref=held_order["ref"])

    run_worker(**smtp)

    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts, handler.accepted) == ("pending", 1, [])
    assert "Mailbox busy" in delivery.last_error
    assert Order.objects.values().get(ref=held_order["ref"]) == order_before
    [retry] = DBTaskResult.objects.filter(status="READY")
    # The first retry is due 30 s after the failure (plus up to 20 % jitter).
    wait = retry.run_after - retry.enqueued_at
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=37)

    run_worker(**smtp)  # not due yet: nothing happens
    assert handler.accepted == []

    # The clock moves past the retry's time.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker(**smtp)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    [message] = handler.accepted
    assert f"Subject: Your order {held_order['ref']}".encode() in message
    assert Order.objects.values().get(ref=held_order["ref"]) == order_before
