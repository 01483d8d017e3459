"""Order tokens leave the table in clear: each row keeps its token sealed (`kernel.sealing`)
beside the digest it is looked up by. Existing tokens are sealed as they are, so every
guest link already sent keeps working."""

from typing import Any

from django.db import migrations, models

from kernel.sealing import seal, unseal


def seal_existing_tokens(apps: Any, schema_editor: Any) -> None:
    Order = apps.get_model("orders", "Order")
    batch = []
    for order in Order.objects.only("pk", "token").iterator(chunk_size=2000):
        order.token_sealed = seal(order.token.encode())
        batch.append(order)
        if len(batch) == 2000:
            Order.objects.bulk_update(batch, ["token_sealed"])
            batch = []
    Order.objects.bulk_update(batch, ["token_sealed"])


def unseal_tokens(apps: Any, schema_editor: Any) -> None:
    Order = apps.get_model("orders", "Order")
    for order in Order.objects.only("pk", "token_sealed").iterator(chunk_size=2000):
        Order.objects.filter(pk=order.pk).update(token=unseal(order.token_sealed).decode())


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_order_status_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="token_sealed",
            field=models.CharField(default="", editable=False, max_length=255),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing_tokens, unseal_tokens, elidable=False),
        migrations.RemoveField(model_name="order", name="token"),
        migrations.AlterField(
            model_name="orderevent",
            name="type",
            field=models.CharField(
                choices=[
                    ("placed", "Placed"),
                    ("status_changed", "Status changed"),
                    ("payment_recorded", "Payment recorded"),
                    ("payment_refunded", "Payment refunded"),
                    ("note_added", "Note added"),
                    ("guest_link_reissued", "Guest link re-issued"),
                ],
                max_length=32,
            ),
        ),
    ]
