from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "yakuba.kernel.ui"
    label = "ui"
    verbose_name = "UI"
