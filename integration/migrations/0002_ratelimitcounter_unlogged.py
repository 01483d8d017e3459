"""Rate-limit counters live in an UNLOGGED table on PostgreSQL.

Every counted request writes its counter. In a logged table each of those commits waits
for the WAL to reach the disk: the bench measured ~6 ms of a guest order look-up's ~13 ms
in that wait. A transaction that writes only unlogged tables commits without it. What is
given up is harmless for counters: after a crash the table is emptied (windows restart
from zero) and it is not copied to replicas.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "integration_ratelimitcounter"


def set_unlogged(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET UNLOGGED")


def set_logged(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("integration", "0001_initial")]

    operations = [migrations.RunPython(set_unlogged, set_logged)]
