from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "yakuba.meetings"
    label = "meetings"
    verbose_name = "会議・議事録"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, registry, worklist  # noqa: F401  (metrics, menus, assistant documents)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
