from django.apps import AppConfig


class WordsConfig(AppConfig):
    name = "yakuba.kernel.words"
    label = "words"
    verbose_name = "翻訳"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        # the staff menu, the English and やさしい日本語 shares, the demo translations
        from . import demo, menu, metrics  # noqa: F401

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
