"""Loads the GB/T 2260 divisions of Sichuan and Chongqing (regions/data/divisions.json), so every
database, including the test database, has them after `migrate`. The loader is the one behind
`manage.py sync_regions`: idempotent, and it never deletes a region. A later refresh of the data
ships as a new migration like this one."""

from django.db import migrations


def load(apps, schema_editor):
    from sportsplatform.regions.domain.sync import load_divisions, read_divisions

    load_divisions(region_model=apps.get_model("regions", "Region"), data=read_divisions())


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    # Reversing leaves the rows: other apps' rows point at them (PROTECT), and the table itself
    # goes away when 0001 is reversed.
    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
