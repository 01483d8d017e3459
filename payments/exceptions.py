from kernel.exceptions import InvalidRequest, ObjectNotFound, PaymentDeclined


class PaymentMethodNotAvailable(InvalidRequest):
    """Unknown method, one not offered to this caller, or one unusable right now."""

    code = "payment_method_not_available"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="payment_method")


class PaymentRefused(PaymentDeclined):
    """The method or its provider refused to start the payment (HTTP 402)."""

    code = "payment_refused"


class RefundDeclined(PaymentDeclined):
    """A refund could not be made through the payment's method."""

    code = "refund_declined"


class NotificationRefused(InvalidRequest):
    """A provider notification we won't act on: forged, stale, malformed or not matching
    the order. It is answered 4xx, logged for staff, and changes nothing else."""

    code = "notification_refused"


class NotificationProviderNotFound(ObjectNotFound):
    """A notification for a payment method that isn't enabled here."""

    code = "notification_provider_not_found"
