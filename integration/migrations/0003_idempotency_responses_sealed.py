"""Stored idempotent answers are sealed (`kernel.sealing`): a checkout's answer carries the
order's guest link. Answers already stored are sealed in place."""

from typing import Any

from django.db import migrations, models

from kernel.sealing import seal


def seal_stored_answers(apps: Any, schema_editor: Any) -> None:
    IdempotencyRecord = apps.get_model("integration", "IdempotencyRecord")
    for record in IdempotencyRecord.objects.filter(is_complete=True).iterator():
        body = bytes(record.response_body) if record.response_body else b""
        record.response_body = seal(body).encode()
        location = record.response_location
        record.response_location = seal(location.encode()) if location else ""
        record.save(update_fields=["response_body", "response_location"])


def drop_stored_answers(apps: Any, schema_editor: Any) -> None:
    # Going back: sealed answers can't be read by the older code; retries run again.
    apps.get_model("integration", "IdempotencyRecord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integration", "0002_ratelimitcounter_unlogged"),
    ]

    operations = [
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="response_location",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(seal_stored_answers, drop_stored_answers, elidable=False),
    ]
