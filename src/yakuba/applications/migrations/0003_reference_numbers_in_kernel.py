from django.db import migrations


def copy_counters(apps, schema_editor):
    """Carry each town's last 受付番号 of a year over to the kernel's counter, so no number is given twice."""
    old = apps.get_model("applications", "ReferenceCounter")
    counter = apps.get_model("kernel_numbering", "Counter")
    for row in old.objects.all():
        counter.objects.update_or_create(municipality_id=row.municipality_id, series="applications.reference",
                                         period=row.year, defaults={"last": row.last})


def copy_back(apps, schema_editor):
    old = apps.get_model("applications", "ReferenceCounter")
    counter = apps.get_model("kernel_numbering", "Counter")
    for row in counter.objects.filter(series="applications.reference"):
        old.objects.update_or_create(municipality_id=row.municipality_id, year=row.period,
                                     defaults={"last": row.last})


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0002_counter_identity_and_fees"),
        ("kernel_numbering", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(name="ReferenceCounter"),
    ]
