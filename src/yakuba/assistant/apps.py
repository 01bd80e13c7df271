from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "yakuba.assistant"
    label = "assistant"
    verbose_name = "AI問い合わせ・例規検索"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, openapi, receivers, registry  # noqa: F401  (menus, metrics, signals, API)

        if demo.load not in kernel_demo.finishers:
            kernel_demo.finishers.append(demo.load)  # after every app's demo data: it ingests their documents
