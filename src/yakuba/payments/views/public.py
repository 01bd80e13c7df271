"""Resident pages of 決済: go to the provider, come back (the outcome is read from the provider), the 領収書; and the
endpoint providers send their signed notices to."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yakuba.kernel.accounts.permissions import resident_required
from yakuba.kernel.files.http import bytes_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import attempt

from .. import receipts, services
from ..models import Payment, Status
from ..providers import BadSignature


def _own(request: TownRequest, public_id: UUID) -> Payment:
    payment = Payment.objects.filter(public_id=public_id, resident=request.resident).first()
    if payment is None:
        raise Http404(_("お支払いが見つかりません。"))
    return payment


@resident_required
@require_http_methods(["GET", "POST"])
def pay(request: TownRequest, public_id: UUID) -> HttpResponse:
    payment = _own(request, public_id)
    errors: list[str] = []
    if request.method == "POST":
        outcome = attempt(request, lambda: services.start(payment, resident=request.resident))
        if outcome.refused is not None:
            errors = outcome.refused.messages
        else:
            # A repeated click resumes the payment the first one started.
            payment.refresh_from_db()
            if payment.next_url:
                return HttpResponseRedirect(payment.next_url)
            return HttpResponseRedirect(services.local_path(payment.return_path))
    response = render(request, "payments/public/pay.html", {
        "payment": payment, "errors": errors, "summary": services.summary_of(payment),
        "back_url": services.local_path(payment.return_path),
    }, status=400 if errors else 200)
    origin = services.provider_origin(payment)
    if origin:
        # The form's answer redirects to the provider's page: a form-action of 'self' alone would block it.
        response._csp_update = {"form-action": [origin]}  # type: ignore[attr-defined]
    return response


@resident_required
@require_GET
def came_back(request: TownRequest, public_id: UUID) -> HttpResponse:
    """The provider sends the resident here; the URL says nothing about the outcome, so it is asked for."""
    payment = services.refresh(_own(request, public_id))
    if payment.status == Status.SUCCESS:
        messages.success(request, _("お支払いが完了しました。領収書をダウンロードできます。"))
    elif payment.status == Status.SUBMITTED:
        messages.info(request, _("お支払いの手続を受け付けました。"
                                 "コンビニなどでのお支払いが確認できしだい完了します。"))
    elif payment.status == Status.FAILED:
        messages.error(request, _("お支払いができませんでした。別のカードや方法で、もう一度お試しください。"))
    elif payment.status in (Status.CREATED, Status.STARTED):
        messages.info(request, _("お支払いはまだ済んでいません。"))
    else:
        messages.info(request, _("このお支払いは%(status)sです。") % {"status": payment.get_status_display()})
    return HttpResponseRedirect(services.local_path(payment.return_path))


@resident_required
@require_GET
def receipt(request: TownRequest, public_id: UUID) -> HttpResponse:
    payment = _own(request, public_id)
    if payment.status != Status.SUCCESS:
        raise Http404(_("領収書は、お支払いが済んでから発行します。"))
    return bytes_response(receipts.pdf(payment), content_type="application/pdf",
                          filename=f"receipt-{payment.receipt_number}.pdf")


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's signed notice: 400 unless it verifies; a replay is answered 200 and changes nothing."""
    town = getattr(request, "municipality", None)
    if town is None:
        raise Http404
    try:
        body = request.body
    except RawPostDataException:  # a form post, read as a form by the middleware: not a provider's JSON
        return HttpResponse("not a webhook", status=400, content_type="text/plain")
    try:
        outcome = services.receive_webhook(town, provider, body, {k.lower(): v for k, v in request.headers.items()})
    except BadSignature:
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")


urlpatterns = [
    path("payments/<uuid:public_id>/pay/", pay, name="pay"),
    path("payments/<uuid:public_id>/return/", came_back, name="return"),
    path("payments/<uuid:public_id>/receipt.pdf", receipt, name="receipt"),
    path("payments/webhooks/<slug:provider>/", webhook, name="webhook"),
]
