from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "yakuba.attendance"
    label = "attendance"
    verbose_name = "勤怠管理・テレワーク"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, registry, worklist  # noqa: F401  (metrics, staff menu, the staff top page)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
