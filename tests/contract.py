"""The storefront contract's order-status facts, copied by hand from
`shared/contract/storefront.md` ("Order status"): the tests check the machine and the
API against this table, not against whatever the machine happens to say."""

LABELS = {
    "NEW": "New",
    "CREATED": "Created",
    "HOLD": "Hold",
    "FAILED": "Failed",
    "CANCELLED": "Cancelled",
    "PROCESSING": "Processing",
    "SHIPPED": "Shipped",
    "COMPLETED": "Completed",
    "REFUNDED": "Refunded",
}
STATUSES = list(LABELS)
# Allowed moves (staying in the same status is always allowed too).
ALLOWED = {
    "NEW": {"CREATED"},
    "CREATED": {"HOLD", "FAILED", "CANCELLED", "PROCESSING"},
    "HOLD": {"FAILED", "CANCELLED", "PROCESSING"},
    "FAILED": {"CANCELLED", "PROCESSING"},
    "CANCELLED": set(),
    "PROCESSING": {"SHIPPED", "COMPLETED", "REFUNDED"},
    "SHIPPED": {"COMPLETED", "REFUNDED"},
    "COMPLETED": {"REFUNDED"},
    "REFUNDED": set(),
}
# An allowed path from CREATED (where checkout leaves a pay-on-delivery order).
PATH_FROM_CREATED = {
    "CREATED": [],
    "HOLD": ["HOLD"],
    "FAILED": ["FAILED"],
    "CANCELLED": ["CANCELLED"],
    "PROCESSING": ["PROCESSING"],
    "SHIPPED": ["PROCESSING", "SHIPPED"],
    "COMPLETED": ["PROCESSING", "COMPLETED"],
    "REFUNDED": ["PROCESSING", "REFUNDED"],
}
