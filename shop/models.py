from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from shop.pricing import PricingContext

# The most JSON text a basket's or a line's `extra` may hold, so it can't be used as storage.
MAX_EXTRA_JSON_CHARS = 10_000


class Product(models.Model):
    """The catalogue's own product type; other purchasable models can be registered."""

    name = models.CharField(max_length=200)
    code = models.CharField(max_length=64, unique=True, help_text="SKU shown on orders.")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Only active products can be bought.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
        ]
        indexes = [models.Index(fields=["is_active", "name", "id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    # --- the `shop.products.Purchasable` protocol ------------------------------------

    @property
    def is_purchasable(self) -> bool:
        return self.is_active

    def get_price(self, context: PricingContext) -> Decimal:
        return self.price

    def get_summary(self) -> dict[str, str]:
        """What orders freeze and the API shows as `product`."""
        return {"name": self.name, "code": self.code}


class Basket(models.Model):
    """A visitor's basket (its id kept in their session) or a customer's (owner set)."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="basket",
    )
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Basket {self.pk}"


class BasketItem(models.Model):
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="items")
    ref = models.SlugField(max_length=128, help_text="Identifies the line within its basket.")
    product_type = models.CharField(max_length=100, help_text='"app_label.ModelName"')
    product_id = models.PositiveBigIntegerField()
    quantity = models.PositiveIntegerField(default=1)
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["basket", "ref"], name="basket_item_ref_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="basket_item_quantity_min"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_type}#{self.product_id}"


class Team(models.Model):
    """A customer organisation: its members' storefront accounts and its API tokens see the
    team's orders."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    contact_email = models.EmailField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """The identity a team places orders for: a brand, a client, a department."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="profiles")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, help_text="Where order mail for this profile goes.")
    legal_company_name = models.CharField(max_length=200, blank=True)
    billing_address = models.TextField(blank=True)
    website_url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["team", "created_at", "id"], name="profile_team_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.team})"
