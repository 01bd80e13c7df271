"""The residents' pages of 通報: choose a category, the report form (place on the map or from the photo, photos,
the category's questions, contact) with a confirm step that offers open reports nearby (「同じ通報ではありませんか？」),
the public map and list with each report's status, a report's page, and its photos."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from django import forms
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.accounts.permissions import town_resident
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.forms.render import answers_from_post, render_answers, render_page
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import NON_FIELD, Refused
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary
from yakuba.kernel.ui.pagecache import cacheable_public
from yakuba.kernel.ui.widgets import map_picker_config

from ..models import Report, ReportCategory, ReportPhoto, ReportStatus
from ..records import REPORTS
from ..services import reports as services

SALT = "voice.reports.draft"
DRAFT_AGE = services.DRAFT_SECONDS  # a confirm page left open this long must be filled again
STATUS_LOOK = {  # colour never alone: a label and a shape too
    ReportStatus.RECEIVED: {"colour": "#d10000", "shape": "circle", "class": "received"},
    ReportStatus.IN_PROGRESS: {"colour": "#b78f00", "shape": "triangle", "class": "in-progress"},
    ReportStatus.DONE: {"colour": "#197a2f", "shape": "square", "class": "done"},
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.heic,.heif"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        return [f for f in (data if isinstance(data, list | tuple) else [data]) if f]


class ReportForm(forms.Form):
    latitude = forms.CharField(label=gettext_lazy("緯度"), required=False, max_length=20,
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    longitude = forms.CharField(label=gettext_lazy("経度"), required=False, max_length=20,
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    use_photo_location = forms.BooleanField(label=gettext_lazy("写真の位置を使う"), required=False,
                                            help_text=gettext_lazy("写真に撮影場所の情報があれば、その場所を使います。"
                                                                   "位置の情報は場所を知るためだけに使い、保存する"
                                                                   "写真からは消します。"))
    address = forms.CharField(label=gettext_lazy("場所の説明"), required=False, max_length=200,
                              help_text=gettext_lazy("例：下仁田駅前の交差点から北へ50m、郵便局の向かい"))
    photos = PhotosField(label=gettext_lazy("写真（4枚まで）"), required=False,
                         help_text=gettext_lazy("JPEG・PNG・HEIC（iPhone）の写真を選べます（1枚 20MB まで）。"))
    description = forms.CharField(label=gettext_lazy("どのような状態ですか"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    name = forms.CharField(label=gettext_lazy("お名前（任意）"), required=False, max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(label=gettext_lazy("メールアドレス（任意）"), required=False, max_length=254,
                            help_text=gettext_lazy("書いていただくと、対応の状況と町からの回答をメールでお知らせします。"),
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=gettext_lazy("電話番号（任意）"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))


def _category(code: str) -> ReportCategory:
    category = ReportCategory.objects.select_related("department").filter(code=code, active=True).first()
    if category is None:
        raise Http404
    return category


def _public_report(uuid: UUID) -> Report:
    report = Report.objects.select_related("category", "duplicate_of").filter(uuid=uuid).first()
    if report is None or report.hidden:
        raise Http404
    return report


def look(report: Report) -> dict[str, str]:
    return STATUS_LOOK[ReportStatus(report.status)]


def choose(request: TownRequest) -> HttpResponse:
    """通報する: the categories of this town."""
    categories = ReportCategory.objects.filter(active=True)
    return render(request, "voice/public/reports/choose.html", {"categories": categories})


def _prefill(request: TownRequest) -> dict[str, str]:
    """What the town knows of a signed-in resident (once-only): name, e-mail, phone."""
    resident = town_resident(request)
    if resident is None:
        return {}
    name = f"{resident.family_name} {resident.given_name}".strip()
    return {"name": name, "email": getattr(request.user, "email", "") or "", "phone": resident.phone}


def _stash(request: TownRequest, form: ReportForm) -> list[services.Stashed]:
    """The photos kept from an earlier try (signed) plus those chosen now, each read and stripped."""
    kept: list[services.Stashed] = []
    token = request.POST.get("kept", "")
    if token:
        try:
            kept = [services.Stashed(**p) for p in signing.loads(token, salt=SALT, max_age=DRAFT_AGE)]
        except (signing.BadSignature, TypeError):
            kept = []
    uploads = request.FILES.getlist("photos")
    if len(kept) + len(uploads) > services.MAX_PHOTOS:
        raise Refused({"photos": _("写真は%(n)s枚までです。") % {"n": services.MAX_PHOTOS}})
    for upload in uploads:
        kept.append(services.stash_photo(request.municipality, upload))
    return kept


def _render_form(request: TownRequest, category: ReportCategory, form: ReportForm, *, answers: Any = None,
                 question_errors: dict[str, list[str]] | None = None, kept: list[services.Stashed] | None = None,
                 summary: list[dict[str, str]] | None = None, status: int = 200) -> HttpResponse:
    definition = category.form
    errors = summary or error_summary(form)
    questions = render_page(definition, answers, question_errors, summary_into=errors) if definition else ""
    return render(request, "voice/public/reports/form.html", {
        "category": category, "form": form, "errors": errors, "questions": questions,
        "kept": signing.dumps([vars(p) for p in kept], salt=SALT) if kept else "", "kept_count": len(kept or []),
        "picker": map_picker_config(services.centre(request.municipality)),
    }, status=status)


def report_form(request: TownRequest, code: str) -> HttpResponse:
    """The report: place, photos, the category's questions, contact; then the confirm step, then 受付番号."""
    category = _category(code)
    if request.method != "POST":
        return _render_form(request, category, ReportForm(initial=_prefill(request)))
    if request.POST.get("step") == "send":
        return _send(request, category)
    form = ReportForm(request.POST, request.FILES)
    form.is_valid()
    definition = category.form
    answers = answers_from_post(definition, request.POST) if definition else {}
    kept: list[services.Stashed] = []
    try:
        kept = _stash(request, form)
        data = form.cleaned_data
        lat, lon = data.get("latitude", ""), data.get("longitude", "")
        located = next((p for p in kept if p.latitude is not None), None)
        from_photo = located is not None and (data.get("use_photo_location") or not (lat or lon))
        if from_photo and located is not None:
            lat, lon = f"{located.latitude:.6f}", f"{located.longitude:.6f}"
        draft = services.check_report(request.municipality, category, latitude=lat, longitude=lon,
                                      address=data.get("address", ""), description=data.get("description", ""),
                                      answers=answers, name=data.get("name", ""), email=data.get("email", ""),
                                      phone=data.get("phone", ""), photos=kept)
    except Refused as refusal:
        question_errors = {k[2:]: [v] for k, v in refusal.errors.items() if k.startswith("q_")}
        add_refusal(form, Refused({k: v for k, v in refusal.errors.items() if not k.startswith("q_")}
                                  if any(not k.startswith("q_") for k in refusal.errors) else
                                  {NON_FIELD: _("質問への答えをご確認ください。")}))
        return _render_form(request, category, form, answers=answers, question_errors=question_errors,
                            kept=kept, status=400)
    near = services.nearby(category, float(draft.latitude), float(draft.longitude))
    return render(request, "voice/public/reports/confirm.html", {
        "category": category, "draft": draft, "from_photo": from_photo,
        "token": signing.dumps(draft.as_dict(), salt=SALT),
        "rows": render_answers(definition, draft.answers) if definition else [],
        "nearby": [(r, look(r)) for r in near],
    })


def _send(request: TownRequest, category: ReportCategory) -> HttpResponse:
    try:
        data = signing.loads(request.POST.get("draft", ""), salt=SALT, max_age=DRAFT_AGE)
        draft = services.Draft.from_dict(data)
    except (signing.BadSignature, TypeError):
        summary = [{"id": "", "label": "", "message": _("確認の期限が切れました。もう一度入力してください。")}]
        return _render_form(request, category, ReportForm(initial=_prefill(request)), summary=summary, status=400)
    if draft.category_id != category.pk:
        raise Http404
    resident = town_resident(request, create=True) if request.user.is_authenticated else None

    def refused(error: Refused) -> HttpResponse:
        form = ReportForm(initial={k: getattr(draft, k) for k in ("latitude", "longitude", "address",
                                                                   "description", "name", "email", "phone")})
        summary = [{"id": "", "label": "", "message": m} for m in error.messages]
        return _render_form(request, category, form, answers=draft.answers, summary=summary, status=400)

    return act_once(request, lambda: services.submit_report(request.municipality, draft, resident=resident),
                    done=_("通報を受け付けました。"), refused=refused,
                    back=lambda report: reverse("voice:report-sent", args=[report.uuid]))


def sent(request: TownRequest, uuid: UUID) -> HttpResponse:
    report: Report = get_object_or_404(Report.objects.select_related("category"), uuid=uuid)
    return render(request, "voice/public/reports/sent.html", {"report": report})


def _points(reports: list[Report]) -> list[dict[str, Any]]:
    return [{"lat": float(r.latitude), "lon": float(r.longitude), "title": f"{r.category.shown_name}",
             "status": r.get_status_display(), "shape": look(r)["shape"], "colour": look(r)["colour"],
             "url": reverse("voice:report", args=[r.uuid])} for r in reports]


@cacheable_public(kinds=(REPORTS,))
def index(request: TownRequest) -> HttpResponse:
    """通報の地図と一覧: every public report with its status (受付 red ●, 対応中 yellow ▲, 対応済 green ■)."""
    rows = Report.objects.filter(hidden=False, duplicate_of__isnull=True).select_related("category")
    wanted = request.GET.get("status", "")
    if wanted in ReportStatus.values:
        rows = rows.filter(status=wanted)
    reports = list(rows[:300])
    return render(request, "voice/public/reports/index.html", {
        "reports": [(r, look(r)) for r in reports], "statuses": ReportStatus.choices, "wanted": wanted,
        "looks": [(label, STATUS_LOOK[ReportStatus(value)]) for value, label in ReportStatus.choices],
        "map": {**map_picker_config(services.centre(request.municipality), zoom=13), "points": _points(reports)},
    })


@cacheable_public(kinds=(REPORTS,))
def detail(request: TownRequest, uuid: UUID) -> HttpResponse:
    report = _public_report(uuid)
    if report.duplicate_of_id is not None and report.duplicate_of is not None and not report.duplicate_of.hidden:
        return HttpResponseRedirect(reverse("voice:report", args=[report.duplicate_of.uuid]))
    definition = report.category.form
    return render(request, "voice/public/reports/detail.html", {
        "report": report, "look": look(report),
        "rows": render_answers(definition, report.answers) if definition else [],
        "photos": [p for p in report.photos.all() if not p.after],
        "after": [p for p in report.photos.all() if p.after],
        "events": report.events.filter(public=True),
    })


def support(request: TownRequest, uuid: UUID) -> HttpResponse:
    """「わたしも困っています」 (+1), once per browser: GET asks, POST counts."""
    report = _public_report(uuid)
    if request.method != "POST":
        return render(request, "voice/public/reports/supported.html", {"report": report, "ask": True})
    if not request.session.session_key:
        request.session.save()
    key = hashlib.sha256(f"{request.session.session_key}:{report.pk}".encode()).hexdigest()
    outcome = attempt(request, lambda: services.support(report, key))
    if outcome.refused is not None:
        return render(request, "voice/public/reports/supported.html",
                      {"report": report, "message": outcome.refused.message}, status=400)
    message = _("「わたしも困っています」を伝えました。ありがとうございます。") if outcome.result else _(
        "この通報には、すでに「わたしも困っています」を伝えています。")
    return render(request, "voice/public/reports/supported.html", {"report": report, "message": message})


@cacheable_public(kinds=(REPORTS,), max_age=3600)
def photo(request: TownRequest, uuid: UUID) -> HttpResponseBase:
    """A public report's photo (stripped when stored): only while the report is public."""
    row = ReportPhoto.objects.select_related("report").filter(uuid=uuid).first()
    if row is None or not row.report.public:
        raise Http404
    response = private_file_response(row.path, content_type=row.content_type, filename=f"{row.uuid}.jpg",
                                     inline=True)
    if not request.user.is_authenticated:  # the same for everyone: any cache may keep it an hour
        response["Cache-Control"] = "public, max-age=3600"
    return response


urlpatterns = [
    path("reports/", index, name="reports"),
    path("reports/new/", choose, name="report-new"),
    path("reports/new/<slug:code>/", report_form, name="report-form"),
    path("reports/sent/<uuid:uuid>/", sent, name="report-sent"),
    path("reports/photos/<uuid:uuid>/", photo, name="report-photo"),
    path("reports/<uuid:uuid>/", detail, name="report"),
    path("reports/<uuid:uuid>/support/", support, name="report-support"),
]
