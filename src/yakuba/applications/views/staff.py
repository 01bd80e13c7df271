"""Staff back office of 電子申請: the queue, a submission's record and workflow, files, PDF, CSV and figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.audit import services as audit
from yakuba.kernel.files import tables
from yakuba.kernel.files.http import bytes_response, private_file_response
from yakuba.kernel.files.uploads import PREVIEWABLE
from yakuba.kernel.forms.render import render_answers
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, add_refusal, error_summary
from yakuba.kernel.ui.views import safe_url

from .. import exports, metrics, payments, services
from ..models import OPEN_STATUSES, Channel, EventKind, Procedure, Status, Submission

OPEN = "open"
ALL = "all"
SORT_DEADLINE = "deadline"
PAGE_SIZE = 50
COUNTER_TARGET_PER_MONTH = 10  # plan 000: 窓口入力支援 月平均10回以上

# The workflow's labels are plain strings; these are the translatable button texts.
TRANSITION_LABELS = {
    "start_review": gettext_lazy("審査を始める"),
    "request_correction": gettext_lazy("補正を依頼する"),
    "complete": gettext_lazy("完了にする"),
    "reject": gettext_lazy("却下する"),
}


# Forms --------------------------------------------------------------------------------------------------------

class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状態"), required=False)
    procedure = forms.ChoiceField(label=gettext_lazy("手続"), required=False)
    assignee = forms.ChoiceField(label=gettext_lazy("担当者"), required=False, choices=[
        ("", gettext_lazy("すべて")), ("me", gettext_lazy("自分")), ("none", gettext_lazy("未割当"))])
    channel = forms.ChoiceField(label=gettext_lazy("受付方法"), required=False,
                                choices=[("", gettext_lazy("すべて")), *Channel.choices])
    q = forms.CharField(label=gettext_lazy("受付番号・氏名・フリガナ"), required=False, max_length=60)
    overdue = forms.BooleanField(label=gettext_lazy("期限を過ぎたものだけ"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("並べ方"), required=False, choices=[
        ("", gettext_lazy("申請日の新しい順")), (SORT_DEADLINE, gettext_lazy("期限の近い順"))])

    def __init__(self, data: Any = None, *, procedures: QuerySet[Procedure]) -> None:
        super().__init__(data)
        statuses = [(s.value, s.label) for s in Status if s != Status.DRAFT]
        _choice(self, "status").choices = [("", gettext_lazy("処理中（受付・審査中・補正依頼）")), *statuses,
                                           (ALL, gettext_lazy("すべて"))]
        _choice(self, "procedure").choices = [("", gettext_lazy("すべて")),
                                              *((str(p.pk), p.title) for p in procedures)]


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class TransitionForm(forms.Form):
    """What one workflow step asks of the clerk: a message (required for 補正依頼 and 却下), fields to correct."""

    message = forms.CharField(label=gettext_lazy("申請者へのメッセージ"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    flagged = forms.MultipleChoiceField(label=gettext_lazy("補正してもらう項目"), required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, data: Any = None, *, name: str, submission: Submission) -> None:
        super().__init__(data, prefix=name)
        self.name = name
        self.label = TRANSITION_LABELS.get(name, name)
        if name in services.NEEDS_MESSAGE:
            self.fields["message"].required = True
            self.fields["message"].error_messages["required"] = _("申請者へのメッセージを入力してください。")
        else:
            self.fields["message"].label = gettext_lazy("申請者へのメッセージ（任意）")
        if name == "request_correction":
            self.fields["flagged"].required = True
            self.fields["flagged"].error_messages["required"] = _("補正してもらう項目を1つ以上選んでください。")
            _choice(self, "flagged").choices = [(f.name, f.label) for f in submission.form_version.form.all_fields()]
        else:
            del self.fields["flagged"]
        if name == "start_review":
            del self.fields["message"]


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("種類"), widget=forms.RadioSelect, initial=EventKind.NOTE, choices=[
        (EventKind.NOTE, gettext_lazy("内部メモ（申請者には表示されません）")),
        (EventKind.MESSAGE, gettext_lazy("申請者へのメッセージ（メールで通知されます）"))])
    text = forms.CharField(label=gettext_lazy("内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": gettext_lazy("内容を入力してください。")})

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="note")


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.department.name} {obj}"


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=gettext_lazy("担当者"), queryset=Staff.objects.none(), required=False,
                                empty_label=gettext_lazy("未割当"))

    def __init__(self, data: Any = None, *, submission: Submission) -> None:
        super().__init__(data, prefix="assign")
        field = cast(StaffChoiceField, self.fields["assignee"])
        field.queryset = services.assignable_staff(submission)
        field.initial = submission.assignee_id


# Queue --------------------------------------------------------------------------------------------------------

BULK_ASSIGN = "assign"
BULK_START_REVIEW = "start_review"


def _filtered(submissions: QuerySet[Submission], data: dict[str, Any], staff: Staff) -> QuerySet[Submission]:
    status = data.get("status") or ""
    if status == "":
        submissions = submissions.filter(status__in=OPEN_STATUSES)
    elif status != ALL:
        submissions = submissions.filter(status=status)
    if data.get("procedure"):
        submissions = submissions.filter(procedure_id=data["procedure"])
    if data.get("assignee") == "me":
        submissions = submissions.filter(assignee=staff)
    elif data.get("assignee") == "none":
        submissions = submissions.filter(assignee__isnull=True)
    if data.get("channel"):
        submissions = submissions.filter(channel=data["channel"])
    for word in services.normalise_query(data.get("q") or "").split()[:4]:
        submissions = submissions.filter(
            Q(reference__icontains=word) | Q(resident__family_name__icontains=word)
            | Q(resident__given_name__icontains=word) | Q(resident__family_name_kana__icontains=word)
            | Q(resident__given_name_kana__icontains=word))
    if data.get("overdue"):
        submissions = submissions.filter(pk__in=services.overdue_ids(submissions))
    if data.get("sort") == SORT_DEADLINE:
        # 期限 counts 開庁日, which SQL cannot: order by the computed dates (open ones with a 期限 first).
        due = sorted(services.deadlines(submissions).items(), key=lambda item: (item[1], item[0]))
        if due:
            position = Case(*[When(pk=pk, then=Value(index)) for index, (pk, _day) in enumerate(due)],
                            default=Value(len(due)), output_field=IntegerField())
            submissions = submissions.order_by(position, "-submitted_at", "-pk")
    return submissions


class BulkForm(forms.Form):
    """Work on the submissions ticked in the queue: give them to a clerk, or 受付処理 (start the review)."""

    action = forms.ChoiceField(label=gettext_lazy("選んだ申請をまとめて"), choices=[
        ("", gettext_lazy("操作を選んでください")), (BULK_ASSIGN, gettext_lazy("担当者を割り当てる")),
        (BULK_START_REVIEW, gettext_lazy("受付処理をする（審査中にする）"))],
        error_messages={"required": gettext_lazy("操作を選んでください。")})
    assignee = StaffChoiceField(label=gettext_lazy("割り当てる担当者"), queryset=Staff.objects.none(),
                                required=False, empty_label=gettext_lazy("未割当に戻す"))

    def __init__(self, data: Any = None, *, staff: Staff) -> None:
        super().__init__(data, prefix="bulk")
        field = cast(StaffChoiceField, self.fields["assignee"])
        field.queryset = services.colleagues(staff)


def _status_links(request: TownRequest, counts: dict[str, int]) -> list[dict[str, Any]]:
    """The status filter as links with numbers: 処理中, each status, すべて."""
    current = request.GET.get("status", "")
    links = [{"value": "", "label": _("処理中"), "count": sum(counts.get(s, 0) for s in OPEN_STATUSES)}]
    links += [{"value": s.value, "label": s.label, "count": counts.get(s.value, 0)}
              for s in Status if s != Status.DRAFT]
    links.append({"value": ALL, "label": _("すべて"), "count": sum(counts.values())})
    for link in links:
        link["current"] = link["value"] == current
        link["url"] = reverse("staff:applications-queue") + (f"?status={link['value']}" if link["value"] else "")
    return links


@staff_required(role=Role.STAFF)
def queue(request: TownRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None, procedures=services.visible_procedures(request.staff))
    filters = form.cleaned_data if form.is_valid() else {}
    return _queue(request, form, filters, page_number=request.GET.get("page"))


def _queue(request: TownRequest, form: QueueFilterForm, filters: dict[str, Any], *, page_number: str | None,
           bulk: BulkForm | None = None, chosen: set[str] | None = None, status: int = 200) -> HttpResponse:
    visible = services.visible_submissions(request.staff)
    submissions = _filtered(visible, filters, request.staff).select_related("counter_staff")
    page = Paginator(submissions, PAGE_SIZE).get_page(page_number)
    today = timezone.localdate()
    rows = []
    for submission in page.object_list:
        due = services.due_date(submission)
        rows.append({"submission": submission, "due": due, "chosen": str(submission.pk) in (chosen or set()),
                     "overdue": due is not None and submission.status in OPEN_STATUSES and due < today})
    audit.record("applications.submission.listed", municipality=request.municipality, actor=request.user,
                 request=request, data={"filter": {k: v for k, v in filters.items() if v},
                                        "count": len(page.object_list)})
    return render(request, "applications/staff/queue.html", {
        "form": form, "page": page, "rows": rows, "bulk": bulk or BulkForm(staff=request.staff),
        "status_links": _status_links(request, services.queue_counts(visible)),
        "overdue_count": len(services.overdue_ids(visible)),
        "overdue_url": reverse("staff:applications-queue") + "?overdue=on&sort=" + SORT_DEADLINE,
        "back": request.get_full_path() if request.method == "GET" else safe_url(
            request, request.POST.get("next", ""), reverse("staff:applications-queue")),
        "errors": error_summary(bulk) if bulk is not None else [],
    }, status=status)


@staff_required(role=Role.STAFF)
@require_POST
def bulk(request: TownRequest) -> HttpResponse:
    """One service call for every ticked submission; a refusal shows the queue again with the ticks kept."""
    back = safe_url(request, request.POST.get("next", ""), reverse("staff:applications-queue"))
    query = QueryDict(back.partition("?")[2])
    form = QueueFilterForm(query or None, procedures=services.visible_procedures(request.staff))
    filters = form.cleaned_data if form.is_valid() else {}
    bulk_form = BulkForm(request.POST, staff=request.staff)
    ids = request.POST.getlist("ids")
    if not bulk_form.is_valid():
        return _queue(request, form, filters, page_number=query.get("page"), bulk=bulk_form, chosen=set(ids),
                      status=400)
    action, assignee = bulk_form.cleaned_data["action"], bulk_form.cleaned_data["assignee"]

    def act() -> list[Submission]:
        if action == BULK_ASSIGN:
            return services.assign_many(ids, assignee, staff=request.staff, request=request)
        return services.start_review_many(ids, staff=request.staff, request=request)

    def done(handled: list[Submission]) -> str:
        if action == BULK_ASSIGN:
            return _("%(count)d件の担当者を「%(name)s」にしました。") % {
                "count": len(handled), "name": assignee or _("未割当")}
        return _("%(count)d件を審査中にしました。") % {"count": len(handled)}

    def refused(error: Refused) -> HttpResponse:
        add_refusal(bulk_form, error)
        return _queue(request, form, filters, page_number=query.get("page"), bulk=bulk_form, chosen=set(ids),
                      status=400)

    return act_once(request, act, done=done, back=back, refused=refused)


# One submission -----------------------------------------------------------------------------------------------

def _visible(request: TownRequest, pk: int) -> Submission:
    submissions = services.visible_submissions(request.staff).select_related(
        "form_version", "counter_staff", "procedure__department")
    return get_object_or_404(submissions, pk=pk)


def _detail(request: TownRequest, submission: Submission, *, bound: forms.Form | None = None,
            status: int = 200) -> HttpResponse:
    """The submission's page; `bound` replaces the blank form of the action that failed (400)."""
    audit.record_read(request, submission)
    form = submission.form_version.form
    labels = {f.name: f.label for f in form.all_fields()}
    attachments = list(submission.attachments.all())
    names = {a.token: a.original_name for a in attachments}
    history = [{"event": event, "fields": [labels.get(name, name) for name in event.fields]}
               for event in submission.events.select_related("actor")]
    transitions = [TransitionForm(name=t.name, submission=submission)
                   for t in services.WORKFLOW.available(submission.status, "staff")]
    note_form: forms.Form = NoteForm()
    assign_form: forms.Form = AssignForm(submission=submission)
    stray_errors: list[str] = []  # a step no longer available (someone else acted first): say why at the top
    if isinstance(bound, TransitionForm):
        if any(t.name == bound.name for t in transitions):
            transitions = [bound if t.name == bound.name else t for t in transitions]
        else:
            stray_errors = [str(error) for error in bound.non_field_errors()]
    elif isinstance(bound, NoteForm):
        note_form = bound
    elif isinstance(bound, AssignForm):
        assign_form = bound
    return render(request, "applications/staff/detail.html", {
        "submission": submission, "rows": render_answers(form, submission.answers, names),
        "attachments": [{"file": a, "is_image": a.content_type in PREVIEWABLE and a.content_type.startswith("image/")}
                        for a in attachments],
        "history": history, "transitions": transitions, "note_form": note_form,
        "assign_form": assign_form, "correction_labels": [labels.get(n, n) for n in submission.correction_fields],
        "note_kind": EventKind.NOTE, "message_kind": EventKind.MESSAGE, "stray_errors": stray_errors,
        "payment": payments.submission_summary(submission), "tickets": submission.tickets.all(),
    }, status=status)


@staff_required(role=Role.STAFF)
def detail(request: TownRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


def _act(request: TownRequest, submission: Submission, form: forms.Form,
         action: Callable[[dict[str, Any]], object], done: str) -> HttpResponse:
    """Run `action` once per click if `form` is valid; 400 with the form's errors otherwise."""
    if form.is_valid():
        def refused(error: Refused) -> HttpResponse:
            add_refusal(form, error)
            return _detail(request, submission, bound=form, status=400)

        return act_once(request, lambda: action(form.cleaned_data), done=done,
                        back=reverse("staff:applications-detail", args=[submission.pk]), refused=refused)
    return _detail(request, submission, bound=form, status=400)


@staff_required(role=Role.STAFF)
@require_POST
def assign(request: TownRequest, pk: int) -> HttpResponse:
    submission = _visible(request, pk)
    form = AssignForm(request.POST, submission=submission)
    return _act(request, submission, form,
                lambda data: services.assign(submission, data["assignee"], staff=request.staff, request=request),
                _("担当者を変更しました。"))


@staff_required(role=Role.STAFF)
@require_POST
def transition(request: TownRequest, pk: int) -> HttpResponse:
    submission = _visible(request, pk)
    name = request.POST.get("transition", "")
    if name not in TRANSITION_LABELS:
        messages.error(request, _("この申請の今の状態ではその操作はできません。"))
        return HttpResponseRedirect(reverse("staff:applications-detail", args=[submission.pk]))
    form = TransitionForm(request.POST, name=name, submission=submission)
    return _act(request, submission, form,
                lambda data: services.transition(submission, name, staff=request.staff,
                                                 message=data.get("message", ""), fields=data.get("flagged", ()),
                                                 request=request),
                _("「%(action)s」を行いました。") % {"action": form.label})


@staff_required(role=Role.STAFF)
@require_POST
def note(request: TownRequest, pk: int) -> HttpResponse:
    submission = _visible(request, pk)
    form = NoteForm(request.POST)
    to_applicant = request.POST.get("note-kind") == EventKind.MESSAGE
    return _act(request, submission, form,
                lambda data: services.add_note(submission, data["text"], staff=request.staff,
                                               to_applicant=data["kind"] == EventKind.MESSAGE, request=request),
                _("申請者へのメッセージを送りました。") if to_applicant else _("内部メモを記録しました。"))


@staff_required(role=Role.STAFF)
def attachment_file(request: TownRequest, pk: int, token: str) -> HttpResponse:
    submission = _visible(request, pk)
    attachment = get_object_or_404(submission.attachments, token=token)
    audit.record("applications.attachment.viewed", municipality=request.municipality, actor=request.user,
                 obj=submission, request=request, data={"attachment": attachment.original_name,
                                                        "token": attachment.token})
    response = private_file_response(attachment.path, content_type=attachment.content_type,
                                     filename=attachment.original_name, inline=True)
    return cast(HttpResponse, response)  # a streaming response; staff_required's type only knows HttpResponse


@staff_required(role=Role.STAFF)
def pdf(request: TownRequest, pk: int) -> HttpResponse:
    submission = _visible(request, pk)
    audit.record("applications.submission.printed", municipality=request.municipality, actor=request.user,
                 obj=submission, request=request)
    return bytes_response(exports.submission_pdf(submission, for_staff=True), content_type="application/pdf",
                          filename=f"{submission.reference}.pdf", inline=True)


# Procedures, CSV, figures -------------------------------------------------------------------------------------

@staff_required(role=Role.STAFF)
def procedures(request: TownRequest) -> HttpResponse:
    filed = ~Q(submissions__status=Status.DRAFT)
    rows = services.visible_procedures(request.staff).select_related("current_form").annotate(
        total=Count("submissions", filter=filed, distinct=True),
        open=Count("submissions", filter=Q(submissions__status__in=OPEN_STATUSES), distinct=True))
    return render(request, "applications/staff/procedures.html", {
        "procedures": [{"procedure": p, "editable": services.may_edit_procedure(request.staff, p)} for p in rows],
        "may_create": request.staff.has_role(Role.ADMIN),
    })


class ExportFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), *((s.value, s.label) for s in Status
                                                                    if s != Status.DRAFT)])
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)


@staff_required(role=Role.STAFF)
def csv_export(request: TownRequest, pk: int) -> HttpResponse:
    procedure = get_object_or_404(services.visible_procedures(request.staff), pk=pk)
    form = ExportFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    submissions = services.visible_submissions(request.staff).filter(procedure=procedure).select_related(
        "form_version").prefetch_related("attachments").order_by("submitted_at", "pk")
    if data.get("status"):
        submissions = submissions.filter(status=data["status"])
    if data.get("since"):
        submissions = submissions.filter(submitted_at__date__gte=data["since"])
    if data.get("until"):
        submissions = submissions.filter(submitted_at__date__lte=data["until"])
    filed = list(submissions)
    audit.record("applications.procedure.exported", municipality=request.municipality, actor=request.user,
                 obj=procedure, request=request,
                 data={"count": len(filed), "filter": {k: str(v) for k, v in data.items() if v}})
    filename = f"{procedure.slug}-{timezone.localdate():%Y%m%d}.csv"
    response, writer = tables.csv_download(filename)
    writer.writerows(exports.csv_rows(procedure, filed))
    return response


@staff_required(role=Role.STAFF)
def stats(request: TownRequest) -> HttpResponse:
    since = date(timezone.localdate().year - 1, timezone.localdate().month, 1)
    by_month = metrics.submissions_by_month(since)
    for row in by_month:
        row["online_percent"] = None if row["online_share"] is None else round(row["online_share"] * 100)
    visits = metrics.counter_visits_by_month(since)
    average = sum(v["count"] for v in visits) / len(visits) if visits else None
    share = metrics.online_share_of_procedures()
    return render(request, "applications/staff/stats.html", {
        "by_month": by_month, "visits": visits, "since": since,
        "submissions_height": 20 * len(by_month) + 4, "visits_height": 20 * len(visits) + 4,
        "max_total": max([r["total"] for r in by_month] or [1]),
        "max_visits": max([v["count"] for v in visits] + [COUNTER_TARGET_PER_MONTH]),
        "visit_average": None if average is None else round(average, 1), "target": COUNTER_TARGET_PER_MONTH,
        "procedure_share": None if share is None else round(share * 100),
    })


urlpatterns = [
    path("applications/", queue, name="applications-queue"),
    path("applications/bulk/", bulk, name="applications-bulk"),
    path("applications/<int:pk>/", detail, name="applications-detail"),
    path("applications/<int:pk>/assign/", assign, name="applications-assign"),
    path("applications/<int:pk>/transition/", transition, name="applications-transition"),
    path("applications/<int:pk>/note/", note, name="applications-note"),
    path("applications/<int:pk>/pdf/", pdf, name="applications-pdf"),
    path("applications/<int:pk>/files/<str:token>/", attachment_file, name="applications-file"),
    path("applications/stats/", stats, name="applications-stats"),
    path("applications/procedures/", procedures, name="applications-procedures"),
    path("applications/procedures/<int:pk>/csv/", csv_export, name="applications-csv"),
]
