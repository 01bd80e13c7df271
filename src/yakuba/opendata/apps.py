from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "yakuba.opendata"
    label = "opendata"
    verbose_name = "オープンデータ・統合型GIS"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, openapi, receivers, records, registry, worklist  # noqa: F401  (menus, metrics, …)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
