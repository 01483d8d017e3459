"""The shop's own domain errors (catalogue and basket), under the kernel's categories."""

from kernel.exceptions import InvalidRequest, ObjectNotFound


class ProductNotFound(ObjectNotFound):
    code = "product_not_found"


class BasketItemNotFound(ObjectNotFound):
    code = "basket_item_not_found"


class BasketLimitExceeded(InvalidRequest):
    code = "basket_limit_exceeded"


class EmptyBasket(InvalidRequest):
    code = "empty_basket"
