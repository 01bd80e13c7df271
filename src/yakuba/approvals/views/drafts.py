"""Staff pages for writing a 起案: my drafts, a new draft (from a template, as the answer to a 収受 or as a
correction), changing it, its attachments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary
from yakuba.kernel.ui.widgets import RichTextarea

from ..models import Attachment, DocumentClass, Draft, DraftStatus, DraftTemplate, Matter, Record, SendOut
from ..services import decide, drafts

AMOUNT_ERRORS = {"invalid": gettext_lazy("金額は半角数字（円）で入力してください。"),
                 "min_value": gettext_lazy("金額は0円以上で入力してください。"),
                 "max_value": gettext_lazy("金額が大きすぎます。")}


class DraftForm(forms.Form):
    matter = forms.ChoiceField(label=gettext_lazy("事項"), choices=Matter.choices,
                               help_text=gettext_lazy("事務決裁規程で決裁権者を決めるもとになります。"),
                               error_messages={"required": gettext_lazy("事項を選んでください。"),
                                               "invalid_choice": gettext_lazy("事項を選び直してください。")})
    document_class = forms.TypedChoiceField(label=gettext_lazy("文書分類"), coerce=int,
                                            help_text=gettext_lazy("文書分類表の分類です。保存期間が決まります。"),
                                            error_messages={"required": gettext_lazy("文書分類を選んでください。"),
                                                            "invalid_choice": gettext_lazy(
                                                                "文書分類を選び直してください。")})
    title = forms.CharField(label=gettext_lazy("件名"), max_length=200,
                            error_messages={"required": gettext_lazy("件名を入力してください。"),
                                            "max_length": gettext_lazy("件名は200文字以内で入力してください。")})
    body = forms.CharField(label=gettext_lazy("本文"), widget=RichTextarea(), required=False,
                           help_text=gettext_lazy("見出し・太字・箇条書き・表・リンクを付けられます。書式のボタンが出ない"
                                                  "ときは、空行で段落を分けるか、HTMLで書きます。"))
    amount = forms.IntegerField(label=gettext_lazy("金額（円）"), required=False, min_value=0,
                                max_value=10**15, error_messages=AMOUNT_ERRORS,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                help_text=gettext_lazy("支出負担行為と契約は必ず入力します。"))
    payee = forms.CharField(label=gettext_lazy("相手方"), max_length=100, required=False)
    budget_code = forms.CharField(label=gettext_lazy("予算科目"), max_length=60, required=False)
    delivery = forms.ChoiceField(label=gettext_lazy("施行"), choices=SendOut.choices, initial=SendOut.NONE,
                                 error_messages={"invalid_choice": gettext_lazy("施行の方法を選び直してください。")})
    important = forms.BooleanField(label=gettext_lazy("重要・異例の事案（代決できません）"), required=False)
    attachment = forms.FileField(label=gettext_lazy("添付ファイル"), required=False,
                                 help_text=gettext_lazy("PDF・画像（JPEG・PNG）・Word・Excel・PowerPoint、10MBまで。"),
                                 error_messages={"invalid": gettext_lazy("ファイルを選び直してください。"),
                                                 "empty": gettext_lazy("ファイルが空です。")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {c.pk: c for c in DocumentClass.objects.filter(is_active=True)}
        field = self.fields["document_class"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("選んでください"))] + [(pk, str(c)) for pk, c in self.classes.items()]

    def to_data(self) -> drafts.DraftData:
        data = self.cleaned_data
        return drafts.DraftData(
            title=data["title"], body=data["body"], document_class=self.classes.get(data["document_class"]),
            matter=data["matter"], amount=data["amount"], payee=data["payee"], budget_code=data["budget_code"],
            delivery=data["delivery"], important=data["important"],
            attachments=[data["attachment"]] if data.get("attachment") else [])


def _initial(draft: Draft) -> dict[str, Any]:
    return {"matter": draft.matter, "document_class": draft.document_class_id, "title": draft.title,
            "body": draft.body, "amount": draft.amount, "payee": draft.payee, "budget_code": draft.budget_code,
            "delivery": draft.delivery, "important": draft.important}


def _from_template(template: DraftTemplate) -> dict[str, Any]:
    return {"matter": template.matter, "document_class": template.document_class_id, "title": template.title,
            "body": template.body}


def draft_of(request: TownRequest, public_id: str) -> Draft:
    return get_object_or_404(decide.visible_drafts(request.staff), public_id=public_id)


def _form_page(request: TownRequest, form: DraftForm, draft: Draft | None, **extra: Any) -> HttpResponse:
    return render(request, "approvals/staff/draft_form.html", {
        "form": form, "draft": draft, "errors": error_summary(form),
        "templates": DraftTemplate.objects.all(), **extra}, status=400 if form.is_bound and form.errors else 200)


@staff_required(role=Role.STAFF)
def draft_new(request: TownRequest) -> HttpResponse:
    reply_to = corrects = None
    initial: dict[str, Any] = {}
    if request.GET.get("reply_to"):
        try:
            reply_to = Record.objects.filter(public_id=request.GET["reply_to"]).first()
        except Exception:  # not a UUID
            reply_to = None
        if reply_to is None:
            raise Http404
        initial = {"title": f"{reply_to.title}について（回答）", "matter": Matter.REPLY,
                   "document_class": reply_to.volume.document_class_id}
    if request.GET.get("corrects"):
        corrects = draft_of(request, request.GET["corrects"])
        initial = {**_initial(corrects), "title": f"{corrects.title}（訂正）"}
    template = DraftTemplate.objects.filter(pk=request.GET.get("template") or 0).first() if \
        str(request.GET.get("template", "")).isdigit() else None
    if template is not None:
        initial = {**_from_template(template), **{k: v for k, v in initial.items() if k == "title"}}
    bound = request.method == "POST"
    form = DraftForm(request.POST if bound else None, request.FILES if bound else None, initial=initial)
    if bound and form.is_valid():
        response = act_once(request, lambda: drafts.create_draft(request.staff, form.to_data(), replies_to=reply_to,
                                                                  corrects=corrects),
                            done=_("起案を保存しました。回議ルートを確かめて、回議に回してください。"),
                            back=lambda draft: reverse("staff:approvals-draft", args=[draft.public_id]), form=form)
        if response is not None:
            return response
    return _form_page(request, form, None, reply_to=reply_to, corrects=corrects, template=template)


@staff_required(role=Role.STAFF)
def draft_edit(request: TownRequest, public_id: str) -> HttpResponse:
    draft = draft_of(request, public_id)
    back = reverse("staff:approvals-draft", args=[draft.public_id])
    if draft.drafter_id != request.staff.pk or draft.status not in drafts.EDITABLE:
        return HttpResponseRedirect(back)
    bound = request.method == "POST"
    form = DraftForm(request.POST if bound else None, request.FILES if bound else None, initial=_initial(draft))
    if bound and form.is_valid():
        response = act_once(request, lambda: drafts.update_draft(request.staff, draft, form.to_data()),
                            done=_("起案を保存しました。"), back=back, form=form)
        if response is not None:
            return response
    return _form_page(request, form, draft)


@staff_required(role=Role.STAFF)
def draft_list(request: TownRequest) -> HttpResponse:
    """My drafts, newest first, by status."""
    status = request.GET.get("status", "")
    mine = Draft.objects.filter(drafter=request.staff).select_related("department", "document_class")
    code = 200
    if status and status not in DraftStatus.values:
        status, code = "", 400
    if status:
        mine = mine.filter(status=status)
    return render(request, "approvals/staff/drafts.html", {
        "drafts": mine[:200], "status": status, "statuses": DraftStatus.choices}, status=code)


@staff_required(role=Role.STAFF)
def attachment(request: TownRequest, public_id: str, pk: int) -> HttpResponseBase:
    draft = draft_of(request, public_id)
    found = get_object_or_404(Attachment, draft=draft, pk=pk)
    if not found.path:
        raise Http404
    return private_file_response(found.path, content_type=found.content_type, filename=found.name, inline=True)


@staff_required(role=Role.STAFF)
@require_POST
def attachment_delete(request: TownRequest, public_id: str, pk: int) -> HttpResponse:
    draft = draft_of(request, public_id)
    found = get_object_or_404(Attachment, draft=draft, pk=pk)
    back = reverse("staff:approvals-draft-edit", args=[draft.public_id])
    return act_once(request, lambda: drafts.remove_attachment(request.staff, found),
                    done=_("添付ファイルを削除しました。"), back=back)


urlpatterns = [
    path("approvals/drafts/", draft_list, name="approvals-drafts"),
    path("approvals/drafts/new/", draft_new, name="approvals-draft-new"),
    path("approvals/drafts/<uuid:public_id>/edit/", draft_edit, name="approvals-draft-edit"),
    path("approvals/drafts/<uuid:public_id>/attachments/<int:pk>/", attachment, name="approvals-attachment"),
    path("approvals/drafts/<uuid:public_id>/attachments/<int:pk>/delete/", attachment_delete,
         name="approvals-attachment-delete"),
]
