from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "yakuba.applications"
    label = "applications"
    verbose_name = "電子申請"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, registry  # noqa: F401  (home page and staff menu entries, plan metrics)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
