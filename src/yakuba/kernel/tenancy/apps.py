from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "yakuba.kernel.tenancy"
    label = "tenancy"
    verbose_name = "共同利用 (tenancy)"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .middleware import lookups
        from .models import Municipality, MunicipalityHost

        # A town switched off, renamed or given another host name is looked up again from the next request on.
        for model in (Municipality, MunicipalityHost):
            post_save.connect(lookups.clear, sender=model, dispatch_uid=f"tenancy.lookups.{model.__name__}")
            post_delete.connect(lookups.clear, sender=model, dispatch_uid=f"tenancy.lookups.{model.__name__}-del")
