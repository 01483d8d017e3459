"""Bearer-token authentication and scope checks for `/v1/`."""

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from integration.exceptions import InvalidToken
from integration.models import ApiToken
from integration.services import api_token_authenticate


class ApiTokenUser:
    """The caller behind an API token: not a person, so never staff and never a customer."""

    is_authenticated = True
    is_staff = False
    is_anonymous = False
    pk = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiTokenUser, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].decode(errors="replace").lower() != self.keyword.lower() or len(header) != 2:
            raise AuthenticationFailed("Malformed Authorization header: use 'Bearer <token>'.")
        try:
            token = api_token_authenticate(header[1].decode(errors="replace"))
        except InvalidToken as exc:
            raise AuthenticationFailed(exc.message) from exc
        return ApiTokenUser(token), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def request_token(request: Request) -> ApiToken:
    """The authenticated token of a `/v1/` request (the permission guarantees one)."""
    assert isinstance(request.auth, ApiToken)
    return request.auth


class HasScope(BasePermission):
    """Allows the request when the token grants the view's `required_scope`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiToken):
            return False  # DRF answers 401: no credentials were given
        scope = view.required_scope
        if scope not in request.auth.granted_scopes:
            self.message = (
                f"This {request.auth.get_token_type_display().lower()} token lacks the "
                f"'{scope}' scope."
            )
            raise PermissionDenied(self.message)
        return True
