"""Accounts under `/api/auth/`: register, log in, log out, me; CSRF on each; other logins."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import PASSWORD
from tests.factories import UserFactory

User = get_user_model()
USER_KEYS = {"id", "email", "first_name", "last_name", "is_staff"}


@pytest.fixture
def browser(db):
    """An anonymous browser that enforces CSRF and already holds the CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/products/")
    assert "csrftoken" in response.cookies
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def post_json(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def register(client, **fields):
    body = {"email": "new.customer@example.com", "password": PASSWORD, **fields}
    return post_json(client, "/api/auth/register/", body)


def login(client, email, password=PASSWORD):
    return post_json(client, "/api/auth/login/", {"email": email, "password": password})


def me(client):
    return client.get("/api/auth/me/")


# --- CSRF cookie ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/products/", "/api/basket/", "/api/basket/count/", "/api/auth/me/"]
)
def test_any_get_under_api_hands_out_the_csrf_cookie(db, url):
    response = Client().get(url)

    assert response.cookies["csrftoken"].value


# --- register ------------------------------------------------------------------------


def test_register_creates_the_customer_and_logs_them_in(browser):
    response = register(browser, first_name="Ada", last_name="Lovelace")

    assert response.status_code == 201
    user = User.objects.get(email="new.customer@example.com")
    assert response.json() == {
        "id": user.pk,
        "email": "new.customer@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "is_staff": False,
    }
    assert user.check_password(PASSWORD)
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert me(browser).json()["id"] == user.pk


def test_registered_customer_can_log_in_from_another_browser(browser, db):
    register(browser)
    other = Client(enforce_csrf_checks=True)
    other.get("/api/products/")
    other.defaults["HTTP_X_CSRFTOKEN"] = other.cookies["csrftoken"].value

    assert login(other, "new.customer@example.com").status_code == 200


def test_register_stores_the_email_in_lower_case(browser):
    response = register(browser, email="Mixed.Case@Example.COM")

    assert response.status_code == 201
    assert response.json()["email"] == "mixed.case@example.com"
    assert User.objects.filter(email="mixed.case@example.com").count() == 1


@pytest.mark.parametrize("email", ["customer@example.com", "CUSTOMER@Example.com"])
def test_register_with_a_taken_email_is_400_on_email(browser, email):
    UserFactory(username="customer@example.com", email="customer@example.com")

    response = register(browser, email=email)

    assert response.status_code == 400
    assert response.json() == {"email": ["A customer with this email already exists."]}
    assert User.objects.count() == 1
    assert me(browser).status_code == 401


@pytest.mark.parametrize(
    "password",
    ["short1", "12345678901", "password123", "new.customer"],
    ids=["too-short", "numeric", "common", "like-the-email"],
)
def test_register_with_a_weak_password_is_400_on_password(browser, password):
    response = register(browser, password=password)

    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert response.json()["password"]
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "", "a@b@c", "x" * 250 + "@example.com"])
def test_register_with_a_bad_email_is_400_on_email(browser, email):
    response = register(browser, email=email)

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert not User.objects.exists()


def test_register_without_fields_reports_each(browser):
    response = post_json(browser, "/api/auth/register/", {})

    assert response.status_code == 400
    assert response.json() == {
        "email": ["This field is required."],
        "password": ["This field is required."],
    }


def test_register_without_csrf_token_is_403(browser):
    del browser.defaults["HTTP_X_CSRFTOKEN"]

    response = register(browser)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not User.objects.exists()


# --- log in --------------------------------------------------------------------------


def test_login_answers_the_user_and_starts_a_session(browser, customer):
    response = login(browser, customer.email)

    assert response.status_code == 200
    assert response.json() == {
        "id": customer.pk,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "is_staff": False,
    }
    assert me(browser).json()["id"] == customer.pk


def test_login_email_is_case_insensitive(browser, customer):
    response = login(browser, customer.email.upper())

    assert response.status_code == 200
    assert response.json()["id"] == customer.pk


def test_staff_login_reports_is_staff(browser, staff):
    assert login(browser, staff.email).json()["is_staff"] is True


@pytest.mark.parametrize(
    ("email", "password"),
    [("customer@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_login_with_bad_credentials_is_400_non_field_errors(browser, db, email, password):
    UserFactory(username="customer@example.com", email="customer@example.com")

    response = login(browser, email, password)

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Unable to log in with the provided credentials."]
    }
    assert me(browser).status_code == 401


def test_login_of_an_inactive_account_is_refused(browser, db):
    UserFactory(username="gone@example.com", email="gone@example.com", is_active=False)

    response = login(browser, "gone@example.com")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert me(browser).status_code == 401


def test_login_with_missing_or_bad_fields_is_400_per_field(browser, db):
    response = post_json(browser, "/api/auth/login/", {"email": "not-an-email"})

    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_login_without_csrf_token_is_403(browser, customer):
    del browser.defaults["HTTP_X_CSRFTOKEN"]

    response = login(browser, customer.email)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert me(browser).status_code == 401


def test_login_without_csrf_cookie_is_403(customer):
    fresh = Client(enforce_csrf_checks=True)

    response = login(fresh, customer.email)

    assert response.status_code == 403
    assert me(fresh).status_code == 401


def test_login_changes_the_session_key(browser, customer):
    browser.get("/api/basket/")  # gives the visitor a session
    before = browser.cookies["sessionid"].value

    login(browser, customer.email)

    assert browser.cookies["sessionid"].value != before


# --- log out -------------------------------------------------------------------------


def test_logout_ends_the_session(customer_client):
    assert me(customer_client).status_code == 200

    response = post_json(customer_client, "/api/auth/logout/")

    assert response.status_code == 204
    assert me(customer_client).status_code == 401


def test_logout_of_a_logged_in_session_needs_the_csrf_token(customer_client):
    del customer_client.defaults["HTTP_X_CSRFTOKEN"]

    response = post_json(customer_client, "/api/auth/logout/")

    assert response.status_code == 403
    assert me(customer_client).status_code == 200


def test_logout_as_a_visitor_is_a_harmless_204(visitor_client):
    assert post_json(visitor_client, "/api/auth/logout/").status_code == 204


# --- me ------------------------------------------------------------------------------


def test_me_answers_the_logged_in_customer(customer_client, customer):
    response = me(customer_client)

    assert response.status_code == 200
    assert set(response.json()) == USER_KEYS
    assert (response.json()["id"], response.json()["email"]) == (customer.pk, customer.email)


def test_me_answers_401_to_a_visitor(visitor_client):
    response = me(visitor_client)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_me_answers_is_staff_for_staff(staff_client):
    assert me(staff_client).json()["is_staff"] is True


# --- other login pages ---------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/login/", "/api-auth/login/"])
def test_login_pages_render(db, url):
    response = Client().get(url)

    assert response.status_code == 200
    assert b"password" in response.content


def test_browsable_api_login_logs_a_customer_in(customer):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/api-auth/login/")
    token = page.context["csrf_token"]

    response = client.post(
        "/api-auth/login/",
        {"username": customer.username, "password": PASSWORD, "csrfmiddlewaretoken": str(token)},
    )

    assert response.status_code == 302
    assert me(client).json()["id"] == customer.pk
