from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "yakuba.approvals"
    label = "approvals"
    verbose_name = "電子決裁・文書管理"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import (
            demo,
            registry_filing,  # noqa: F401  (staff menu of 文書管理・収受)
        )

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
