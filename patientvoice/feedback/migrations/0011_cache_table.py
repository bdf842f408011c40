"""The cache table that rate-limit counters live in when no Redis is configured.

`createcachetable` is Django's own way to make it; running it from a migration means every
deployment that migrates has it (running it twice changes nothing, and it does nothing when the
cache is Redis or memory). After switching CACHE_URL from Redis to the database, run
`patientvoice createcachetable`.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0010_quarantine")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
