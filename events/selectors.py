"""Reading events: the one JSON body an event is listed and delivered as, and the feed."""

import json
from typing import Any

from django.db.models import QuerySet

from events.documents import PAY_LINK_AT_READ, order_pay_link
from events.exceptions import UnknownEventCursor
from events.models import Event
from kernel.api.fields import datetime_text
from shop.models import Team


def event_body(event: Event) -> dict[str, Any]:
    """The event as `/v1/events` lists it and a webhook delivers it (byte for byte, once
    `json.dumps`ed): its id, type, time, order ref and team, and `data` (the order as its
    API showed it when the event happened, plus what the event adds)."""
    data = event.data
    document = data.get("order")
    if isinstance(document, dict) and document.get("checkout_link") == PAY_LINK_AT_READ:
        data = {**data, "order": {**document, "checkout_link": order_pay_link(event.order)}}
    return {
        "id": event.id,
        "type": event.type,
        "created_at": datetime_text(event.created_at),
        "ref": event.ref,
        "team_id": None if event.team_id is None else str(event.team_id),
        "data": data,
    }


def event_json(event: Event) -> bytes:
    """`event_body` as the bytes a webhook delivery posts (and signs): compact UTF-8 JSON."""
    return json.dumps(event_body(event), separators=(",", ":"), ensure_ascii=False).encode()


def team_events(team: Team) -> QuerySet[Event]:
    """The team's committed events, oldest first."""
    return Event.objects.filter(team=team).select_related("order").order_by("id")


def team_events_after(*, team: Team, after: str | None, limit: int) -> list[Event]:
    """Up to `limit` of the team's events that follow the event `after` (from the first
    when None). Ids sort in commit order within a team, so walking this never skips or
    repeats an event, even while others are written. Raises `UnknownEventCursor` when
    `after` is not one of the team's events."""
    events = team_events(team)
    if after is not None:
        if not events.filter(id=after).exists():
            raise UnknownEventCursor()
        events = events.filter(id__gt=after)
    return list(events[:limit])
