from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "yakuba.notices"
    label = "notices"
    verbose_name = "お知らせ・防災"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import audience, demo, metrics, receivers, records, registry, words, worklist  # noqa: F401  (signals, menus, …)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
