"""Django's database sessions, loaded with one plain SQL statement.

Every logged-in request loads its session. Django's own store does it with
`Session.objects.get(...)`, whose query building and model instance cost ~250 us of
Python a request (measured in-process, issue 15) for one row and one column. This store
reads the same row with the same conditions (the key, not expired) and decodes it the
same way; writing, expiry and clearing stay Django's.
"""

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        model = self.model
        connection = connections[router.db_for_read(model)]
        # The time as the ORM would send it (SQLite stores naive UTC text).
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {model._meta.db_table}"  # noqa: S608  (our table)
                " WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's store: an unknown or expired key is dropped, a new one is made
            # if the session is written.
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data
