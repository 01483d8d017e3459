"""JSON request bodies that the database can store and the code can walk.

Python's `json` accepts things PostgreSQL and our own code can't hold: nesting deep
enough to exhaust the interpreter's recursion limit (a 500 while parsing, or later while
serializing), a NUL character (`jsonb` and `text` refuse `\\u0000`) and a lone UTF-16
surrogate (`"\\ud800"`, which no UTF-8 column can encode). Every JSON body we read goes
through `json_loads_checked`, so such input is a 400 at the edge and never reaches a
query. Both APIs' parsers and the payment notification log use it.
"""

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Deeper than any body we accept needs (`extra` is free-form, but a few levels suffice),
# far below the interpreter's recursion limit.
MAX_JSON_DEPTH = 32
_TOO_DEEP = f"Nested deeper than {MAX_JSON_DEPTH} levels."

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class JsonInputError(ValueError):
    """The text is not JSON we accept; the message says why."""


def _reject_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not valid JSON.")


def json_text_problem(text: str) -> str | None:
    """Why a string can't be stored (a NUL or a lone surrogate), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "Strings may not contain NUL characters."
    return "Strings may not contain unpaired surrogate characters."


def text_storable(text: str) -> str:
    """`text` with every character the database can't store replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def _json_loads(data: str | bytes) -> Any:
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except RecursionError:
        raise JsonInputError(_TOO_DEEP) from None
    except JsonInputError:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise JsonInputError(str(exc)) from None


def _walk(value: Any, depth: int, text: Callable[[str], str]) -> Any:
    """A copy of a parsed JSON value with `text` applied to every key and string; raises
    `JsonInputError` past `MAX_JSON_DEPTH` (so the recursion here stays shallow)."""
    if isinstance(value, dict | list) and depth > MAX_JSON_DEPTH:
        raise JsonInputError(_TOO_DEEP)
    if isinstance(value, dict):
        return {text(key): _walk(item, depth + 1, text) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, depth + 1, text) for item in value]
    return text(value) if isinstance(value, str) else value


def _storable_or_refused(text: str) -> str:
    problem = json_text_problem(text)
    if problem:
        raise JsonInputError(problem)
    return text


def json_loads_checked(data: str | bytes) -> Any:
    """`json.loads` for untrusted input; raises `JsonInputError` (a `ValueError`) for
    anything that isn't JSON, is nested too deeply, spells NaN or Infinity, or holds a
    string the database can't store."""
    return _walk(_json_loads(data), 1, _storable_or_refused)


def json_loads_storable(data: str | bytes) -> Any:
    """Like `json_loads_checked`, but a string the database can't store is kept with its
    unstorable characters replaced (for logging what was refused, not for acting on it)."""
    return _walk(_json_loads(data), 1, text_storable)


class CheckedJSONParser(JSONParser):
    """DRF's JSON parser (same media type, same `JSON parse error - …` 400), reading
    through `json_loads_checked`."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json_loads_checked(stream.read().decode(encoding))
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
