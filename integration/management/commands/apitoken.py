"""Create, list and revoke API tokens of the integration API.

    manage.py apitoken create --team acme --type full_access
    manage.py apitoken create --team acme --type custom --scopes orders.lists,orders.read \\
        --expires-at 2027-01-01T00:00:00Z --rate-limit 100/minute
    manage.py apitoken list --team acme
    manage.py apitoken revoke oly_AbCdEfGh
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from integration.models import ApiToken, TokenType
from integration.services import api_token_create, api_token_revoke
from kernel.exceptions import DomainError
from shop.models import Team


class Command(BaseCommand):
    help = "Create, list and revoke integration API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token; prints the raw token alone.")
        create.add_argument("--team", required=True, help="The team's slug.")
        create.add_argument("--type", required=True, choices=TokenType.values, dest="token_type")
        create.add_argument("--scopes", default="", help="Comma-separated scopes.")
        create.add_argument("--expires-at", help="ISO 8601 date-time (past dates allowed).")
        create.add_argument("--rate-limit", default="", help='"<n>/<second|minute|hour>"')
        create.add_argument("--name", default="", help="What the token is for.")
        listing = actions.add_parser("list", help="Show a team's tokens (never the secrets).")
        listing.add_argument("--team", required=True, help="The team's slug.")
        revoke = actions.add_parser("revoke", help="Revoke a token by id or prefix.")
        revoke.add_argument("token", help="The token's id or its prefix (oly_XXXXXXXX).")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"handle_{action}")(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _team(self, slug: str) -> Team:
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            raise CommandError(f"No team with slug {slug!r}.")
        return team

    def handle_create(self, **options: Any) -> None:
        expires_at = None
        if options["expires_at"]:
            expires_at = parse_datetime(options["expires_at"])
            if expires_at is None or expires_at.tzinfo is None:
                raise CommandError("--expires-at must be an ISO date-time with a zone (…Z).")
        created = api_token_create(
            team=self._team(options["team"]),
            token_type=options["token_type"],
            scopes=[s.strip() for s in options["scopes"].split(",") if s.strip()],
            expires_at=expires_at,
            rate_limit=options["rate_limit"],
            name=options["name"],
        )
        # Alone on stdout, so scripts can capture it: TOKEN=$(manage.py apitoken create ...)
        self.stdout.write(created.raw)
        self.stderr.write("Shown once: store it now, it can't be displayed again.")

    def handle_list(self, **options: Any) -> None:
        tokens = ApiToken.objects.filter(team=self._team(options["team"])).order_by("id")
        self.stdout.write(
            f"{'id':>5}  {'prefix':<13} {'type':<12} {'scopes':<60} {'expires':<20} "
            f"{'last used':<20} status"
        )
        for token in tokens:
            status = "revoked" if token.revoked_at else "active"
            self.stdout.write(
                f"{token.pk:>5}  {token.prefix:<13} {token.token_type:<12} "
                f"{','.join(token.granted_scopes):<60} {_when(token.expires_at):<20} "
                f"{_when(token.last_used_at):<20} {status}"
            )

    def handle_revoke(self, **options: Any) -> None:
        ident = options["token"]
        match = Q(prefix=ident) | (Q(pk=int(ident)) if ident.isdigit() else Q())
        token = ApiToken.objects.filter(match).first()
        if token is None:
            raise CommandError(f"No token with id or prefix {ident!r}.")
        api_token_revoke(token=token)
        self.stdout.write(f"Revoked {token.prefix}.")


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"
