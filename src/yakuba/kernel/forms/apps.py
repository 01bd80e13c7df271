from django.apps import AppConfig


class FormsEngineConfig(AppConfig):
    name = "yakuba.kernel.forms"
    label = "kernel_forms"
    verbose_name = "フォーム"
