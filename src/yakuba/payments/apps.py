from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "yakuba.payments"
    label = "payments"
    verbose_name = "キャッシュレス決済"

    def ready(self) -> None:
        from yakuba.kernel import payments as kernel_payments
        from yakuba.kernel.ops import demo as kernel_demo

        from . import demo, metrics, registry, services, worklist  # noqa: F401  (menus, metrics, the day's work)

        kernel_payments.install(services.KernelImplementation())
        if demo.load not in kernel_demo.loaders:
            kernel_demo.loaders.append(demo.load)
