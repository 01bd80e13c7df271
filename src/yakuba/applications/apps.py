from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "yakuba.applications"
    label = "applications"
    verbose_name = "電子申請"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, records, registry  # noqa: F401  (menus, plan metrics, public records)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
