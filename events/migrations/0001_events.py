"""The outbox table, and the trigger that gives each event its id when it commits.

Ids drawn when a row is inserted don't sort in commit order: a transaction that inserts
first may commit last, and a reader walking ids would already have gone past its event.
So an event is inserted with a pending id, and a deferred trigger, run as the transaction
commits, draws the final id ("evt_" + 16 digits from a sequence) under a transaction-scoped
advisory lock. The lock is held until the commit is visible, so the next committing
transaction draws a larger number only after this one's events can be seen: every
snapshot sees a prefix of the ids. It is the lock the order-count triggers (orders
migration 0003) take at commit; sharing it means two commits never wait on each other's
locks in opposite orders. SQLite runs one writing transaction at a time, so there an
ordinary trigger numbers events by rowid as they are inserted.
"""

import django.db.models.deletion
import events.models
import uuid
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


POSTGRES_FUNCTION = """
CREATE SEQUENCE events_event_number;
CREATE FUNCTION events_event_assign_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('orders_orderstatuscount'));
    UPDATE events_event
    SET id = 'evt_' || lpad(nextval('events_event_number')::text, 16, '0')
    WHERE id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER events_event_assign_id AFTER INSERT ON events_event
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_event_assign_id();
"""
POSTGRES_DROP = """
DROP TRIGGER events_event_assign_id ON events_event;
DROP FUNCTION events_event_assign_id();
DROP SEQUENCE events_event_number;
"""
SQLITE_TRIGGER = """
CREATE TRIGGER events_event_assign_id AFTER INSERT ON events_event BEGIN
    UPDATE events_event SET id = printf('evt_%016d', NEW.rowid) WHERE rowid = NEW.rowid;
END
"""


def create_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)
    else:
        raise NotImplementedError(f"Events need PostgreSQL or SQLite, not {vendor}.")


def drop_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    else:
        schema_editor.execute("DROP TRIGGER events_event_assign_id")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orders', '0003_order_status_counts'),
        ('shop', '0002_team_profile'),
    ]

    operations = [
        migrations.CreateModel(
            name='Event',
            fields=[
                ('id', models.CharField(default=events.models.pending_event_id, max_length=48, primary_key=True, serialize=False)),
                ('key', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('ref', models.CharField(max_length=32)),
                ('type', models.CharField(choices=[('order.created', 'Order created'), ('order.status_changed', 'Order status changed'), ('order.paid', 'Order paid'), ('payment.recorded', 'Payment recorded'), ('refund.recorded', 'Refund recorded'), ('refund.failed', 'Refund failed'), ('note.added', 'Public note added')], max_length=32)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('data', models.JSONField()),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outbox_events', to='orders.order')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='outbox_events', to='shop.team')),
            ],
            options={
                'ordering': ['id'],
                'indexes': [models.Index(fields=['team', 'id'], name='event_team_id')],
            },
        ),
        migrations.CreateModel(
            name='EmailDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('order_confirmation', 'Order confirmation'), ('payment_received', 'Payment received'), ('shipped', 'Order shipped'), ('refunded', 'Refund made'), ('staff_paid_order', 'New paid order (staff)')], max_length=32)),
                ('recipients', models.JSONField(help_text='The addresses it goes to.')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Given up')], default='pending', max_length=16)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='emails', to='events.event')),
            ],
            options={
                'verbose_name_plural': 'e-mail deliveries',
                'constraints': [models.UniqueConstraint(fields=('event', 'kind'), name='email_once_per_event_kind')],
            },
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
