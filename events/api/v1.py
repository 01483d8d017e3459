"""`GET /v1/events`: the team's events for polling clients, oldest first."""

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from events.selectors import event_body, team_events_after
from integration.api.auth import request_token
from integration.api.v1 import IntegrationView
from integration.models import Scope

MAX_LIMIT = 100


class EventFeedQuerySerializer(serializers.Serializer):
    after = serializers.CharField(required=False, max_length=48)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=25)


class EventFeedView(IntegrationView):
    required_scope = Scope.EVENTS_READ

    def get(self, request: Request) -> Response:
        query = EventFeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data.get("after")
        events = team_events_after(
            team=request_token(request).team, after=after, limit=query.validated_data["limit"]
        )
        records = [event_body(event) for event in events]
        return Response({"records": records, "next_after": records[-1]["id"] if records else after})
