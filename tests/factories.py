"""factory_boy factories for the catalogue and accounts.

Orders are not built by factories: tests place them through the API or the same
services the API calls, so every order in a test went through the real checkout rules.
"""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from shop.models import Product, Profile, Team


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = Decimal("10.00")
    description = "A product made for tests."
    is_active = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"customer{n}@example.com")
    email = factory.SelfAttribute("username")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    is_staff = False

    @factory.post_generation
    def persist_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}@example.com")
    is_staff = True


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    contact_email = factory.LazyAttribute(lambda team: f"orders@{team.slug}.example")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Profile {n}")
    email = factory.LazyAttribute(lambda profile: f"{profile.team.slug}@example.com")
