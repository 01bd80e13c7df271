from django.apps import AppConfig


class TransportConfig(AppConfig):
    """デマンド交通: booking by phone, web and LINE, dispatch by OR-Tools, drivers' tablets, the 現状分析 report."""

    name = "yakuba.transport"
    label = "transport"
    verbose_name = "デマンド交通"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, payments, records, registry  # noqa: F401 - KPIs, payable kind, open data, menus
        from .services import line

        line.register()
        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
