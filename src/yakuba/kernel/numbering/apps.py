from django.apps import AppConfig


class NumberingConfig(AppConfig):
    name = "yakuba.kernel.numbering"
    label = "kernel_numbering"
    verbose_name = "Numbering"
