"""Staff pages for 回議 and 決裁: 決裁待ち (the approver's first page, with bulk approval of routine items), one draft
(its route or route preview, the PDF, 承認・差し戻し・引き上げ・代決・後閲), 不在 of a post, and the 財務 CSV."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files import signing, tables
from yakuba.kernel.files.http import bytes_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.fiscal import fiscal_year, wareki
from yakuba.kernel.ui.actions import act_once, error_summary

from .. import exports
from ..models import Absence, Action, Draft, DraftStatus, LateReview, StepState
from ..services import decide, routes, sheet
from .drafts import draft_of


@staff_required(role=Role.STAFF)
def inbox(request: TownRequest) -> HttpResponse:
    """決裁待ち: what waits for me now, what I may decide by 代決 today, the 後閲 I owe."""
    staff = request.staff
    waiting = list(decide.waiting_for(staff).order_by("arrived_at", "pk"))
    return render(request, "approvals/staff/decide_inbox.html", {
        "waiting": waiting, "deputising": decide.deputising_for(staff),
        "reviews": list(decide.late_reviews_for(staff)),
        "routine": [step for step in waiting if not step.draft.important],
        "returned": Draft.objects.filter(drafter=staff, status=DraftStatus.RETURNED).count(),
        "has_posts": bool(routes.manageable_posts(staff))})


def _route_preview(draft: Draft) -> tuple[routes.Route | None, list[str]]:
    if draft.status not in (DraftStatus.DRAFT, DraftStatus.RETURNED):
        return None, []
    try:
        return routes.build_route(decide._matter_of(draft)), []
    except Refused as refusal:
        return None, refusal.messages


def _signature(draft: Draft) -> signing.Report | None:
    record = draft.record
    if record is None or not record.file:
        return None
    with record.file.open("rb") as handle:
        return signing.validate(handle.read())


def _detail(request: TownRequest, draft: Draft, *, errors: list[Any] | None = None, status: int = 200,
            posted: Any = None) -> HttpResponse:
    route, route_errors = _route_preview(draft)
    steps = sheet.route_for_sheet(draft)
    current = decide.current_steps(draft)
    earlier = sorted({step.sequence for step in steps if draft.current_sequence and step.sequence <
                      draft.current_sequence and step.state != StepState.SUPERSEDED})
    return render(request, "approvals/staff/draft.html", {
        "draft": draft, "route": route, "route_errors": route_errors, "steps": steps,
        "current_ids": {step.pk for step in current}, "allowed": decide.allowed(request.staff, draft),
        "return_choices": [(0, _("起案者"))] + [(n, next(s.post.title for s in steps if s.sequence == n))
                                              for n in earlier],
        "actions": Action.objects.filter(draft=draft).select_related("actor", "step__post"),
        "attachments": list(draft.attachments.all()), "signature": _signature(draft),
        "late_review": LateReview.objects.filter(draft=draft).select_related("post", "done_by").first(),
        "errors": errors or [], "posted": posted or {}}, status=status)


@staff_required(role=Role.STAFF)
def draft_detail(request: TownRequest, public_id: str) -> HttpResponse:
    return _detail(request, draft_of(request, public_id))


@staff_required(role=Role.STAFF)
@require_POST
def draft_send(request: TownRequest, public_id: str) -> HttpResponse:
    draft = draft_of(request, public_id)
    back = reverse("staff:approvals-draft", args=[draft.public_id])
    return act_once(request, lambda: decide.send(request.staff, draft), done=_("回議に回しました。"), back=back,
                    refused=lambda error: _detail(request, draft, errors=error_summary(refused=error), status=400))


DONE = {"approve": gettext_lazy("承認しました。"), "return": gettext_lazy("差し戻しました。"),
        "pull_back": gettext_lazy("引き上げました。"),
        "deputy": gettext_lazy("代決しました。決裁権者に後閲をお願いしました。"),
        "review": gettext_lazy("後閲しました。")}


def _perform(action: str, staff: Staff, draft: Draft, post: QueryDict) -> object:
    comment = post.get("comment", "")
    if action == "approve":
        return decide.approve(staff, draft, comment.strip())
    if action == "return":
        return decide.send_back(staff, draft, to_sequence=_int(post.get("to_sequence")), comment=comment)
    if action == "pull_back":
        return decide.pull_back(staff, draft)
    if action == "deputy":
        return decide.decide_as_deputy(staff, draft, comment.strip())
    return decide.finish_late_review(staff, draft)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


@staff_required(role=Role.STAFF)
@require_POST
def draft_act(request: TownRequest, public_id: str) -> HttpResponse:
    draft = draft_of(request, public_id)
    back = reverse("staff:approvals-draft", args=[draft.public_id])
    action = request.POST.get("action", "")
    if action not in DONE:
        return _detail(request, draft, errors=[_("操作を選び直してください。")], status=400)
    return act_once(request, lambda: _perform(action, request.staff, draft, request.POST), done=str(DONE[action]),
                    back=back if action == "pull_back" else reverse("staff:approvals-inbox"),
                    refused=lambda error: _detail(request, Draft.objects.get(pk=draft.pk),
                                                  errors=error_summary(refused=error), status=400,
                                                  posted=request.POST))


@staff_required(role=Role.STAFF)
def draft_pdf(request: TownRequest, public_id: str) -> HttpResponse:
    """The signed PDF once decided (when the worker has made it), else a preview of the 起案用紙."""
    draft = draft_of(request, public_id)
    record = draft.record
    if record is not None and record.file:
        with record.file.open("rb") as handle:
            data = handle.read()
        return bytes_response(data, content_type="application/pdf", filename=f"{draft.number}.pdf", inline=True)
    name = f"{draft.number}.pdf" if draft.number else f"preview-{draft.public_id}.pdf"
    return bytes_response(sheet.render(draft), content_type="application/pdf", filename=name, inline=True)


@staff_required(role=Role.STAFF)
@require_POST
def bulk_approve(request: TownRequest) -> HttpResponse:
    """一括承認: the ticked routine items, shown once more to confirm, then approved together."""
    ids = request.POST.getlist("draft")
    chosen = list(decide.visible_drafts(request.staff).filter(public_id__in=[i for i in ids if _uuid(i)]))
    back = reverse("staff:approvals-inbox")
    if not chosen:
        messages.error(request, _("承認する起案を選んでください。"))
        return HttpResponseRedirect(back)
    if request.POST.get("confirm") != "1":
        return render(request, "approvals/staff/decide_bulk.html", {"drafts": chosen})
    return act_once(request, lambda: decide.approve_many(request.staff, chosen),
                    done=lambda done: _("%(n)d件を承認しました。") % {"n": len(done)}, back=back)


def _uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class AbsenceForm(forms.Form):
    post = forms.TypedChoiceField(label=gettext_lazy("職位"), coerce=int,
                                  error_messages={"required": gettext_lazy("職位を選んでください。"),
                                                  "invalid_choice": gettext_lazy("職位を選び直してください。")})
    starts_on = forms.DateField(label=gettext_lazy("開始日"), widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": gettext_lazy("開始日を入力してください。"),
                                                "invalid": gettext_lazy(
                                                    "開始日は「年-月-日」の形で入力してください。")})
    ends_on = forms.DateField(label=gettext_lazy("終了日"), widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"required": gettext_lazy("終了日を入力してください。"),
                                              "invalid": gettext_lazy("終了日は「年-月-日」の形で入力してください。")})
    reason = forms.CharField(label=gettext_lazy("理由（出張・休暇など）"), max_length=100, required=False)

    def __init__(self, *args: Any, posts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posts = {post.pk: post for post in posts}
        field = self.fields["post"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(post.pk, f"{post.title}（{post.holder or _('空席')}）") for post in posts]


@staff_required(role=Role.STAFF)
def absences(request: TownRequest) -> HttpResponse:
    """不在の設定: for the posts I hold (情報担当: every post)."""
    posts = routes.manageable_posts(request.staff)
    today = timezone.localdate()
    bound = request.method == "POST"
    form = AbsenceForm(request.POST if bound else None, posts=posts, initial={"starts_on": today, "ends_on": today})
    if bound and form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: routes.add_absence(request.staff, form.posts[data["post"]],
                                                                data["starts_on"], data["ends_on"], data["reason"]),
                            done=_("不在を登録しました。"), back=reverse("staff:approvals-absences"), form=form)
        if response is not None:
            return response
    upcoming = Absence.objects.filter(post__in=posts, ends_on__gte=today).select_related("post")
    return render(request, "approvals/staff/decide_absences.html", {
        "form": form, "errors": error_summary(form), "absences": upcoming, "posts": posts, "today": today},
        status=400 if bound else 200)


@staff_required(role=Role.STAFF)
@require_POST
def absence_delete(request: TownRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(Absence, pk=pk, post__in=routes.manageable_posts(request.staff))
    return act_once(request, lambda: routes.remove_absence(request.staff, absence), done=_("不在を取り消しました。"),
                    back=reverse("staff:approvals-absences"))


@staff_required(role=Role.STAFF)
def export(request: TownRequest) -> HttpResponse:
    """財務連携: the 年度's decided 支出負担行為 as CSV (layout on the page and in approvals/exports.py)."""
    year_text = request.GET.get("year", "")
    current = fiscal_year(timezone.localdate())
    if not year_text:
        return render(request, "approvals/staff/decide_export.html", {
            "layout": exports.LAYOUT, "years": [(y, wareki(y)) for y in range(current, current - 5, -1)]})
    year = _int(year_text)
    if not 2000 <= year <= current + 1:
        messages.error(request, _("年度を選び直してください。"))
        return HttpResponseRedirect(reverse("staff:approvals-export"))
    response, writer = tables.csv_download(f"shishutsu-futan-{year}.csv")
    writer.writerows(exports.rows(year))
    return response


urlpatterns = [
    path("approvals/", inbox, name="approvals-inbox"),
    path("approvals/bulk/", bulk_approve, name="approvals-bulk"),
    path("approvals/absences/", absences, name="approvals-absences"),
    path("approvals/absences/<int:pk>/delete/", absence_delete, name="approvals-absence-delete"),
    path("approvals/export/", export, name="approvals-export"),
    path("approvals/drafts/<uuid:public_id>/", draft_detail, name="approvals-draft"),
    path("approvals/drafts/<uuid:public_id>/send/", draft_send, name="approvals-draft-send"),
    path("approvals/drafts/<uuid:public_id>/act/", draft_act, name="approvals-draft-act"),
    path("approvals/drafts/<uuid:public_id>/pdf/", draft_pdf, name="approvals-draft-pdf"),
]
