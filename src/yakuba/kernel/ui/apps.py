from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "yakuba.kernel.ui"
    label = "ui"
    verbose_name = "UI"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from yakuba.kernel import records
        from yakuba.kernel.accounts.models import Department
        from yakuba.kernel.tenancy.models import Municipality

        from . import pagecache

        # Cached public pages follow the records they show, and the town's own details.
        records.changed.connect(pagecache.on_records_changed, dispatch_uid="ui.pagecache.records")
        post_save.connect(pagecache.on_town_saved, sender=Municipality, dispatch_uid="ui.pagecache.town")
        # The home page lists the departments and their phone numbers.
        records.announce_saves(pagecache.DEPARTMENTS, Department)
        post_delete.connect(pagecache.on_town_saved, sender=Municipality, dispatch_uid="ui.pagecache.town-delete")
