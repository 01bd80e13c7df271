"""手数料 paid through the kernel's payments: a procedure whose fee schedule is payable online (a postal request
(郵送請求), 粗大ごみ) is paid online after submitting, and a 書かない窓口 visit's fees are taken at the counter in one
payment for all its procedures. Once paid, a schedule that issues 処理券 gives the submission its numbers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel import payments
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.tenancy.scoping import town_row

from . import fee_editor, fees
from .models import CounterVisit, Procedure, Submission

SUBMISSION = "applications.submission"
VISIT = "applications.visit"
REVENUE_CODE = "13-02-01"
REVENUE_LABEL = gettext_lazy("総務手数料（戸籍住民基本台帳手数料）")


def _fee_types() -> tuple[int, int]:
    """Procedures with a fee, and those of them residents can pay online (schedule marked online, or postal)."""
    charged = [p.fee_schedule for p in Procedure.objects.filter(is_published=True).exclude(fee_schedule={})
               if not _free(p.fee_schedule)]
    return sum(1 for schedule in charged if fees.payable_online(schedule)), len(charged)


def _free(schedule: dict[str, Any]) -> bool:
    return schedule.get("yen") == 0 and not schedule.get("postage") and "choice" not in schedule


payments.register(payments.PayableKind(
    SUBMISSION, gettext_lazy("申請の手数料"), revenue_code=REVENUE_CODE, revenue_label=REVENUE_LABEL,
    staff_url=lambda key: reverse("staff:applications-detail", args=[int(key)]) if key.isdigit() else "",
    fee_types=_fee_types))
# 歳入科目 a procedure's fee may be booked under instead (its schedule's "revenue"; the fee editor offers them).
payments.register_revenue("13-02-03", gettext_lazy("衛生手数料（廃棄物処理手数料）"))
payments.register_revenue("13-02-02", gettext_lazy("総務手数料（税務手数料）"))
payments.register(payments.PayableKind(
    VISIT, gettext_lazy("窓口の手数料"), revenue_code=REVENUE_CODE, revenue_label=REVENUE_LABEL, online=False))


def ask_for_fee(submission: Submission) -> None:
    """A procedure payable online was submitted online: its 手数料 (and 郵送料) are due (no deadline: nothing is
    held). A town without online payments, or an amount that depends on staff, asks for nothing."""
    schedule = submission.procedure.fee_schedule or {}
    if not fees.payable_online(schedule) or not payments.enabled(submission.municipality):
        return
    total = fees.amount(schedule, submission.answers)
    if not total:
        return
    postage = fees.postage(schedule)
    lines = _lines(submission, total - postage) + (((_("郵送料"), postage),) if postage else ())
    payments.request_payment(payments.Due(
        submission.municipality, SUBMISSION, str(submission.pk), amount=total,
        description=submission.procedure.title, reference=submission.reference or "",
        return_path=reverse("applications:status", args=[submission.public_id]), resident=submission.resident,
        expires=False, lines=lines, revenue_code=str(schedule.get("revenue") or "")))


def _lines(submission: Submission, fee: int) -> tuple[tuple[str, int], ...]:
    """The 手数料 of the 領収書: one line per item chosen (「自転車 ×2」) when there are several, else one line."""
    items = fees.items(submission.procedure.fee_schedule, submission.answers)
    if len(items) < 2:
        return ((_("手数料"), fee),)
    labels = fee_editor.labels(fee_editor.questions([submission.form_version.definition]))
    key = ".".join(filter(None, (submission.procedure.fee_schedule.get("group"),
                                 submission.procedure.fee_schedule["choice"])))
    return tuple((_("%(item)s ×%(count)s") % {"item": labels.get(f"{key}={value}", value), "count": count}, yen)
                 for value, count, yen in items)


def on_payment_changed(sender: str, *, kind: str, key: str, status: str, **kwargs: Any) -> None:
    """A submission's fee was paid: its 処理券番号 are issued (once, whatever the number of deliveries)."""
    if kind != SUBMISSION or status != payments.SUCCESS or not key.isdigit():
        return
    from . import services

    with town_row(Submission, int(key)) as submission:
        if submission is not None:
            services.issue_tickets(submission)


# Not by sender: a signal matches senders by identity, and the kind arrives as a string read from the database.
payments.payment_changed.connect(on_payment_changed, dispatch_uid="applications.payment_changed")


def submission_summary(submission: Submission) -> payments.Summary | None:
    return payments.summary(submission.municipality, SUBMISSION, str(submission.pk))


def visit_fee_lines(visit: CounterVisit) -> list[tuple[str, int | None]]:
    """Each filed procedure's fee for its answers (None: staff tell the amount)."""
    return [(s.procedure.title, fees.amount(s.procedure.fee_schedule, s.answers))
            for s in visit.submissions.select_related("procedure").order_by("reference")]


def visit_summary(visit: CounterVisit) -> payments.Summary | None:
    return payments.summary(visit.municipality, VISIT, str(visit.pk))


def take_visit_fees(staff: Staff, visit: CounterVisit, *, method: str, received: int | None) -> payments.Summary:
    """One counter payment for every procedure of the visit, with its 領収書."""
    lines = [(title, yen) for title, yen in visit_fee_lines(visit) if yen]
    total = sum(yen for _title, yen in lines)
    references = ", ".join(s.reference or "" for s in visit.submissions.order_by("reference"))
    return payments.take_at_counter(staff, payments.Due(
        visit.municipality, VISIT, str(visit.pk), amount=total, description=_("窓口の手数料"),
        reference=references[:40], return_path=reverse("staff:applications-counter-done", args=[visit.public_id]),
        resident=visit.resident, expires=False, lines=tuple(lines)), method=method, received=received)
