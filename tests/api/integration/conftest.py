"""Fixtures for `/v1/`: teams with profiles, API tokens, and the real `pypresscart` client
talking to a live server."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from pypresscart import PresscartClient

from integration.services import api_token_create
from tests.factories import ProductFactory, ProfileFactory, TeamFactory


@pytest.fixture
def team(db: Any) -> Any:
    return TeamFactory()


@pytest.fixture
def other_team(db: Any) -> Any:
    return TeamFactory()


@pytest.fixture
def profile(team: Any) -> Any:
    return ProfileFactory(team=team)


@pytest.fixture
def other_profile(other_team: Any) -> Any:
    return ProfileFactory(team=other_team)


@pytest.fixture
def catalogue(db: Any) -> list[Any]:
    return [ProductFactory(price=price) for price in ("10.00", "25.50", "99.99")]


@pytest.fixture
def make_token(db: Any) -> Callable[..., str]:
    """Create a token for a team and return the raw secret, as `apitoken create` prints it."""

    def make(
        team: Any,
        token_type: str = "full_access",
        scopes: list[str] | None = None,
        rate_limit: str = "",
        expires_at: datetime | None = None,
    ) -> str:
        created = api_token_create(
            team=team,
            token_type=token_type,
            scopes=scopes,
            rate_limit=rate_limit,
            expires_at=expires_at,
        )
        return created.raw

    return make


@pytest.fixture
def presscart(live_server: Any) -> Callable[..., PresscartClient]:
    """The unmodified PyPI client pointed at our `/v1/`, as the README tells users to."""
    clients: list[PresscartClient] = []

    def connect(raw_token: str, **options: Any) -> PresscartClient:
        options.setdefault("max_retries", 0)
        client = PresscartClient(api_token=raw_token, base_url=f"{live_server.url}/v1", **options)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close() if hasattr(client, "close") else None
