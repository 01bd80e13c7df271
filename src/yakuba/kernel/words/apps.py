from django.apps import AppConfig


class WordsConfig(AppConfig):
    name = "yakuba.kernel.words"
    label = "words"
    verbose_name = "翻訳"

    def ready(self) -> None:
        # the staff menu, the English and やさしい日本語 shares (demo translations: each app's demo, after its rows)
        from . import menu, metrics  # noqa: F401
