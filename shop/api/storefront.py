"""Storefront views for the catalogue (`/api/products/`), the basket (`/api/basket/`) and
accounts (`/api/auth/`)."""

import contextlib
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop import selectors, services
from shop.api.errors import error_body
from shop.api.pagination import LinkHeaderPagination
from shop.api.serializers import (
    BasketExtraSerializer,
    BasketItemCreateSerializer,
    BasketItemSerializer,
    BasketItemUpdateSerializer,
    BasketSerializer,
    LoginSerializer,
    ProductSerializer,
    RegisterSerializer,
    UserSerializer,
)
from shop.exceptions import BasketItemNotFound
from shop.models import Basket, Product

# The session key under which a visitor's basket id is kept until they log in.
BASKET_SESSION_KEY = "orderly_basket_id"


# --- catalogue -------------------------------------------------------------------------


class ProductListView(generics.ListAPIView):
    serializer_class = ProductSerializer
    pagination_class = LinkHeaderPagination

    def get_queryset(self) -> Any:
        return selectors.product_list(search=self.request.query_params.get("search", "")[:100])


class ProductDetailView(APIView):
    def get(self, request: Request, product_id: int) -> Response:
        product: Product = selectors.product_get(product_id=product_id)
        return Response(ProductSerializer(product).data)


# --- basket ----------------------------------------------------------------------------


def request_basket(request: Request) -> Basket:
    """The caller's basket: a customer's own (absorbing their visitor basket at the first
    request after login), or the visitor basket their session names."""
    user = request.user if request.user.is_authenticated else None
    basket = services.basket_get_or_create(
        user=user, basket_id=request.session.get(BASKET_SESSION_KEY)
    )
    if user is not None:
        request.session.pop(BASKET_SESSION_KEY, None)
    elif request.session.get(BASKET_SESSION_KEY) != basket.pk:
        request.session[BASKET_SESSION_KEY] = basket.pk
    return basket


@method_decorator(never_cache, name="dispatch")
class BasketAPIView(APIView):
    """Base of the basket views: `?basket` on a successful write answers the whole basket."""

    _basket: Basket | None = None

    def basket(self) -> Basket:
        if self._basket is None:
            self._basket = request_basket(self.request)
        return self._basket

    @contextlib.contextmanager
    def one_commit_with_the_session(self) -> Iterator[None]:
        """Run a basket write and the session change it makes in one transaction.

        A new visitor's first add creates their basket, its line and the session naming
        the basket: one commit instead of three. If the write fails, it all rolls back,
        and the session forgets the basket it would have named.
        """
        session = self.request.session
        named_before = session.get(BASKET_SESSION_KEY)
        try:
            with transaction.atomic():
                yield
                if session.modified:
                    session.save()  # the middleware's own save then has nothing to write
        except Exception:
            self._basket = None
            if named_before is None:
                session.pop(BASKET_SESSION_KEY, None)
            else:
                session[BASKET_SESSION_KEY] = named_before
            raise

    def basket_response(self, status_code: int = status.HTTP_200_OK) -> Response:
        # A read answers with the basket just loaded; after a write, re-read the row the
        # service changed (its `extra`, its `updated_at`).
        basket = self.basket()
        if self.request.method != "GET":
            basket = Basket.objects.get(pk=basket.pk)
        priced = selectors.basket_priced(basket, user=self.request.user)
        context = {"request": self.request, "basket": basket}
        return Response(BasketSerializer(priced, context=context).data, status=status_code)

    def item_response(self, ref: str, status_code: int = status.HTTP_200_OK) -> Response:
        priced = selectors.basket_priced(self.basket(), user=self.request.user)
        line = next((line for line in priced.lines if line.line.ref == ref), None)
        if line is None:
            raise BasketItemNotFound("Not found.")
        data = BasketItemSerializer(line, context={"request": self.request}).data
        return Response(data, status=status_code)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        if (
            request.method != "GET"
            and "basket" in request.query_params
            and status.is_success(response.status_code)
        ):
            response = self.basket_response()
        return super().finalize_response(request, response, *args, **kwargs)


class BasketView(BasketAPIView):
    def get(self, request: Request) -> Response:
        return self.basket_response()

    def post(self, request: Request) -> Response:
        serializer = BasketItemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with self.one_commit_with_the_session():
            item = services.basket_add_item(basket=self.basket(), **serializer.validated_data)
        response = self.item_response(item.ref, status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response

    def delete(self, request: Request) -> Response:
        services.basket_delete(basket=self.basket())
        request.session.pop(BASKET_SESSION_KEY, None)
        self._basket = None
        return Response(status=status.HTTP_204_NO_CONTENT)


class BasketCountView(BasketAPIView):
    def get(self, request: Request) -> Response:
        return Response({"count": selectors.basket_count(self.basket())})


class BasketQuantityView(BasketAPIView):
    def get(self, request: Request) -> Response:
        return Response({"quantity": selectors.basket_quantity(self.basket())})


class BasketClearView(BasketAPIView):
    def post(self, request: Request) -> Response:
        services.basket_clear(basket=self.basket())
        return self.basket_response()


class BasketExtraView(BasketAPIView):
    def get(self, request: Request) -> Response:
        return Response({"extra": self.basket().extra})

    def put(self, request: Request) -> Response:
        serializer = BasketExtraSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        basket = services.basket_update_extra(
            basket=self.basket(), extra=serializer.validated_data["extra"]
        )
        return Response({"extra": basket.extra})

    def patch(self, request: Request) -> Response:
        return self.put(request)


class BasketItemView(BasketAPIView):
    def get(self, request: Request, ref: str) -> Response:
        selectors.basket_item_get(basket=self.basket(), ref=ref)
        return self.item_response(ref)

    def put(self, request: Request, ref: str) -> Response:
        serializer = BasketItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.basket_update_item(
            basket=self.basket(),
            ref=ref,
            quantity=serializer.validated_data.get("quantity"),
            extra=serializer.validated_data.get("extra"),
        )
        return self.item_response(ref)

    def patch(self, request: Request, ref: str) -> Response:
        return self.put(request, ref)

    def delete(self, request: Request, ref: str) -> Response:
        services.basket_remove_item(basket=self.basket(), ref=ref)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- accounts --------------------------------------------------------------------------


def _enforce_csrf(request: Request) -> None:
    """Log-in, log-out and registration change who the browser is: like any write of a
    session, they need the CSRF token, even from an anonymous visitor (login CSRF)."""
    SessionAuthentication().enforce_csrf(request)


class RegisterView(APIView):
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.customer_register(**serializer.validated_data)
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        password = serializer.validated_data["password"]
        account = get_user_model().objects.filter(email__iexact=email).order_by("id").first()
        if account is None:
            # Hash the password anyway, so an unknown e-mail takes as long to refuse as a
            # wrong password: the answer's timing must not tell which e-mails have accounts.
            make_password(password)
            user = None
        else:
            user = authenticate(
                request._request, username=account.get_username(), password=password
            )
        if user is None:
            return Response(
                {"non_field_errors": ["Unable to log in with the provided credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        login(request._request, user)
        return Response(UserSerializer(user).data)


class LogoutView(APIView):
    def post(self, request: Request) -> Response:
        if request.user.is_authenticated:
            _enforce_csrf(request)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            # 401, not DRF's 403: "who am I" has a clear answer for a visitor.
            return Response(
                error_body(str(NotAuthenticated.default_detail)),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        return Response(UserSerializer(request.user).data)
