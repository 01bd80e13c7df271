from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "yakuba.plans"
    label = "plans"
    verbose_name = "DX推進計画・KPI"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, registry, worklist  # noqa: F401  (menus, the day's work)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
