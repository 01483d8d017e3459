"""Sessions are read with one plain SQL statement (config/sessions.py, issue 15): the
same sessions as Django's store, expired and unknown ones as anonymous as before."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import logged_in_client
from tests.factories import UserFactory


def session_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_logged_in_request_reads_its_session_in_one_statement(db):
    user = UserFactory(email="ada@example.com")
    client = logged_in_client(user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/auth/me/")

    assert (response.status_code, response.json()["email"]) == (200, "ada@example.com")
    [read] = session_reads(queries)
    assert read.startswith("SELECT session_data FROM django_session WHERE session_key = ")


def test_an_expired_session_is_anonymous(db):
    client = logged_in_client(UserFactory())
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert client.get("/api/auth/me/").status_code == 401


def test_an_unknown_session_key_is_anonymous_and_never_stored(db):
    client = Client()
    client.cookies["sessionid"] = "k" * 32  # never issued

    assert client.get("/api/auth/me/").status_code == 401
    assert client.get("/api/basket/").status_code == 200
    assert not Session.objects.filter(session_key="k" * 32).exists()


def test_what_a_session_holds_is_read_back(db):
    user = UserFactory()
    client = logged_in_client(user)
    session = Session.objects.get()

    assert session.get_decoded()["_auth_user_id"] == str(user.pk)
    assert client.get("/api/auth/me/").json()["id"] == user.pk
