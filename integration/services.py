"""Writes of the integration API: API tokens, and checkout for a team's profile."""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from integration.exceptions import InvalidToken
from integration.models import (
    DISPLAY_PREFIX_LENGTH,
    TOKEN_PREFIX,
    ApiToken,
    Scope,
    TokenType,
    token_digest,
)
from integration.ratelimit import parse_rate
from integration.selectors import api_token_by_digest
from kernel.exceptions import InvalidRequest, ObjectNotFound
from kernel.money import ZERO, quantize_money
from orders.models import Order, OrderItem
from orders.services import ItemLink, order_place
from shop.models import Product, Profile, Team
from shop.pricing import ExtraRow, PricingContext, PricingLine, price_lines
from shop.products import default_item_ref
from shop.selectors import WantedLine, pricing_lines, pricing_lines_unavailable

# Tokens are checked for use at most this often, so reads don't write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    raw: str  # shown once, never stored


@transaction.atomic
def api_token_create(
    *,
    team: Team,
    token_type: str,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
    rate_limit: str = "",
    name: str = "",
    actor: User | None = None,
) -> CreatedToken:
    """Create a token for a team. The raw token is returned once and stored only hashed."""
    if token_type not in TokenType.values:
        raise InvalidRequest(f'"{token_type}" is not a valid token type.', field="token_type")
    unknown = sorted(set(scopes or []) - set(Scope.values))
    if unknown:
        raise InvalidRequest(f"Unknown scopes: {', '.join(unknown)}.", field="scopes")
    if token_type in {TokenType.CUSTOM, TokenType.READ_ONLY} and not scopes:
        # Such a token could do nothing but ask who it is: surely a mistake.
        raise InvalidRequest(
            f"A {token_type} token needs at least one scope.",
            field="scopes",
        )
    if rate_limit:
        parse_rate(rate_limit)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        team=team,
        name=name,
        prefix=raw[:DISPLAY_PREFIX_LENGTH],
        digest=token_digest(raw),
        token_type=token_type,
        scopes=sorted(set(scopes or [])),
        expires_at=expires_at,
        rate_limit=rate_limit,
        created_by=actor,
    )
    return CreatedToken(token=token, raw=raw)


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str) -> ApiToken:
    """The live token `raw` stands for, or `InvalidToken` (missing, revoked, expired)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        raise InvalidToken("Malformed API token.")
    digest = token_digest(raw)
    token = api_token_by_digest(digest)
    # The lookup is by digest; comparing again in constant time costs nothing.
    if token is None or not hmac.compare_digest(token.digest, digest):
        raise InvalidToken("Invalid API token.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise InvalidToken("This API token has been revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        raise InvalidToken("This API token has expired.")
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class CheckoutLine:
    product_id: int
    quantity: int
    is_add_on: bool = False
    linked_order_line_item_id: int | None = None


def _team_profile(team: Team, profile_id: int) -> Profile:
    profile = Profile.objects.filter(team=team, pk=profile_id).first()
    if profile is None:
        raise ObjectNotFound(f"Profile {profile_id} not found.", field="profile_id")
    return profile


def _pricing_lines(lines: list[CheckoutLine]) -> list[PricingLine]:
    """The request's lines priced from the catalogue, as the storefront basket prices its
    own: products loaded through the registry, each one purchasable now, or a 404."""
    product_type = Product._meta.label  # `/v1/` product ids name catalogue products
    wanted = [
        # Refs only need to be unique within the order; a line per request entry.
        WantedLine(
            ref=f"{default_item_ref(product_type, line.product_id)}-{index}",
            product_type=product_type,
            product_id=line.product_id,
            quantity=line.quantity,
        )
        for index, line in enumerate(lines)
    ]
    found = pricing_lines(wanted)
    purchasable = {line.product_id for line in found} - {
        line.product_id for line in pricing_lines_unavailable(found)
    }
    missing = sorted({line.product_id for line in lines} - purchasable)
    if missing:
        raise ObjectNotFound(f"Product {missing[0]} not found.", field="product_id")
    return found


def _linked_items(team: Team, lines: list[CheckoutLine]) -> None:
    """Every linked line must be an existing line of one of the team's orders."""
    wanted = {
        line.linked_order_line_item_id
        for line in lines
        if line.linked_order_line_item_id is not None
    }
    found = set(
        OrderItem.objects.filter(pk__in=wanted, order__team=team).values_list("pk", flat=True)
    )
    missing = sorted(wanted - found)
    if missing:
        raise ObjectNotFound(f"Order line item {missing[0]} not found.")


@transaction.atomic(durable=True)
def integration_checkout(
    *, team: Team, profile_id: int, lines: list[CheckoutLine], discount: Decimal
) -> Order:
    """Place an order for one of the team's profiles, priced from the catalogue.

    The discount is frozen onto the order as one more price row, so the storefront and
    the integration API read the same total from the same rows.
    """
    profile = _team_profile(team, profile_id)
    catalogue_lines = _pricing_lines(lines)
    _linked_items(team, lines)
    priced = price_lines(catalogue_lines, context=PricingContext(user=None, extra={}))
    discount = quantize_money(discount)
    subtotal = quantize_money(sum((p.unit_price * p.line.quantity for p in priced.lines), ZERO))
    if discount > subtotal:
        raise InvalidRequest("Must not be more than the subtotal.", field="discount")
    if discount > priced.total:
        raise InvalidRequest("Must not be more than the order total.", field="discount")
    if discount > ZERO:
        priced.extra_rows.append(ExtraRow(modifier="discount", label="Discount", amount=-discount))
    return order_place(
        priced=priced,
        email=profile.email or team.contact_email,
        shipping_address="",
        billing_address=profile.billing_address,
        payment_method="",
        extra={},
        user=None,
        actor=None,
        source="integration",
        team=team,
        profile=profile,
        item_links=[
            ItemLink(is_add_on=line.is_add_on, linked_item_id=line.linked_order_line_item_id)
            for line in lines
        ],
    )
