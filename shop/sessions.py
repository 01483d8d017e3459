"""The storefront's sessions: Django's database sessions, with fewer round trips.

Same table, same rows, same cookie as `django.contrib.sessions.backends.db` (the
`SESSION_ENGINE` names this module); only two writes it did for nothing are gone:

- Saving what was saved already writes nothing. A view that must write the session in
  its own transaction (the first basket add: the basket, its line and the session naming
  it in one commit, `shop.api.storefront`) saves it there, and the middleware's save at
  the end of the request finds nothing new.
- A new session key is not looked up before it is used: 32 random characters clash about
  never, and if they do, the insert fails on the table's primary key and Django draws
  another (`SessionStore.create`), as it would have after a lookup.
"""

from typing import Any

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    # What the last save wrote (key and data), to know when a save has nothing to write.
    _saved: tuple[str | None, bytes] | None = None

    def _state(self) -> tuple[str | None, bytes]:
        data: dict[str, Any] = getattr(self, "_session_cache", {})
        return self.session_key, self.serializer().dumps(data)

    def save(self, must_create: bool = False) -> None:
        if not must_create and self._saved is not None and self._saved == self._state():
            return
        super().save(must_create=must_create)
        self._saved = self._state()

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
