"""API tokens, idempotency records and rate-limit counters of the integration API."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q


class Scope(models.TextChoices):
    ORDERS_LISTS = "orders.lists", "List orders and order items"
    ORDERS_READ = "orders.read", "Read one order"
    ORDERS_CREATE = "orders.create", "Create checkout orders"
    PROFILES_LISTS = "profiles.lists", "List the team's profiles"
    PRODUCTS_READ = "products.read", "Read products and listings"
    WEBHOOKS_MANAGE = "webhooks.manage", "Manage the team's webhook endpoints"
    EVENTS_READ = "events.read", "Read the team's event feed"


# Scopes that only read: all a read-only token may ever use.
READ_SCOPES = frozenset(
    {
        Scope.ORDERS_LISTS,
        Scope.ORDERS_READ,
        Scope.PROFILES_LISTS,
        Scope.PRODUCTS_READ,
        Scope.EVENTS_READ,
    }
)


class TokenType(models.TextChoices):
    FULL_ACCESS = "full_access", "Full access"
    CUSTOM = "custom", "Custom scopes"
    READ_ONLY = "read_only", "Read only"


# Every raw token starts with this, so leaked tokens are easy to recognise and scan for.
TOKEN_PREFIX = "oly_"
# How many characters of the raw token are kept in clear to tell tokens apart in lists.
DISPLAY_PREFIX_LENGTH = 12


def token_digest(raw_token: str) -> str:
    """Tokens are 256-bit random strings, so a plain SHA-256 is a safe way to store them."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    team = models.ForeignKey("shop.Team", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What it is used for.")
    prefix = models.CharField(max_length=DISPLAY_PREFIX_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    token_type = models.CharField(max_length=16, choices=TokenType.choices)
    scopes = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    rate_limit = models.CharField(
        max_length=32, blank=True, help_text='"<n>/<second|minute|hour>"; blank for the default.'
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.team})"

    @property
    def granted_scopes(self) -> list[str]:
        """What the token may do: everything for full access, reads only for read-only."""
        if self.token_type == TokenType.FULL_ACCESS:
            return list(Scope.values)
        scopes = [scope for scope in Scope.values if scope in self.scopes]
        if self.token_type == TokenType.READ_ONLY:
            return [scope for scope in scopes if scope in READ_SCOPES]
        return scopes


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key, replayed to its retries."""

    scope = models.CharField(max_length=80, help_text="Whose key: a token, a user or a session.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    is_complete = models.BooleanField(default=False)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # Body and Location are sealed (`kernel.sealing`): they may carry an order's guest link.
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    response_location = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique"),
            models.CheckConstraint(
                condition=Q(is_complete=False) | Q(response_status__isnull=False),
                name="idempotency_complete_has_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class RateLimitCounter(models.Model):
    """Requests counted in one fixed window for one client; shared by every server process."""

    bucket = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "window_start"], name="rate_limit_bucket_window_unique"
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_limit_window")]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.window_start:%H:%M:%S}: {self.count}"
