"""Exact order counts per team and status, kept by PostgreSQL triggers on the orders table.

The triggers are deferred: they run at commit, once per inserted or deleted order and per
status change, so a transaction holds the counter rows only while it commits. They take
one transaction-scoped advisory lock first, so two commits never lock the counter rows in
opposite orders (no deadlock), whatever statuses they change. Existing orders are
counted once here. SQLite has no triggers: there the lists count rows.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COUNT_FUNCTION = """
CREATE FUNCTION orders_status_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('orders_orderstatuscount'));
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE orders_orderstatuscount SET count = count - 1
        WHERE team_key = COALESCE(OLD.team_id, 0) AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO orders_orderstatuscount (team_key, status, count)
        VALUES (COALESCE(NEW.team_id, 0), NEW.status, 1)
        ON CONFLICT (team_key, status) DO UPDATE SET count = orders_orderstatuscount.count + 1;
    END IF;
    RETURN NULL;
END;
$$
"""
TRIGGER = """
CREATE CONSTRAINT TRIGGER orders_status_count_{name} AFTER {event} ON orders_order
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {condition}
EXECUTE FUNCTION orders_status_count_apply()
"""
TRIGGERS = {
    "insert": ("INSERT", ""),
    "delete": ("DELETE", ""),
    "update": (
        "UPDATE OF status, team_id",
        "WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.team_id IS DISTINCT FROM NEW.team_id)",
    ),
}
BACKFILL = """
INSERT INTO orders_orderstatuscount (team_key, status, count)
SELECT COALESCE(team_id, 0), status, count(*) FROM orders_order GROUP BY 1, 2
"""


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(COUNT_FUNCTION)
    for name, (event, condition) in TRIGGERS.items():
        schema_editor.execute(TRIGGER.format(name=name, event=event, condition=condition))
    schema_editor.execute(BACKFILL)


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER orders_status_count_{name} ON orders_order")
    schema_editor.execute("DROP FUNCTION orders_status_count_apply()")


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_order_team_profile_and_add_ons'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrderStatusCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('team_key', models.PositiveIntegerField()),
                ('status', models.CharField(max_length=16)),
                ('count', models.BigIntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('team_key', 'status'), name='order_count_key')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
