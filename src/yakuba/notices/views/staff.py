"""Staff pages of お知らせの配信: the list, writing and correcting a notice, its preview and publishing, live delivery
figures, withdrawing, and the replies (tally, list, CSV). Staff see their department's notices and every 防災 one;
情報担当 sees all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.audit import services as audit
from yakuba.kernel.files import tables
from yakuba.kernel.http import TownRequest
from yakuba.kernel.messaging.models import Channel, DeliveryStatus
from yakuba.kernel.ui.actions import act_once, attempt, error_summary

from .. import worklist
from ..models import AlertLevel, Area, Audience, Category, Notice, NoticeStatus, NoticeTranslation, ReplyKind
from ..services import disaster
from ..services import notices as services
from ..services.notices import NoticeData

LIST_LIMIT = 200


# Forms ----------------------------------------------------------------------------------------------------------

class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


WHEN_ERRORS = {"invalid": gettext_lazy("日時は「年/月/日 時:分」の形で入力してください。"),
               "required": gettext_lazy("日時を入力してください。")}


def _when(label: Any, *, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=False, widget=DateTimeInput(), help_text=help_text,
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
                               error_messages=WHEN_ERRORS)


class NoticeForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("件名"), max_length=120,
                            error_messages={"required": gettext_lazy("件名を入力してください。"),
                                            "max_length": gettext_lazy("件名は120文字以内で入力してください。")})
    body = forms.CharField(label=gettext_lazy("本文"), widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=gettext_lazy("メール・LINE・プッシュ通知でもこの本文を送ります。"),
                           error_messages={"required": gettext_lazy("本文を入力してください。")})
    easy_title = forms.CharField(label=gettext_lazy("件名（やさしい日本語）"), max_length=120, required=False,
                                 error_messages={"max_length": gettext_lazy(
                                     "やさしい日本語の件名は120文字以内で入力してください。")})
    easy_body = forms.CharField(label=gettext_lazy("本文（やさしい日本語）"), required=False,
                                widget=forms.Textarea(attrs={"rows": 6}),
                                help_text=gettext_lazy("「やさしい日本語」を選んだ方にはこちらを送ります。"))
    category = forms.TypedChoiceField(label=gettext_lazy("分類"), coerce=int,
                                      error_messages={"required": gettext_lazy("分類を選んでください。"),
                                                      "invalid_choice": gettext_lazy("分類を選び直してください。")})
    alert_level = forms.TypedChoiceField(
        label=gettext_lazy("警戒レベル（防災のお知らせ）"), coerce=int, empty_value=None, required=False,
        choices=[("", gettext_lazy("なし")), *AlertLevel.choices],
        help_text=gettext_lazy("避難情報を出すときに選びます。町の設定したレベル以上の防災のお知らせを公開すると、"
                               "公開サイトが災害モードになります。"),
        error_messages={"invalid_choice": gettext_lazy("警戒レベルを選び直してください。")})
    department = forms.TypedChoiceField(label=gettext_lazy("担当課"), coerce=int,
                                        error_messages={"required": gettext_lazy("担当課を選んでください。"),
                                                        "invalid_choice": gettext_lazy("担当課を選び直してください。")})
    areas = forms.TypedMultipleChoiceField(label=gettext_lazy("対象地区"), coerce=int, required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=gettext_lazy("選ばなければ町全体が対象です。"),
                                           error_messages={"invalid_choice": gettext_lazy(
                                               "対象地区を選び直してください。")})
    audiences = forms.MultipleChoiceField(label=gettext_lazy("対象者"), required=False,
                                          choices=Audience.choices, widget=forms.CheckboxSelectMultiple,
                                          error_messages={"invalid_choice": gettext_lazy(
                                              "対象者を選び直してください。")})
    publish_at = _when(gettext_lazy("公開日時"), help_text=gettext_lazy("空欄なら公開ボタンを押したときに公開します。"))
    expires_at = _when(gettext_lazy("掲載終了日時"), help_text=gettext_lazy("空欄なら掲載を続けます。"))
    deliver = forms.BooleanField(label=gettext_lazy("登録者にメール・LINE・プッシュ通知で配信する"), required=False,
                                 initial=True)
    reply_kind = forms.ChoiceField(label=gettext_lazy("返信"), choices=ReplyKind.choices, widget=forms.RadioSelect,
                                   initial=ReplyKind.NONE,
                                   error_messages={"required": gettext_lazy("返信の種類を選んでください。"),
                                                   "invalid_choice": gettext_lazy("返信の種類を選び直してください。")})
    reply_choices = forms.CharField(label=gettext_lazy("返信の選択肢（1行に1つ）"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text=gettext_lazy("「はい・いいえ」で空欄なら「はい」「いいえ」になります。"
                                                           "例: 出席／欠席"))
    reply_deadline = _when(gettext_lazy("返信の締切"))
    en_title = forms.CharField(label=gettext_lazy("件名（英語）"), max_length=200, required=False,
                               error_messages={"max_length": gettext_lazy(
                                   "英語の件名は200文字以内で入力してください。")})
    en_body = forms.CharField(label=gettext_lazy("本文（英語）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(label=gettext_lazy("添付ファイル"), required=False,
                                 help_text=gettext_lazy("PDF・画像・Word・Excel、10MBまで。お知らせのページに表示します。"),
                                 error_messages={"invalid": gettext_lazy("ファイルを選び直してください。"),
                                                 "empty": gettext_lazy("ファイルが空です。")})

    def __init__(self, data: Any = None, files: Any = None, *, staff: Staff,
                 initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, files, initial=initial)
        self.categories = {category.pk: category for category in Category.objects.all()}
        self.area_objects = {area.pk: area for area in Area.objects.all()}
        departments = Department.objects.order_by("sort_order", "name")
        if not staff.has_role(Role.ADMIN):
            departments = departments.filter(pk=staff.department_id)
        self.departments = {department.pk: department for department in departments}
        self._choices("category", [(pk, c.name) for pk, c in self.categories.items()], blank=True)
        self._choices("department", [(pk, d.name) for pk, d in self.departments.items()])
        self._choices("areas", [(pk, a.name) for pk, a in self.area_objects.items()])
        if "department" not in self.initial and staff.department_id in self.departments:
            self.initial["department"] = staff.department_id

    def _choices(self, name: str, choices: list[tuple[Any, str]], *, blank: bool = False) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = ([("", _("選んでください"))] if blank else []) + choices

    def to_data(self) -> NoticeData:
        data = self.cleaned_data
        english = (data["en_title"], data["en_body"])
        return NoticeData(
            title=data["title"], body=data["body"], easy_title=data["easy_title"], easy_body=data["easy_body"],
            category=self.categories.get(data["category"]), department=self.departments.get(data["department"]),
            areas=[self.area_objects[pk] for pk in data["areas"]], audiences=list(data["audiences"]),
            publish_at=data["publish_at"], expires_at=data["expires_at"], deliver=data["deliver"],
            reply_kind=data["reply_kind"], reply_choices=data["reply_choices"].splitlines(),
            reply_deadline=data["reply_deadline"], translation_en=english if any(english) else None,
            alert_level=data["alert_level"],
            attachments=[data["attachment"]] if data.get("attachment") else [])


def _initial(notice: Notice) -> dict[str, Any]:
    english = NoticeTranslation.objects.filter(notice=notice, language="en").first()
    local = timezone.localtime
    return {
        "title": notice.title, "body": notice.body, "easy_title": notice.easy_title, "easy_body": notice.easy_body,
        "category": notice.category_id, "department": notice.department_id, "alert_level": notice.alert_level,
        "areas": list(notice.areas.values_list("pk", flat=True)), "audiences": notice.audiences,
        "publish_at": local(notice.publish_at), "expires_at": local(notice.expires_at) if notice.expires_at else None,
        "deliver": notice.deliver, "reply_kind": notice.reply_kind, "reply_choices": "\n".join(notice.reply_choices),
        "reply_deadline": local(notice.reply_deadline) if notice.reply_deadline else None,
        "en_title": english.title if english else "", "en_body": english.body if english else "",
    }


# List -----------------------------------------------------------------------------------------------------------

def _filter_state(notices: QuerySet[Notice], state: str, now: datetime) -> QuerySet[Notice]:
    published = Q(status=NoticeStatus.PUBLISHED)
    current = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    conditions = {
        "draft": Q(status=NoticeStatus.DRAFT), "withdrawn": Q(status=NoticeStatus.WITHDRAWN),
        "expired": published & Q(expires_at__lte=now),
        "scheduled": published & Q(publish_at__gt=now) & current,
        "live": published & Q(publish_at__lte=now) & current,
    }
    return notices.filter(conditions[state])


@staff_required(role=Role.STAFF)
def notice_list(request: TownRequest) -> HttpResponse:
    now = timezone.now()
    notices = services.managed_notices(request.staff)
    state, slug = request.GET.get("status", ""), request.GET.get("category", "")
    categories = list(Category.objects.all())
    status = 200
    if state and state not in services.STATE_LABELS or slug and slug not in {c.slug for c in categories}:
        messages.error(request, _("絞り込みの条件が正しくありません。選び直してください。"))
        state, slug, status = "", "", 400
    if state:
        notices = _filter_state(notices, state, now)
    if slug:
        notices = notices.filter(category__slug=slug)
    work = request.GET.get("work", "")
    if work == worklist.DELIVERING:
        notices = worklist.delivering(notices)
    elif work == worklist.REPLIES:
        notices = worklist.taking_replies(notices)
    rows = [{"notice": notice, "state": services.state_of(notice, now),
             "label": str(services.STATE_LABELS[services.state_of(notice, now)])}
            for notice in notices[:LIST_LIMIT]]
    return render(request, "notices/staff/list.html", {
        "rows": rows, "categories": categories, "state": state, "category": slug,
        "states": [(key, str(label)) for key, label in services.STATE_LABELS.items()],
    }, status=status)


# Writing --------------------------------------------------------------------------------------------------------

def _managed(request: TownRequest, pk: int) -> Notice:
    return get_object_or_404(services.managed_notices(request.staff), pk=pk)


def _form_page(request: TownRequest, form: NoticeForm, notice: Notice | None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        if notice is not None and notice.status == NoticeStatus.PUBLISHED:
            done = _("お知らせを修正しました。ページの内容は変わりましたが、すでに送ったメッセージは送り直しません。")
        else:
            done = _("お知らせを保存しました。内容を確かめて公開してください。")
        response = act_once(request, lambda: services.save_notice(request.staff, notice=notice, data=form.to_data()),
                            done=done, back=lambda saved: reverse("staff:notice-detail", args=[saved.pk]),
                            form=form, again=reverse("staff:notices"))
        if response is not None:
            return response
    return render(request, "notices/staff/form.html", {
        "form": form, "notice": notice, "errors": error_summary(form),
        "emergency_ids": [pk for pk, category in form.categories.items() if category.is_emergency],
    }, status=400 if form.is_bound else 200)


@staff_required(role=Role.STAFF)
def notice_new(request: TownRequest) -> HttpResponse:
    bound = request.method == "POST"
    form = NoticeForm(request.POST if bound else None, request.FILES if bound else None, staff=request.staff,
                      initial={"publish_at": timezone.localtime().replace(second=0, microsecond=0)})
    return _form_page(request, form, None)


@staff_required(role=Role.STAFF)
def notice_edit(request: TownRequest, pk: int) -> HttpResponse:
    notice = _managed(request, pk)
    if notice.status == NoticeStatus.WITHDRAWN:
        messages.error(request, _("取り下げたお知らせは変更できません。"))
        return HttpResponseRedirect(reverse("staff:notice-detail", args=[notice.pk]))
    bound = request.method == "POST"
    form = NoticeForm(request.POST if bound else None, request.FILES if bound else None, staff=request.staff,
                      initial=_initial(notice))
    return _form_page(request, form, notice)


# One notice -----------------------------------------------------------------------------------------------------

def _channels() -> list[tuple[str, str]]:
    return [(channel.value, str(channel.label)) for channel in Channel]


def _counts_context(notice: Notice) -> dict[str, Any]:
    counts = services.delivery_counts(notice)
    if counts is None:
        return {"counts": None}
    statuses = [(status.value, str(status.label)) for status in DeliveryStatus]
    rows = [{"channel": label, "values": [counts["channels"].get(value, {}).get(s, 0) for s, _label in statuses]}
            for value, label in _channels() if value in counts["channels"]]
    return {"counts": counts, "statuses": statuses, "count_rows": rows,
            "totals": [counts["status"][s] for s, _label in statuses]}


@staff_required(role=Role.STAFF)
def notice_detail(request: TownRequest, pk: int) -> HttpResponse:
    return _detail(request, _managed(request, pk))


def _detail(request: TownRequest, notice: Notice, *, errors: list[str] | None = None,
            status: int = 200) -> HttpResponse:
    state = services.state_of(notice)
    expected = services.expected_recipients(notice) if notice.broadcast is None else None
    return render(request, "notices/staff/detail.html", {
        "notice": notice, "state": state, "state_label": str(services.STATE_LABELS[state]),
        "content": services.message_content(notice), "expected": expected, "channels": _channels(),
        "expected_total": sum(expected.values()) if expected else 0,
        "english": NoticeTranslation.objects.filter(notice=notice, language="en").first(),
        "attachments": list(notice.attachments.all()), "areas": list(notice.areas.all()),
        "audiences": [str(label) for value, label in Audience.choices if value in notice.audiences],
        "can_publish": notice.status == NoticeStatus.DRAFT or (
            notice.status == NoticeStatus.PUBLISHED and notice.deliver and notice.broadcast is None
            and notice.publish_at <= timezone.now()),
        "errors": errors or [], **_counts_context(notice), **_disaster_context(notice),
    }, status=status)


def _disaster_context(notice: Notice) -> dict[str, Any]:
    """Whether publishing this notice turns the public site into 災害モード, and whether it is on now."""
    threshold = disaster.settings_of(notice.municipality_id).threshold
    return {"turns_disaster_on": notice.status == NoticeStatus.DRAFT and disaster.triggers(notice, threshold),
            "disaster_mode": disaster.active_mode(notice.municipality_id)}


@staff_required(role=Role.STAFF)
@require_POST
def notice_publish(request: TownRequest, pk: int) -> HttpResponse:
    notice = _managed(request, pk)
    outcome = attempt(request, lambda: services.publish_notice(request.staff, notice))
    if outcome.repeated:
        messages.info(request, _("この操作はすでに受け付けています。"))
    elif outcome.refused is not None:
        return _detail(request, notice, errors=outcome.refused.messages, status=400)
    elif (published := outcome.result) is not None:
        if published.broadcast_id is not None:
            messages.success(request, _("公開し、配信を始めました。送信の状況はこのページで確かめられます。"))
        elif published.deliver and published.publish_at > timezone.now():
            messages.success(request, _("公開を予約しました。公開日時になると配信を始めます。"))
        else:
            messages.success(request, _("公開しました。"))
    return HttpResponseRedirect(reverse("staff:notice-detail", args=[pk]))


@staff_required(role=Role.STAFF)
def notice_counts(request: TownRequest, pk: int) -> HttpResponse:
    """The live delivery figures, as the fragment the detail page swaps in every 5 s, or JSON."""
    notice = _managed(request, pk)
    if request.GET.get("format") == "json":
        counts = services.delivery_counts(notice)
        return JsonResponse({"counts": counts})
    return render(request, "notices/staff/_counts.html", {"notice": notice, **_counts_context(notice)})


@staff_required(role=Role.STAFF)
def notice_withdraw(request: TownRequest, pk: int) -> HttpResponse:
    notice = _managed(request, pk)
    reason = request.POST.get("reason", "") if request.method == "POST" else ""

    def page(errors: list[str]) -> HttpResponse:
        mode = disaster.active_mode(request.municipality)
        return render(request, "notices/staff/withdraw.html", {
            "notice": notice, "reason": reason, "errors": errors,
            "keeps_disaster_mode": mode is not None and mode.notice_id == notice.pk}, status=400 if errors else 200)

    if request.method == "POST":
        return act_once(request, lambda: services.withdraw_notice(request.staff, notice, reason),
                        done=_("お知らせを取り下げました。まだ送っていないメッセージは送りません。"),
                        back=reverse("staff:notice-detail", args=[pk]), refused=lambda error: page(error.messages))
    return page([])


# Replies --------------------------------------------------------------------------------------------------------

def _reply_rows(notice: Notice) -> list[dict[str, Any]]:
    from ..services import replies

    labels = dict(Channel.choices)
    return [{**row, "channel_label": labels.get(row["channel"], _("ウェブ"))} for row in replies.rows(notice)]


@staff_required(role=Role.STAFF)
def notice_replies(request: TownRequest, pk: int) -> HttpResponse:
    from ..services import replies

    notice = _managed(request, pk)
    rows = _reply_rows(notice)
    audit.record("notices.replies.viewed", municipality=request.municipality, actor=request.user, obj=notice,
                 request=request, data={"count": len(rows)})
    return render(request, "notices/staff/replies.html", {
        "notice": notice, "tally": replies.tally(notice), "rows": rows})


@staff_required(role=Role.STAFF)
def notice_replies_csv(request: TownRequest, pk: int) -> HttpResponse:
    notice = _managed(request, pk)
    rows = _reply_rows(notice)
    response, writer = tables.csv_download(f"notice-{notice.pk}-replies.csv")
    writer.writerow([_("お名前"), _("回答"), _("ひとこと"), _("経路"), _("回答日時"), _("更新日時")])
    for row in rows:
        writer.writerow([row["name"], row["answer"], row["comment"],
                         row["channel_label"], _stamp(row["created"]), _stamp(row["updated"])])
    audit.record("notices.replies.exported", municipality=request.municipality, actor=request.user, obj=notice,
                 request=request, data={"count": len(rows)})
    return response


def _stamp(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


urlpatterns = [
    path("notices/", notice_list, name="notices"),
    path("notices/new/", notice_new, name="notice-new"),
    path("notices/<int:pk>/", notice_detail, name="notice-detail"),
    path("notices/<int:pk>/edit/", notice_edit, name="notice-edit"),
    path("notices/<int:pk>/publish/", notice_publish, name="notice-publish"),
    path("notices/<int:pk>/counts/", notice_counts, name="notice-counts"),
    path("notices/<int:pk>/withdraw/", notice_withdraw, name="notice-withdraw"),
    path("notices/<int:pk>/replies/", notice_replies, name="notice-replies"),
    path("notices/<int:pk>/replies.csv", notice_replies_csv, name="notice-replies-csv"),
]
