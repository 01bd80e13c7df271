"""領収書: the receipt of a payment, as a PDF (kernel/files/pdf)."""

from __future__ import annotations

from django.utils import timezone

from yakuba.kernel import payments as kernel
from yakuba.kernel.files.pdf import render_pdf

from .models import Payment


def pdf(payment: Payment) -> bytes:
    kind = kernel.kind_of(payment.payable_kind)
    return render_pdf("payments/pdf/receipt.html", {
        "payment": payment, "municipality": payment.municipality, "kind": kind,
        "paid_at": timezone.localtime(payment.paid_at) if payment.paid_at else None,
        "lines": payment.lines or [[payment.description, payment.amount]],
        "refunds": [r for r in payment.refunds.all() if r.status == "success"],
    })
