from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "yakuba.kernel.scheduling"
    label = "kernel_scheduling"
    verbose_name = "Scheduling"
