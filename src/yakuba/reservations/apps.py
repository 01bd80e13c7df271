from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "yakuba.reservations"
    label = "reservations"
    verbose_name = "施設予約・来庁予約"

    def ready(self) -> None:
        from yakuba.kernel.ops import demo as kernel_demo

        # menus, metrics, records, the payable kind, the day's work
        from . import demo, metrics, payments, records, registry, words, worklist  # noqa: F401

        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
