"""Work of キャッシュレス決済 done by the worker: a payment's expiry at its deadline, and a refund the provider did
not take at first."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from . import services
from .models import Payment, Refund
from .providers import ProviderDown


@task()
def expire_payment(payment_id: int) -> str:
    """At the payment's deadline: expired unless paid (the owning app then releases what it held). A provider that
    does not answer is asked again a few minutes later; the item stays held meanwhile."""
    with town_row(Payment, payment_id) as payment:
        if payment is None:
            return "gone"
        try:
            return services.expire(payment).status
        except ProviderDown:
            later = timezone.now() + timedelta(minutes=services.RETRY_MINUTES)
            expire_payment.using(run_after=later).enqueue(payment_id)
            return "retry"


@task()
def retry_refund(refund_id: int) -> str:
    with town_row(Refund, refund_id, "payment") as refund:
        if refund is None:
            return "gone"
        return services.retry_refund(refund).status
