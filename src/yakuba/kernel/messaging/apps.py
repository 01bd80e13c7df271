from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "yakuba.kernel.messaging"
    label = "messaging"
    verbose_name = "配信"

    def ready(self) -> None:
        from . import channels, mail  # noqa: F401  (registers the built-in transports; mail follows task runs)
