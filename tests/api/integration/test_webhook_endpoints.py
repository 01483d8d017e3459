"""`/v1/webhook-endpoints`: a team manages its endpoints with a `webhooks.manage` token."""

import base64

import pytest
from django.db import connection
from django.test import Client

from webhooks.models import WebhookEndpoint

PUBLIC_URL = "https://93.184.215.14/hooks"  # a public address: no DNS needed


@pytest.fixture
def api(make_token, team) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {make_token(team)}")


def create(api: Client, **body):
    return api.post("/v1/webhook-endpoints", body, content_type="application/json")


def test_create_answers_the_secret_once(api, team):
    response = create(api, url=PUBLIC_URL, event_types=["order.paid", "refund.recorded"])

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "event_types", "status", "secret", "created_at"}
    assert body["url"] == PUBLIC_URL
    assert body["event_types"] == ["order.paid", "refund.recorded"]
    assert body["status"] == "active"
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) >= 24
    # Stored encrypted, never in clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_sealed FROM webhooks_webhookendpoint")
        (sealed,) = cursor.fetchone()
    assert body["secret"] not in sealed
    assert body["secret"].removeprefix("whsec_") not in sealed

    shown = api.get(f"/v1/webhook-endpoints/{body['id']}")
    assert shown.status_code == 200
    assert shown.json() == {k: v for k, v in body.items() if k != "secret"}


def test_omitted_event_types_mean_all(api):
    body = create(api, url=PUBLIC_URL).json()
    assert body["event_types"] == []


def test_list_is_the_teams_own_without_secrets(api, make_token, other_team, count_queries):
    first = create(api, url=PUBLIC_URL).json()
    second = create(api, url=PUBLIC_URL + "/2").json()
    other = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(other_team)}")
    create(other, url=PUBLIC_URL + "/other")

    responses = []
    queries = count_queries(lambda: responses.append(api.get("/v1/webhook-endpoints?limit=10")))

    body = responses[0].json()
    assert responses[0].status_code == 200
    assert [record["id"] for record in body["records"]] == [second["id"], first["id"]]
    assert all("secret" not in record for record in body["records"])
    assert body["total_records"] == 2
    assert body["current_page"] == 1
    # token, rate-limit counter, count, page ids, page rows
    assert queries <= 6


def test_another_teams_endpoint_is_not_found(api, make_token, other_team):
    other = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(other_team)}")
    theirs = create(other, url=PUBLIC_URL).json()["id"]

    for response in (
        api.get(f"/v1/webhook-endpoints/{theirs}"),
        api.delete(f"/v1/webhook-endpoints/{theirs}"),
        api.post(f"/v1/webhook-endpoints/{theirs}/rotate-secret"),
        api.get("/v1/webhook-endpoints/not-a-number"),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["name"] == "NotFoundError"
    assert WebhookEndpoint.objects.get(pk=theirs).status == "active"


def test_delete(api):
    endpoint = create(api, url=PUBLIC_URL).json()
    assert api.delete(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 204
    assert api.get(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 404


def test_rotation_answers_a_new_secret(api):
    endpoint = create(api, url=PUBLIC_URL).json()

    response = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret")

    assert response.status_code == 200, response.content
    rotated = response.json()
    assert rotated["id"] == endpoint["id"]
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != endpoint["secret"]
    assert WebhookEndpoint.objects.get(pk=endpoint["id"]).previous_secret_expires_at is not None


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"url": "ftp://example.com/x"}, ["url"]),
        ({"url": "not a url"}, ["url"]),
        ({"url": "https://"}, ["url"]),
        ({}, ["url"]),
        ({"url": PUBLIC_URL, "event_types": ["order.exploded"]}, ["event_types"]),
        ({"url": PUBLIC_URL, "event_types": "order.paid"}, ["event_types"]),
    ],
)
def test_bad_input_is_a_validation_error(api, body, path):
    response = create(api, **body)

    assert response.status_code == 400, response.content
    assert response.json()["name"] == "ValidationError"
    assert response.json()["issues"][0]["path"] == path
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_hosts_are_refused(api, url):
    response = create(api, url=url)

    assert response.status_code == 400, response.content
    issue = response.json()["issues"][0]
    assert issue["path"] == ["url"]
    assert "public" in issue["message"] or "resolve" in issue["message"]
    assert not WebhookEndpoint.objects.exists()


def test_private_hosts_are_allowed_when_the_setting_says_so(api, settings):
    settings.ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    for url in ("http://127.0.0.1:8000/hook", "https://localhost/hook"):
        assert create(api, url=url).status_code == 201


def test_the_scope_is_required(make_token, team):
    raw = make_token(team, "custom", scopes=["orders.read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = create(client, url=PUBLIC_URL)

    assert response.status_code == 403
    assert "webhooks.manage" in response.json()["message"]
    raw = make_token(team, "custom", scopes=["webhooks.manage"])
    assert create(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), url=PUBLIC_URL).status_code == 201
