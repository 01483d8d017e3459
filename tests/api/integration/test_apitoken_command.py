"""`manage.py apitoken`: create (raw token alone on stdout), list, revoke."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from integration.models import ApiToken, token_digest


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("apitoken", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def whoami(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/v1/auth/token")


def test_create_prints_the_raw_token_alone_and_stores_only_its_hash(team):
    out, err = run("create", "--team", team.slug, "--type", "full_access")

    raw = out.strip()
    assert raw.startswith("oly_") and "\n" not in raw
    token = ApiToken.objects.get()
    assert token.digest == token_digest(raw)
    assert raw not in {token.prefix, token.digest, token.name}
    assert "once" in err
    assert whoami(raw).json()["team_id"] == str(team.pk)


def test_create_with_scopes_expiry_and_rate_limit(team):
    out, _ = run(
        "create",
        "--team",
        team.slug,
        "--type",
        "custom",
        "--scopes",
        "orders.lists,orders.read",
        "--expires-at",
        "2099-01-01T00:00:00Z",
        "--rate-limit",
        "100/minute",
    )

    body = whoami(out.strip()).json()
    assert body["token_type"] == "custom"
    assert body["scopes"] == ["orders.lists", "orders.read"]
    token = ApiToken.objects.get()
    assert (token.expires_at.year, token.rate_limit) == (2099, "100/minute")


def test_an_expiry_in_the_past_makes_an_already_expired_token(team):
    out, _ = run(
        "create", "--team", team.slug, "--type", "full_access", "--expires-at", "2020-01-01T00:00Z"
    )

    response = whoami(out.strip())

    assert response.status_code == 401
    assert response.json()["message"] == "This API token has expired."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "custom"], "needs at least one scope"),
        (["--type", "custom", "--scopes", "orders.delete"], "Unknown scopes: orders.delete"),
        (["--type", "full_access", "--rate-limit", "fast"], "is not a rate"),
        (["--type", "full_access", "--expires-at", "tomorrow"], "ISO date-time"),
    ],
)
def test_create_refuses_bad_options_and_creates_nothing(team, args, message):
    with pytest.raises(CommandError, match=message):
        run("create", "--team", team.slug, *args)
    assert not ApiToken.objects.exists()


def test_create_for_an_unknown_team_fails(db):
    with pytest.raises(CommandError, match="No team"):
        run("create", "--team", "nope", "--type", "full_access")


def test_list_shows_prefixes_never_secrets(team, make_token):
    raw = make_token(team, token_type="read_only", scopes=["orders.read"])

    out, _ = run("list", "--team", team.slug)

    assert raw[:12] in out
    assert raw not in out
    assert "read_only" in out and "orders.read" in out and "active" in out


def test_revoke_by_prefix_then_the_token_gets_401(team, make_token):
    raw = make_token(team)
    assert whoami(raw).status_code == 200

    out, _ = run("revoke", raw[:12])

    assert "Revoked" in out
    response = whoami(raw)
    assert response.status_code == 401
    assert response.json() == {
        "name": "UnauthorizedError",
        "message": "This API token has been revoked.",
    }
    assert "revoked" in run("list", "--team", team.slug)[0]


def test_revoke_by_id(team, make_token):
    raw = make_token(team)

    run("revoke", str(ApiToken.objects.get().pk))

    assert whoami(raw).status_code == 401


def test_a_read_only_token_without_scopes_is_refused(team):
    with pytest.raises(CommandError, match="A read_only token needs at least one scope"):
        run("create", "--team", team.slug, "--type", "read_only")
    assert not ApiToken.objects.exists()
