"""Stored order documents (`OrderDocument`) and the revision that says when one is current.

PostgreSQL triggers raise `orders_order.revision` in the changing transaction itself: on
every update of the order, and on every insert, update or delete of its items, payments,
notes, and its payments' refunds. So whatever writes (a service, the admin, a script in
`psql`), a document rendered before the change no longer matches its order's revision,
and the next read or change renders it again (`orders.documents`). SQLite has no such triggers; there documents are rendered on every read and never stored.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FUNCTIONS = [
    """
    CREATE FUNCTION orders_revision_next() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.revision := OLD.revision + 1;
        RETURN NEW;
    END;
    $$
    """,
    """
    CREATE FUNCTION orders_revision_touch_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE orders_order SET revision = revision WHERE id = OLD.order_id;
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.order_id <> OLD.order_id) THEN
            UPDATE orders_order SET revision = revision WHERE id = NEW.order_id;
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE FUNCTION orders_revision_touch_payment_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE orders_order SET revision = revision
            WHERE id = (SELECT order_id FROM orders_orderpayment WHERE id = OLD.payment_id);
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.payment_id <> OLD.payment_id) THEN
            UPDATE orders_order SET revision = revision
            WHERE id = (SELECT order_id FROM orders_orderpayment WHERE id = NEW.payment_id);
        END IF;
        RETURN NULL;
    END;
    $$
    """,
]
TRIGGERS = {
    # Any update of the order row, whatever it sets (a stale `revision` included).
    "orders_revision_order": (
        "BEFORE UPDATE ON orders_order FOR EACH ROW EXECUTE FUNCTION orders_revision_next()"
    ),
    **{
        f"orders_revision_{table}": (
            f"AFTER INSERT OR UPDATE OR DELETE ON orders_{table} FOR EACH ROW"
            " EXECUTE FUNCTION orders_revision_touch_order()"
        )
        for table in ("orderitem", "orderpayment", "ordernote")
    },
    "orders_revision_orderrefund": (
        "AFTER INSERT OR UPDATE OR DELETE ON orders_orderrefund FOR EACH ROW"
        " EXECUTE FUNCTION orders_revision_touch_payment_order()"
    ),
}
TABLES = {name: spec.split(" ON ")[1].split()[0] for name, spec in TRIGGERS.items()}


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for function in FUNCTIONS:
        schema_editor.execute(function)
    for name, spec in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER {name} {spec}")


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in TABLES.items():
        schema_editor.execute(f"DROP TRIGGER {name} ON {table}")
    for function in (
        "orders_revision_next",
        "orders_revision_touch_order",
        "orders_revision_touch_payment_order",
    ):
        schema_editor.execute(f"DROP FUNCTION {function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_order_token_sealed"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="revision",
            field=models.BigIntegerField(db_default=0, editable=False),
        ),
        migrations.CreateModel(
            name="OrderDocument",
            fields=[
                (
                    "order",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="document",
                        serialize=False,
                        to="orders.order",
                    ),
                ),
                ("revision", models.BigIntegerField()),
                ("shape", models.BigIntegerField()),
                ("storefront", models.TextField()),
                ("notes_public", models.TextField()),
                ("notes_all", models.TextField()),
                ("integration", models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
