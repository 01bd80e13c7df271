from django.apps import AppConfig


class VoiceConfig(AppConfig):
    """住民の声: ご意見箱, 通報 (reports with photo and map, and the Open311 GeoReport v2 API), アンケート・意識調査."""

    name = "yakuba.voice"
    label = "voice"
    verbose_name = "住民の声"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, records, registry  # noqa: F401  (menus, records, KPIs)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
