from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "yakuba.website"
    label = "website"
    verbose_name = "公式ホームページ"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, documents, metrics, registry, worklist  # noqa: F401  (menus, records, assistant, KPIs)

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
