from shop.exceptions import InvalidRequest, PaymentDeclined


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
