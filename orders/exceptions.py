from kernel.exceptions import InvalidRequest, ObjectNotFound


class OrderNotFound(ObjectNotFound):
    code = "order_not_found"

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class StatusChangeNotAllowed(InvalidRequest):
    code = "status_change_not_allowed"


class RefundNotAllowed(InvalidRequest):
    code = "refund_not_allowed"


class InvalidPayment(InvalidRequest):
    code = "invalid_payment"
