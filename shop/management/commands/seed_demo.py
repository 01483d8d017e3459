"""Load a small demo shop: a catalogue, a staff user and a customer. Safe to run twice."""

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from shop.models import Product, Profile, Team

DEMO_PRODUCTS = [
    ("TEE-BLK", "Black T-shirt", "19.90", "Organic cotton, unisex fit."),
    ("TEE-WHT", "White T-shirt", "19.90", "Organic cotton, unisex fit."),
    ("MUG-001", "Enamel mug", "12.50", "Camp-proof, 350 ml."),
    ("CAP-001", "Canvas cap", "24.00", "Adjustable strap."),
    ("BAG-001", "Tote bag", "9.99", "Heavy canvas, long handles."),
    ("HOOD-GRY", "Grey hoodie", "54.00", "Brushed fleece inside."),
]

STAFF = {"username": "staff", "email": "staff@example.com", "password": "orderly-staff"}
# Two customer organisations, so cross-team isolation can be tried at once.
DEMO_TEAMS = [
    ("acme", "Acme Corp", "orders@acme.example", "Acme Brand"),
    ("globex", "Globex Inc", "orders@globex.example", "Globex Marketing"),
]

CUSTOMER = {
    "username": "customer@example.com",
    "email": "customer@example.com",
    "password": "orderly-customer",
}


class Command(BaseCommand):
    help = "Load demo products, a staff user and a customer (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for code, name, price, description in DEMO_PRODUCTS:
            Product.objects.update_or_create(
                code=code,
                defaults={"name": name, "price": Decimal(price), "description": description},
            )
        users = get_user_model().objects
        if not users.filter(username=STAFF["username"]).exists():
            users.create_superuser(**STAFF)
        if not users.filter(username=CUSTOMER["username"]).exists():
            users.create_user(**CUSTOMER)
        for slug, name, email, profile_name in DEMO_TEAMS:
            team, _ = Team.objects.update_or_create(
                slug=slug, defaults={"name": name, "contact_email": email}
            )
            member, created = users.get_or_create(
                username=f"{slug}-member@example.com",
                defaults={"email": f"{slug}-member@example.com"},
            )
            if created:
                member.set_password(f"orderly-{slug}")
                member.save()
            team.members.add(member)
            Profile.objects.get_or_create(team=team, name=profile_name, defaults={"email": email})
        self.stdout.write(f"Demo catalogue: {len(DEMO_PRODUCTS)} products.")
        self.stdout.write(f"Staff (admin at /admin/): {STAFF['username']} / {STAFF['password']}")
        self.stdout.write(f"Customer: {CUSTOMER['email']} / {CUSTOMER['password']}")
        for slug, *_ in DEMO_TEAMS:
            self.stdout.write(
                f"Team {slug!r}: member {slug}-member@example.com / orderly-{slug}; "
                f"API token: ./scripts/manage apitoken create --team {slug} --type full_access"
            )
