"""Resident pages of お知らせ: the list, one notice (with 「確認しました」 and the reply form), its files, the feeds."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import staff_of, town_resident
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.models import Delivery, Language
from yakuba.kernel.ui import prefs
from yakuba.kernel.ui.actions import attempt
from yakuba.kernel.ui.pagecache import cacheable_public

from .. import feeds, records
from ..models import Category, Notice, NoticeAttachment, NoticeQuerySet, NoticeStatus, ReplyKind
from ..services import replies

PAGE_SIZE = 20
PINNED_MAX = 10


PAGE_KINDS = (records.KIND, records.CONTENT)  # what the cached pages show (kernel/ui/pagecache.py)


# List ---------------------------------------------------------------------------------------------------------

@require_GET
@cacheable_public(kinds=PAGE_KINDS)
def index(request: TownRequest) -> HttpResponse:
    categories = list(Category.objects.all())
    slug = request.GET.get("category", "")
    chosen = next((category for category in categories if category.slug == slug), None)
    if slug and chosen is None:
        raise Http404(_("その分類のお知らせはありません。"))
    visible = town_notices(request).visible().select_related("category", "department").prefetch_related(
        "translations")
    pinned: list[Notice] = []
    if chosen is not None:
        listed = visible.filter(category=chosen)
    else:
        # 防災: what is in force now stays on top, whatever else was published since.
        pinned = list(visible.filter(category__is_emergency=True)[:PINNED_MAX])
        listed = visible.exclude(pk__in=[notice.pk for notice in pinned])
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/public/index.html", {
        "categories": categories, "chosen": chosen, "pinned": pinned if page.number == 1 else [], "page": page,
        "feed_url": reverse("notices:category-feed", args=[chosen.slug]) if chosen else reverse("notices:feed"),
    })


# One notice ---------------------------------------------------------------------------------------------------

class ReplyForm(forms.Form):
    answer = forms.ChoiceField(label=gettext_lazy("ご回答"), widget=forms.RadioSelect,
                               error_messages={"required": gettext_lazy("回答を選んでください。"),
                                               "invalid_choice": gettext_lazy("回答を選択肢から選んでください。")})
    comment = forms.CharField(label=gettext_lazy("ひとこと"), required=False, max_length=replies.COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=gettext_lazy("1000文字まで"),
                              error_messages={"required": gettext_lazy("ご回答の内容を入力してください。"),
                                              "max_length": gettext_lazy("1000文字以内で入力してください。")})
    name = forms.CharField(label=gettext_lazy("お名前"), required=False, max_length=replies.NAME_MAX,
                           error_messages={"max_length": gettext_lazy("お名前は100文字以内で入力してください。")})

    def __init__(self, *args: Any, notice: Notice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = replies.choices_of(notice)
        if choices:
            self.fields["answer"].choices = [(choice, choice) for choice in choices]  # type: ignore[attr-defined]
        else:
            del self.fields["answer"]
        if notice.reply_kind == ReplyKind.COMMENT:
            self.fields["comment"].required = True
            self.fields["comment"].label = gettext_lazy("ご回答")


def town_notices(request: TownRequest) -> NoticeQuerySet:
    """This town's notices (the scoped manager needs the scope; the filter says which town even without it)."""
    return Notice.objects.filter(municipality=request.municipality)


def _visible(request: TownRequest, public_id: UUID) -> Notice:
    notice: Notice = get_object_or_404(town_notices(request).visible().select_related("category", "department"),
                                       public_id=public_id)
    return notice


def _shown(request: TownRequest, public_id: UUID) -> tuple[Notice, bool]:
    """The notice and whether it has expired: expired ones stay readable with 「掲載を終了しました」, so a link in an
    old message still says what it was; drafts, future and withdrawn ones are not found."""
    notice: Notice = get_object_or_404(
        town_notices(request).select_related("category", "department"), public_id=public_id,
        status=NoticeStatus.PUBLISHED, publish_at__lte=timezone.now())
    expired = notice.expires_at is not None and notice.expires_at <= timezone.now()
    return notice, expired


def _delivery(request: TownRequest, notice: Notice, key: str) -> Delivery | None:
    """The message this page was opened from, when its key belongs to this notice's broadcast."""
    if not key or notice.broadcast_id is None:
        return None
    delivery = messaging.delivery_by_key(request.municipality, key)
    return delivery if delivery is not None and delivery.broadcast_id == notice.broadcast_id else None


def _resident(request: TownRequest) -> Resident | None:
    """The signed-in resident of this town; their profile is made by their first reply (a write), never by
    looking. Staff and visitors have none."""
    resident = town_resident(request)
    if resident is None and request.method == "POST" and staff_of(request.user, request.municipality) is None:
        resident = town_resident(request, create=True)
    return resident


def _version(request: TownRequest, notice: Notice, delivery: Delivery | None) -> dict[str, Any]:
    """Which text to show: やさしい日本語 when asked (?easy=1) or chosen by the subscriber, a staff translation in
    the page's language (or the subscriber's), else the Japanese."""
    chosen = delivery.subscriber.language if delivery is not None else ""
    easy_param = request.GET.get("easy")
    wants_easy = chosen == Language.EASY or (not chosen and prefs.easy_on(request))  # the display switch
    easy = bool(notice.easy_body) and (easy_param == "1" or (easy_param is None and wants_easy))
    language = chosen if chosen and chosen not in (Language.JA, Language.EASY) else request.LANGUAGE_CODE
    translation = None
    if not easy and language and language != "ja":
        translation = notice.translations.filter(language=language).first()
    return {"easy": easy, "translation": translation, "has_easy": bool(notice.easy_body)}


def _toggle_url(request: TownRequest, easy: bool) -> str:
    query = {key: value for key, value in request.GET.items() if key != "easy"}
    query["easy"] = "1" if easy else "0"
    return "?" + urlencode(query)


def _render(request: TownRequest, notice: Notice, *, expired: bool, key: str, form: ReplyForm | None = None,
            errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    delivery = _delivery(request, notice, key)
    asks = notice.reply_kind != ReplyKind.NONE and not expired
    resident = _resident(request) if asks and delivery is None else None
    subscriber = delivery.subscriber if delivery is not None else None
    previous = replies.existing(notice, subscriber=subscriber, resident=resident) if asks else None
    if asks and form is None:
        initial = {"name": f"{resident.family_name} {resident.given_name}".strip() if resident is not None else ""}
        if previous is not None:
            initial = {"answer": previous.answer, "comment": previous.comment, "name": previous.name}
        form = ReplyForm(notice=notice, initial=initial)
    attachments = [] if expired else list(notice.attachments.all())
    return render(request, "notices/public/detail.html", {
        "notice": notice, "expired": expired, "delivery": delivery, "key": str(delivery.key) if delivery else "",
        "ask_ack": delivery is not None and delivery.broadcast.ask_ack and not expired,
        "areas": list(notice.areas.all()), "images": [item for item in attachments if item.is_image],
        "files": [item for item in attachments if not item.is_image],
        "asks": asks, "reply_open": asks and replies.is_open(notice),
        "can_reply": bool(delivery or resident or (request.user.is_authenticated and asks
                                                   and staff_of(request.user, request.municipality) is None)),
        "form": form, "errors": errors or [], "previous": previous,
        "login_url": reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()}),
        "easy_url": _toggle_url(request, True), "plain_url": _toggle_url(request, False),
        **_version(request, notice, delivery),
    }, status=status)


@require_GET
@cacheable_public(kinds=PAGE_KINDS, private_params=("m",))
def detail(request: TownRequest, public_id: UUID) -> HttpResponse:
    notice, expired = _shown(request, public_id)
    return _render(request, notice, expired=expired, key=request.GET.get("m", ""))


BAD_LINK = gettext_lazy("このリンクは使えません。お知らせのメールやLINEのリンクから開き直してください。")


def _bad_request(request: TownRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"exception": message}, status=400)


def _back(notice: Notice, key: str) -> str:
    url = reverse("notices:detail", args=[notice.public_id])
    return f"{url}?{urlencode({'m': key})}" if key else url


@require_POST
def ack(request: TownRequest, public_id: UUID) -> HttpResponse:
    notice, _expired = _shown(request, public_id)
    delivery = _delivery(request, notice, request.POST.get("m", ""))
    if delivery is None:
        return _bad_request(request, str(BAD_LINK))
    messaging.acknowledge(delivery)  # the first press counts; a second one changes nothing
    messages.success(request, _("確認しました。ありがとうございます。"))
    return HttpResponseRedirect(_back(notice, str(delivery.key)))


@require_POST
def reply(request: TownRequest, public_id: UUID) -> HttpResponse:
    notice, expired = _shown(request, public_id)
    key = request.POST.get("m", "")
    delivery = _delivery(request, notice, key)
    if key and delivery is None:
        return _bad_request(request, str(BAD_LINK))
    resident = None if delivery is not None else _resident(request)
    form = ReplyForm(request.POST, notice=notice)
    errors: list[str] = []
    if expired or notice.reply_kind == ReplyKind.NONE:
        errors = [_("このお知らせには回答できません。")]
    elif delivery is None and resident is None:
        errors = [_("ご回答にはログインするか、お知らせのメールやLINEのリンクから開いてください。")]
    elif form.is_valid():
        outcome = attempt(request, lambda: _save_reply(notice, form.cleaned_data, delivery=delivery,
                                                       resident=resident))
        if outcome.refused is not None:
            errors = outcome.refused.messages
        else:
            messages.success(request, outcome.result or _("このご回答はすでに受け付けています。"))
            return HttpResponseRedirect(_back(notice, key) + "#reply")
    return _render(request, notice, expired=expired, key=key, form=form, errors=errors, status=400)


def _save_reply(notice: Notice, data: dict[str, Any], *, delivery: Delivery | None,
                resident: Resident | None) -> str:
    """Write the reply; what to tell the resident."""
    had = replies.existing(notice, subscriber=delivery.subscriber if delivery else None, resident=resident)
    replies.reply(notice, answer=data.get("answer", ""), comment=data["comment"], name=data["name"],
                  delivery=delivery, resident=resident)
    return _("ご回答を変更しました。") if had else _("ご回答を受け付けました。ありがとうございます。")


@require_GET
def attachment(request: TownRequest, public_id: UUID, pk: int) -> HttpResponseBase:
    notice = _visible(request, public_id)
    item: NoticeAttachment = get_object_or_404(NoticeAttachment.objects.filter(notice=notice), pk=pk)
    return private_file_response(item.path, content_type=item.content_type, filename=item.original_name,
                                 inline=True)


urlpatterns = [
    path("notices/", index, name="index"),
    path("notices/feed/", feeds.feed, name="feed"),
    path("notices/feed/<slug:category>/", feeds.feed, name="category-feed"),
    path("notices/<uuid:public_id>/", detail, name="detail"),
    path("notices/<uuid:public_id>/ack/", ack, name="ack"),
    path("notices/<uuid:public_id>/reply/", reply, name="reply"),
    path("notices/<uuid:public_id>/files/<int:pk>/", attachment, name="attachment"),
]
