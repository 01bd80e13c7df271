from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "yakuba.kernel.tenancy"
    label = "tenancy"
    verbose_name = "共同利用 (tenancy)"
