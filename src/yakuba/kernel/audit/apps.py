from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yakuba.kernel.audit"
    label = "audit"
    verbose_name = "監査ログ"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from yakuba.kernel.accounts.models import Role
        from yakuba.kernel.ui.registry import Entry, register_staff

        from .guard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="yakuba_audit_sqlite_function")
        register_staff(Entry("staff:audit", _("監査ログ"), _("誰がいつ何を見た・変えたかの記録"),
                             role=Role.ADMIN, order=950))
