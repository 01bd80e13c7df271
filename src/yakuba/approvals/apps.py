from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "yakuba.approvals"
    label = "approvals"
    verbose_name = "電子決裁・文書管理"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import (  # noqa: F401  (metrics, staff menus, the staff top page, in-app receivers)
            demo,
            metrics,
            receivers_decide,
            registry_decide,
            registry_filing,
            worklist,
        )

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
