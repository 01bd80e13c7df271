from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "yakuba.applications"
    label = "applications"
    verbose_name = "電子申請"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        # menus, metrics, records, the payable kinds, the day's work
        from . import demo, metrics, payments, records, registry, words, worklist  # noqa: F401

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
