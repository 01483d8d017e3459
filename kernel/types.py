"""Type aliases for the people behind a request, shared by every app."""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

# Whoever sent a request: a logged-in user or an anonymous visitor.
Caller: TypeAlias = User | AnonymousUser
# Who performs an action, for the history; None when the system acts on its own.
Actor: TypeAlias = User | AnonymousUser | None
