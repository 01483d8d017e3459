"""OpenAPI description of `GET /v1/events` (part of the integration document)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from events.api.v1 import MAX_LIMIT, EventFeedView
from events.models import EventType
from integration.api.schema import ERRORS, OrderSerializer, _error


class EventDataSerializer(serializers.Serializer):
    order = OrderSerializer(help_text="The order as GET /v1/orders/{id} showed it then.")
    from_ = serializers.CharField(required=False, help_text="order.status_changed: old status.")
    to = serializers.CharField(required=False, help_text="order.status_changed: new status.")
    payment = serializers.DictField(required=False, help_text="payment.recorded.")
    refund = serializers.DictField(required=False, help_text="refund.recorded, refund.failed.")
    note = serializers.DictField(required=False, help_text="note.added: {message}.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a Python keyword, a wire name
        return fields


class EventSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Sorts in commit order: pass it as `after`.")
    type = serializers.ChoiceField(choices=EventType.values)
    created_at = serializers.DateTimeField()
    ref = serializers.CharField(help_text="The order's reference number.")
    team_id = serializers.CharField()
    data = EventDataSerializer()  # type: ignore[assignment]  # a wire name


class EventPageSerializer(serializers.Serializer):
    records = EventSerializer(many=True, help_text="Oldest first.")
    next_after = serializers.CharField(
        allow_null=True,
        help_text="Pass as `after` for the next page: the last record's id, or the `after` "
        "given when there is nothing new.",
    )


_ORDER_EXAMPLE = {
    "id": "17",
    "reference_number": "2026-00017",
    "status": "SHIPPED",
    "profile_id": "3",
    "team_id": "1",
    "email": "buyer@example.com",
    "currency": "USD",
    "subtotal": 108.0,
    "discount": 1.5,
    "processing_fee": 0.0,
    "credits_applied": 0.0,
    "total": 106.5,
    "amount_paid": 106.5,
    "date_paid": "2026-05-04T10:12:40.511000Z",
    "is_guest_order": False,
    "checkout_link": None,
    "created_at": "2026-05-04T10:02:11.090000Z",
    "updated_at": "2026-05-04T10:15:02.120000Z",
    "line_items": [],
}

extend_schema_view(
    get=extend_schema(
        operation_id="events_list",
        description="The team's events, oldest first, for clients that poll instead of "
        "receiving webhooks. Walk it with `after` = the previous answer's `next_after`: "
        "ids sort in commit order, so no event is skipped or repeated, even while new ones "
        "are written.",
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.STR,
                description="An event id of this team; records start after it. Omit to start "
                "from the first event.",
            ),
            OpenApiParameter(
                "limit", OpenApiTypes.INT, description=f"1 to {MAX_LIMIT}; default 25."
            ),
        ],
        responses={
            200: EventPageSerializer,
            400: _error("Bad `limit`, or `after` names no event of this team."),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "A page",
                value={
                    "records": [
                        {
                            "id": "evt_0000000000000042",
                            "type": "order.status_changed",
                            "created_at": "2026-05-04T10:15:02.120000Z",
                            "ref": "2026-00017",
                            "team_id": "1",
                            "data": {
                                "from": "PROCESSING",
                                "to": "SHIPPED",
                                "order": _ORDER_EXAMPLE,
                            },
                        }
                    ],
                    "next_after": "evt_0000000000000042",
                },
                response_only=True,
            ),
            OpenApiExample(
                "Nothing new",
                value={"records": [], "next_after": "evt_0000000000000042"},
                response_only=True,
            ),
            OpenApiExample(
                "Unknown after",
                value={
                    "name": "ValidationError",
                    "message": "Validation failed.",
                    "issues": [
                        {"path": ["after"], "message": "No event of this team has that id."}
                    ],
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
)(EventFeedView)
