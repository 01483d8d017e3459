"""Storefront serializers for the catalogue, the basket and accounts."""

from typing import Any, cast

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import serializers

from kernel.api.fields import MAX_DB_ID, absolute_url
from shop.api.fields import ExtraField, ExtraRowSerializer, MoneyField, StrictSlugField
from shop.products import product_types

User = get_user_model()


# --- catalogue -------------------------------------------------------------------------


class ProductSerializer(serializers.Serializer):
    product_type = serializers.SerializerMethodField()
    product_id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    unit_price = MoneyField(source="price")
    description = serializers.CharField(read_only=True)

    def get_product_type(self, product: Any) -> str:
        return product._meta.label


# --- basket ----------------------------------------------------------------------------


class BasketItemSerializer(serializers.Serializer):
    """A priced basket line (`shop.pricing.PricedLine`)."""

    url = serializers.SerializerMethodField()
    ref = serializers.CharField(source="line.ref")
    product_type = serializers.CharField(source="line.product_type")
    product_id = serializers.IntegerField(source="line.product_id")
    product = serializers.SerializerMethodField()
    unit_price = MoneyField()
    quantity = serializers.IntegerField(source="line.quantity")
    subtotal = MoneyField()
    extra_rows = ExtraRowSerializer(many=True, read_only=True)
    total = MoneyField()
    extra = serializers.DictField(source="line.extra")

    def get_url(self, priced_line: Any) -> str:
        path = reverse("storefront:basket-item", kwargs={"ref": priced_line.line.ref})
        return absolute_url(self.context.get("request"), path)

    def get_product(self, priced_line: Any) -> dict[str, str]:
        return priced_line.line.product.get_summary()


class BasketSerializer(serializers.Serializer):
    """A priced basket (`shop.pricing.PricedBasket`) plus its id."""

    id = serializers.SerializerMethodField()
    items = BasketItemSerializer(source="lines", many=True, read_only=True)
    subtotal = MoneyField()
    extra_rows = ExtraRowSerializer(many=True, read_only=True)
    total = MoneyField()
    extra = serializers.DictField(read_only=True)

    def get_id(self, priced_basket: Any) -> int:
        return self.context["basket"].pk


def _product_type_choices() -> list[str]:
    return list(product_types())


class BasketItemCreateSerializer(serializers.Serializer):
    product_type = serializers.ChoiceField(choices=[])
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)
    quantity = serializers.IntegerField(min_value=1, default=1)
    ref = StrictSlugField(max_length=128, required=False)
    extra = ExtraField(required=False, default=dict)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read per request so a product type added in settings is accepted at once.
        product_type = cast(serializers.ChoiceField, self.fields["product_type"])
        product_type.choices = _product_type_choices()


class BasketItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, required=False)
    extra = ExtraField(required=False, allow_null=True)


class BasketExtraSerializer(serializers.Serializer):
    extra = ExtraField()


# --- accounts --------------------------------------------------------------------------


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    is_staff = serializers.BooleanField(read_only=True)


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    def validate_email(self, email: str) -> str:
        email = User.objects.normalize_email(email).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise serializers.ValidationError("A customer with this email already exists.")
        return email

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = User(
            username=attrs["email"],
            email=attrs["email"],
            first_name=attrs.get("first_name", ""),
            last_name=attrs.get("last_name", ""),
        )
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
