"""The 事務局's pages for the pack: adding a document to a meeting, a document's versions with the 差し替え form, and
each version's files."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from ..models import AgendaItem, Document, Meeting, Version
from ..services import pack
from ..services.access import is_clerk

FILE_HELP = gettext_lazy("PDF、Word、Excel、PowerPoint（100MBまで）。Officeのファイルは、できる場合はPDFに変換して"
                         "委員に見せます。パスワードで保護されたPDFは登録できません。")


class AddForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("資料名"), max_length=150, required=False,
                            help_text=gettext_lazy("例：資料1 補正予算書"))
    item: forms.ModelChoiceField[AgendaItem] = forms.ModelChoiceField(
        label=gettext_lazy("議題"), queryset=AgendaItem.objects.none(), required=False,
                                  empty_label=gettext_lazy("（議題に属さない資料）"),
                                  error_messages={"invalid_choice": gettext_lazy("議題を選び直してください。")})
    upload = forms.FileField(label=gettext_lazy("ファイル"), required=False, help_text=FILE_HELP)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = AgendaItem.objects.filter(meeting=meeting)  # type: ignore[attr-defined]


class ReplaceForm(forms.Form):
    upload = forms.FileField(label=gettext_lazy("新しい版のファイル"), required=False, help_text=FILE_HELP)
    reason = forms.CharField(label=gettext_lazy("差し替えの理由"), max_length=300, required=False,
                             help_text=gettext_lazy("委員へのお知らせに書きます。例：3ページの数値の誤りを訂正"))
    confirm = forms.BooleanField(label=gettext_lazy("会議中の差し替えです（委員にすぐお知らせし、記録に残します）"),
                                 required=False)


def _clerk_meeting(request: TownRequest, meeting: UUID) -> Meeting:
    row = Meeting.objects.select_related("body").filter(uuid=meeting).first()
    if row is None or not is_clerk(request.staff, row.body):
        raise Http404
    return row


def _clerk_document(request: TownRequest, pk: int) -> Document:
    row = Document.objects.select_related("meeting__body", "current", "item").filter(pk=pk).first()
    if row is None or not is_clerk(request.staff, row.meeting.body):
        raise Http404
    return row


def meeting_url(meeting: Meeting) -> str:
    """The 事務局's page of the meeting (the lead's), or the pack as members see it until that page exists."""
    try:
        return reverse("staff:meetings-meeting", args=[meeting.uuid])
    except NoReverseMatch:
        return reverse("meetings:pack", args=[meeting.uuid])


@staff_required(role=Role.STAFF)
def document_add(request: TownRequest, meeting: UUID) -> HttpResponse:
    """資料を登録する."""
    row = _clerk_meeting(request, meeting)
    bound = request.method == "POST"
    form = AddForm(request.POST if bound else None, request.FILES if bound else None, meeting=row)
    if bound and form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: pack.add_document(row, data["item"], data["title"], data["upload"],
                                                               request.user),
                            form=form,
                            done=lambda document: _("「%(title)s」を登録しました。") % {"title": document.title},
                            back=lambda document: reverse("staff:meetings-document", args=[document.pk]))
        if response is not None:
            return response
    return render(request, "meetings/staff/document_add.html", {
        "meeting": row, "form": form, "errors": error_summary(form) if bound else [], "back": meeting_url(row)},
        status=400 if bound else 200)


@staff_required(role=Role.STAFF)
def document(request: TownRequest, pk: int) -> HttpResponse:
    """資料: every version (who, when, why, what changed, the files) and the 差し替え form."""
    row = _clerk_document(request, pk)
    bound = request.method == "POST"
    form = ReplaceForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: pack.replace_document(row, data["upload"], data["reason"], request.user,
                                                                   during_meeting_confirmed=data["confirm"]),
                            form=form, back=reverse("staff:meetings-document", args=[row.pk]),
                            done=lambda version: _("第%(number)d版に差し替えました。委員にお知らせします。")
                            % {"number": version.number})
        if response is not None:
            return response
    versions = [{"version": v, "changes": pack.describe_changes(v)}
                for v in Version.objects.filter(document=row).select_related("uploaded_by").order_by("-number")]
    return render(request, "meetings/staff/document.html", {
        "document": row, "meeting": row.meeting, "versions": versions, "form": form,
        "errors": error_summary(form) if bound else [], "in_session": pack.in_session(row.meeting),
        "back": meeting_url(row.meeting)}, status=400 if bound else 200)


@staff_required(role=Role.STAFF)
def version_file(request: TownRequest, pk: int, which: str) -> HttpResponseBase:
    """A version's original file or its PDF, for the 事務局."""
    version = Version.objects.select_related("document__meeting__body").filter(pk=pk).first()
    if version is None or not is_clerk(request.staff, version.document.meeting.body):
        raise Http404
    if which == "pdf" and version.pdf:
        stem = version.original_name.rsplit(".", 1)[0]
        return private_file_response(version.pdf, content_type="application/pdf", filename=f"{stem}.pdf")
    if which == "original":
        return private_file_response(version.original, content_type=version.original_type,
                                     filename=version.original_name)
    raise Http404


urlpatterns: list[Any] = []
staff_urlpatterns = [
    path("meetings/<uuid:meeting>/documents/new/", document_add, name="meetings-document-add"),
    path("meetings/documents/<int:pk>/", document, name="meetings-document"),
    path("meetings/versions/<int:pk>/<str:which>/", version_file, name="meetings-version-file"),
]
