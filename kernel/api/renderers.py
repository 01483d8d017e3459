"""JSON out, as DRF renders it, plus documents that are already JSON text.

Order reads hand over stored documents (`orders.documents`) as `RenderedJSON`: their bytes
go out as they are, with no parsing and no re-encoding. Everything else renders as DRF's
`JSONRenderer` does, and so does a `RenderedJSON` when the client asked for an indented
body (`Accept: application/json; indent=4`) or the browsable API wraps it.
"""

import json
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework import renderers


class RenderedJSON(str):
    """JSON text rendered earlier with `json_text`, exactly as `JSONRenderer` would."""

    def value(self) -> Any:
        return json.loads(self)


class JSONRenderer(renderers.JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, RenderedJSON):
            if self.get_indent(accepted_media_type or "", renderer_context or {}) is None:
                return data.encode()
            data = data.value()
        return super().render(data, accepted_media_type, renderer_context)


_RENDERER = renderers.JSONRenderer()


def json_text(value: Any) -> str:
    """`value` as the text DRF's `JSONRenderer` writes for it (compact, UTF-8, U+2028 and
    U+2029 escaped). Stored documents are made of these, so a response spliced from them
    is byte for byte the response a serializer would have given."""
    if value is None:
        return "null"  # the renderer's empty body for a None response, not a JSON value
    return _RENDERER.render(value).decode()


# Where a stored document leaves a value for each request to fill in (a link on the
# request's host, a token never stored in clear). JSON text never holds a raw control
# character (the encoder escapes them all), so a slot can't be mistaken for data.
SLOT = "\x1f"


def slot_marks(*names: str) -> dict[str, str]:
    """A mark per slot, to render in its place: a fresh random nonce each time, so no data
    can look like one."""
    nonce = secrets.token_hex(16)
    return {name: f"\x1e{name}:{nonce}" for name in names}


def cut_slots(text: str, marks: Iterable[str]) -> str:
    """JSON `text` rendered with `marks` in it, each mark's JSON replaced by a slot."""
    for mark in marks:
        text = text.replace(json_text(mark), SLOT, 1)
    return text


def fill_slots(text: str, *values: str) -> str:
    """`text` with its slots filled, in order, by `values` (each JSON text)."""
    pieces = text.split(SLOT)
    if len(pieces) != len(values) + 1:
        raise ValueError(f"{len(pieces) - 1} slots for {len(values)} values")
    return "".join(piece + value for piece, value in zip(pieces, (*values, ""), strict=True))
