from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "yakuba.kernel.ops"
    label = "ops"
    verbose_name = "運用"
