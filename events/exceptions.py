from kernel.exceptions import InvalidRequest


class UnknownEventCursor(InvalidRequest):
    """`after` names no event of the caller's team (a typo, or another team's id)."""

    code = "unknown_event"

    def __init__(self) -> None:
        super().__init__("No event of this team has that id.", field="after")
