"""避難所 become the status of a 指定避難所 row of the town's 指定緊急避難場所一覧 (オープンデータ): each existing
shelter is matched to the row of the same name (spaces ignored) and keeps its status; one that matches no row keeps
its name and status with an empty `site`, shown to staff as not in the dataset (never on the board)."""

from django.db import migrations, models

SPACES = str.maketrans("", "", " \u3000\t")


def _plain(name: str) -> str:
    return (name or "").translate(SPACES)


def match_rows(apps, schema_editor):
    Shelter = apps.get_model("notices", "Shelter")
    try:
        Dataset = apps.get_model("opendata", "Dataset")
        Row = apps.get_model("opendata", "Row")
    except LookupError:
        return
    taken: set[tuple[int, str]] = set()
    for shelter in Shelter.objects.order_by("municipality_id", "sort_order", "pk"):
        dataset = Dataset.objects.filter(municipality_id=shelter.municipality_id, kind="evacuation-sites").first()
        site = ""
        if dataset is not None:
            for row in Row.objects.filter(dataset=dataset).order_by("position", "pk"):
                data = row.data or {}
                names = {_plain(str(data.get("名称", ""))), _plain(str(data.get("名称_通称", "")))} - {""}
                if _plain(shelter.name) in names and (shelter.municipality_id, row.key) not in taken:
                    site = row.key
                    break
        taken.add((shelter.municipality_id, site))
        shelter.site = site
        shelter.opened_at = shelter.updated_at if shelter.status != "closed" else None
        shelter.save(update_fields=["site", "opened_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0001_initial"),
        ("opendata", "0002_listing"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="shelter", name="shelter_unique_name"),
        migrations.AddField(
            model_name="shelter", name="site",
            field=models.CharField(blank=True, max_length=100, verbose_name="避難所のID"),
        ),
        migrations.AddField(
            model_name="shelter", name="opened_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="開設日時"),
        ),
        migrations.RunPython(match_rows, migrations.RunPython.noop),
        migrations.RemoveField(model_name="shelter", name="address"),
        migrations.RemoveField(model_name="shelter", name="area"),
        migrations.RemoveField(model_name="shelter", name="capacity"),
        migrations.RemoveField(model_name="shelter", name="latitude"),
        migrations.RemoveField(model_name="shelter", name="longitude"),
        migrations.RemoveField(model_name="shelter", name="sort_order"),
        migrations.AlterModelOptions(name="shelter", options={"ordering": ["pk"], "verbose_name": "避難所"}),
        migrations.AddConstraint(
            model_name="shelter",
            constraint=models.UniqueConstraint(condition=models.Q(("site", ""), _negated=True),
                                               fields=("municipality", "site"), name="shelter_unique_site"),
        ),
    ]
