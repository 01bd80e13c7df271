from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "yakuba.kernel.messaging"
    label = "messaging"
    verbose_name = "配信"

    def ready(self) -> None:
        # channels registers the built-in transports; mail follows task runs; services confirms a notices address
        # when its owner confirms the same address on their account; staff and residents register the sources of
        # personal messages.
        from . import channels, mail, residents, services, staff  # noqa: F401
