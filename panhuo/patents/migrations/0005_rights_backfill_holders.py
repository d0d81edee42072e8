"""Upgrade: every patent that has inventory records gets its holders in the rights record.

The institutions named among its 专利权人 (else 申请人) hold it; where none is named, every institution with an
inventory record on it does (what the platform assumed before the rights record existed).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from panhuo.patents.rights.services import holders_backfill

    holders_backfill(
        source="backfill",
        models=(
            apps.get_model("patents", "Patent"),
            apps.get_model("patents", "InventoryRecord"),
            apps.get_model("patents", "PatentHolder"),
            apps.get_model("accounts", "Organization"),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("patents", "0004_rights_record"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
