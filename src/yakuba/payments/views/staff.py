"""Staff pages of 決済: payments and their 領収書, taking a payment at the counter, refunds and their approval, the
daily 収納 report for 会計課 reconciled with the provider's settlement report, and the town's provider settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yakuba.kernel import payments as kernel
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files.http import bytes_response
from yakuba.kernel.files.tables import append_row, csv_download
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from .. import config, receipts, reports, services
from ..models import Method, Payment, Refund, RefundStatus, Status
from ..providers import ProviderDown, ProviderRefused, client_for

# Forms ---------------------------------------------------------------------------------------------------------


class CounterForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("受け取った方法"), widget=forms.RadioSelect,
                               choices=[(m.value, m.label) for m in Method.counter()], initial=Method.CASH.value,
                               error_messages={"required": gettext_lazy("受け取った方法を選んでください。")})
    received = forms.IntegerField(label=gettext_lazy("お預かりした金額（円・現金のとき）"), required=False, min_value=0,
                                  error_messages={"invalid": gettext_lazy("金額は数字で入力してください。"),
                                                  "min_value": gettext_lazy("金額は0円以上で入力してください。")})


class RefundForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("還付する金額（円）"), min_value=1,
                                error_messages={"required": gettext_lazy("還付する金額を入力してください。"),
                                                "invalid": gettext_lazy("金額は数字で入力してください。"),
                                                "min_value": gettext_lazy("還付する金額は1円以上で入力してください。")})
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=200,
                             error_messages={"required": gettext_lazy("還付の理由を入力してください。"),
                                             "max_length": gettext_lazy("理由は200文字以内で入力してください。")})


class SettingsForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("決済事業者"), required=False, choices=[
        ("", gettext_lazy("使わない（窓口のみ）")), ("fake", gettext_lazy("fakepay（デモ・テスト用）")),
        ("stripe", "Stripe")])
    api_base = forms.CharField(label=gettext_lazy("接続先URL（空欄なら標準）"), required=False, max_length=200)
    api_key = forms.CharField(label=gettext_lazy("APIキー（変えるときだけ入力）"), required=False, max_length=200,
                              widget=forms.PasswordInput(render_value=False))
    webhook_secret = forms.CharField(label=gettext_lazy("Webhookの署名シークレット（変えるときだけ入力）"),
                                     required=False, max_length=200, widget=forms.PasswordInput(render_value=False))
    expiry_minutes = forms.IntegerField(label=gettext_lazy("お支払い期限（分）"), min_value=0,
                                        error_messages={"invalid": gettext_lazy("数字で入力してください。")})
    approval_above = forms.IntegerField(label=gettext_lazy("所属長の承認が要る還付額（この金額を超えるとき・円）"),
                                        min_value=0,
                                        error_messages={"invalid": gettext_lazy("数字で入力してください。")})
    cancel_refund_percent = forms.IntegerField(label=gettext_lazy("期限までの取消しで還付する割合（%）"), min_value=0,
                                               error_messages={"invalid": gettext_lazy("数字で入力してください。")})


# Payments ------------------------------------------------------------------------------------------------------

@staff_required(role=Role.STAFF)
@require_GET
def payment_list(request: TownRequest) -> HttpResponse:
    payments = Payment.objects.select_related("resident")
    status = request.GET.get("status", "")
    if status in Status.values:
        payments = payments.filter(status=status)
    query = request.GET.get("q", "").strip()[:40]
    if query:
        payments = payments.filter(Q(reference__icontains=query) | Q(description__icontains=query))
    page = Paginator(payments, 50).get_page(request.GET.get("page"))
    return render(request, "payments/staff/list.html", {
        "page": page, "statuses": Status.choices, "status": status, "q": query})


def _payment(pk: int) -> Payment:
    return get_object_or_404(Payment.objects.select_related("resident", "taken_by"), pk=pk)


@staff_required(role=Role.STAFF)
@require_GET
def payment_detail(request: TownRequest, pk: int) -> HttpResponse:
    payment = _payment(pk)
    return _detail(request, payment)


def _detail(request: TownRequest, payment: Payment, *, counter_form: CounterForm | None = None,
            refund_form: RefundForm | None = None, status: int = 200) -> HttpResponse:
    kind = kernel.kind_of(payment.payable_kind)
    errors = error_summary(counter_form) + error_summary(refund_form) if (counter_form or refund_form) else []
    return render(request, "payments/staff/detail.html", {
        "payment": payment, "kind": kind, "refunds": payment.refunds.select_related("requested_by", "approved_by"),
        "counter_form": counter_form or CounterForm(), "refund_form": refund_form or RefundForm(
            initial={"amount": payment.refund_amount_available or None}),
        "owner_url": kind.staff_url(payment.payable_key) if kind and kind.staff_url else "",
        "errors": errors, "approval_above": config.of(payment.municipality).approval_above,
    }, status=status)


@staff_required(role=Role.STAFF)
@require_POST
def take_at_counter(request: TownRequest, pk: int) -> HttpResponse:
    payment = _payment(pk)
    form = CounterForm(request.POST)
    back = reverse("staff:payments-detail", args=[pk])
    if form.is_valid():
        def done(paid: Payment) -> str:
            received = form.cleaned_data["received"]
            change = f" {_('おつり')} {received - paid.amount:,}{_('円')}" if received else ""
            return _("受け取りました（領収書番号 %(number)s）。") % {"number": paid.receipt_number} + change

        response = act_once(request, lambda: services.take_at_counter(
            request.staff, payment, method=form.cleaned_data["method"], received=form.cleaned_data["received"]),
            done=done, back=back, form=form)
        if response is not None:
            return response
    return _detail(request, payment, counter_form=form, status=400)


@staff_required(role=Role.STAFF)
@require_POST
def refund(request: TownRequest, pk: int) -> HttpResponse:
    payment = _payment(pk)
    form = RefundForm(request.POST)
    if form.is_valid():
        def done(made: Refund) -> str:
            if made.status == RefundStatus.AWAITING:
                return _("還付を申請しました。所属長の承認を待っています。")
            if made.status == RefundStatus.PENDING:
                return _("還付を受け付けました。決済サービスにつながりしだい返金します。")
            return _("%(yen)s円を還付しました。") % {"yen": f"{made.amount:,}"}

        response = act_once(request, lambda: services.request_refund(
            payment, form.cleaned_data["amount"], reason=form.cleaned_data["reason"], staff=request.staff),
            done=done, back=reverse("staff:payments-detail", args=[pk]), form=form)
        if response is not None:
            return response
    return _detail(request, payment, refund_form=form, status=400)


@staff_required(role=Role.STAFF)
@require_GET
def staff_receipt(request: TownRequest, pk: int) -> HttpResponse:
    payment = _payment(pk)
    if payment.status != Status.SUCCESS:
        return HttpResponse(_("領収書は、支払いが済んでから発行します。"), status=404, content_type="text/plain")
    return bytes_response(receipts.pdf(payment), content_type="application/pdf",
                          filename=f"receipt-{payment.receipt_number}.pdf")


# Refunds -------------------------------------------------------------------------------------------------------

@staff_required(role=Role.STAFF)
@require_GET
def refund_list(request: TownRequest) -> HttpResponse:
    refunds = Refund.objects.select_related("payment", "requested_by", "approved_by").order_by("-created_at")[:200]
    return render(request, "payments/staff/refunds.html", {
        "refunds": refunds, "may_approve": request.staff.role >= Role.APPROVER})


@staff_required(role=Role.APPROVER)
@require_POST
def refund_decide(request: TownRequest, pk: int) -> HttpResponse:
    item: Refund = get_object_or_404(Refund.objects.select_related("payment"), pk=pk)
    approve = request.POST.get("decision") == "approve"
    return act_once(request, lambda: services.approve_refund(request.staff, item, approve=approve),
                    done=_("承認し、還付しました。") if approve else _("還付を承認しませんでした。"),
                    back=reverse("staff:payments-refunds"))


# 収納 ----------------------------------------------------------------------------------------------------------

def _day(request: TownRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


@staff_required(role=Role.STAFF)
@require_GET
def daily(request: TownRequest) -> HttpResponse:
    day = _day(request)
    lines = reports.our_lines(request.municipality, day)
    rows = reports.revenue_rows(lines)
    town = config.of(request.municipality)
    reconciliation, problem = None, ""
    if town.online:
        try:
            theirs = client_for(town).settlement(day)
        except ProviderDown:
            problem = _("決済事業者の精算報告を取得できませんでした。しばらくしてからもう一度開いてください。")
        except ProviderRefused:
            problem = _("この決済事業者の精算報告は読み込めません。")
        else:
            reconciliation = reports.reconcile(lines, theirs, elsewhere=reports.paid_elsewhere(
                request.municipality, [t.provider_id for t in theirs], day))
    return render(request, "payments/staff/daily.html", {
        "day": day, "rows": rows, "table": reports.report_table(rows), "reconciliation": reconciliation,
        "problem": problem, "provider": town.provider,
    })


@staff_required(role=Role.STAFF)
@require_GET
def daily_csv(request: TownRequest) -> HttpResponse:
    day = _day(request)
    response, writer = csv_download(f"shuno-{day:%Y%m%d}.csv")
    writer.writerows(reports.report_table(reports.revenue_rows(reports.our_lines(request.municipality, day))))
    return response


@staff_required(role=Role.STAFF)
@require_GET
def daily_xlsx(request: TownRequest) -> HttpResponse:
    import io

    from openpyxl import Workbook

    day = _day(request)
    book = Workbook()
    sheet: Any = book.active
    sheet.title = "収納"
    append_row(sheet, [f"{request.municipality.name} 収納日報 {day:%Y-%m-%d}"])
    for row in reports.report_table(reports.revenue_rows(reports.our_lines(request.municipality, day))):
        append_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return bytes_response(out.getvalue(), filename=f"shuno-{day:%Y%m%d}.xlsx",
                          content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# Settings ------------------------------------------------------------------------------------------------------

@staff_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def town_settings(request: TownRequest) -> HttpResponse:
    current = config.of(request.municipality)
    form = SettingsForm(request.POST or None, initial={
        "provider": current.provider, "api_base": current.api_base, "expiry_minutes": current.expiry_minutes,
        "approval_above": current.approval_above, "cancel_refund_percent": current.cancel_refund_percent})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: services.save_settings(request.staff, services.SettingsChange(
            provider=data["provider"], api_base=data["api_base"], api_key=data["api_key"],
            webhook_secret=data["webhook_secret"], expiry_minutes=data["expiry_minutes"],
            approval_above=data["approval_above"], cancel_refund_percent=data["cancel_refund_percent"])),
            done=_("決済の設定を保存しました。"), back=reverse("staff:payments-settings"), form=form)
        if response is not None:
            return response
    return render(request, "payments/staff/settings.html", {
        "form": form, "errors": error_summary(form), "api_key": config.masked(current.api_key),
        "webhook_secret": config.masked(current.webhook_secret),
        "webhook_url": request.municipality.absolute_url(
            reverse("payments:webhook", args=[current.provider or "fake"])),
    }, status=400 if form.errors else 200)


urlpatterns = [
    path("payments/", payment_list, name="payments-list"),
    path("payments/<int:pk>/", payment_detail, name="payments-detail"),
    path("payments/<int:pk>/counter/", take_at_counter, name="payments-counter"),
    path("payments/<int:pk>/refund/", refund, name="payments-refund"),
    path("payments/<int:pk>/receipt.pdf", staff_receipt, name="payments-receipt"),
    path("payments/refunds/", refund_list, name="payments-refunds"),
    path("payments/refunds/<int:pk>/decide/", refund_decide, name="payments-refund-decide"),
    path("payments/daily/", daily, name="payments-daily"),
    path("payments/daily.csv", daily_csv, name="payments-daily-csv"),
    path("payments/daily.xlsx", daily_xlsx, name="payments-daily-xlsx"),
    path("payments/settings/", town_settings, name="payments-settings"),
]
