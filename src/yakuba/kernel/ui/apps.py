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

        # Cached pages follow the records they show, and the town's own details: at the write (so the transaction that
        # wrote never reads an older page) and again once it commits (so no reader in between keeps an older one).
        records.changing.connect(pagecache.on_records_changed, dispatch_uid="ui.pagecache.records-changing")
        records.changed.connect(pagecache.on_records_changed, dispatch_uid="ui.pagecache.records")
        post_save.connect(pagecache.on_town_saved, sender=Municipality, dispatch_uid="ui.pagecache.town")
        # The home page lists the departments and their phone numbers.
        records.announce_saves(pagecache.DEPARTMENTS, Department)
        post_delete.connect(pagecache.on_town_saved, sender=Municipality, dispatch_uid="ui.pagecache.town-delete")
