"""The town's home page from its Site (the kernel's home hook), the site's colour as a stylesheet and its emblem, and
the site settings page of the 情報担当 (/staff/website/site/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, get_script_prefix, path, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yakuba.kernel.accounts.models import Department, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui import registry as ui_registry
from yakuba.kernel.ui.actions import act_once, error_summary
from yakuba.kernel.ui.pagecache import cacheable_public

from ..models import Site
from ..registry import PAGES
from ..services import site as service

ASSET_MAX_AGE = 3600  # the stylesheet and the emblem carry the site's revision in their URL


def reader_language(request: TownRequest) -> str:
    """"en", "easy" (やさしい日本語, when the display offers it) or "ja"."""
    if getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE) == "en":
        return "en"
    from yakuba.kernel.ui import prefs

    easy = getattr(prefs, "easy_on", None)
    return "easy" if callable(easy) and easy(request) else "ja"


def local_url(url: str) -> str:
    """A shortcut's "/path" is of this site: served under the town's prefix (/t/<code>/) where there is one."""
    return get_script_prefix().rstrip("/") + url if url.startswith("/") else url


def _entry_points(request: TownRequest, site: Any, language: str) -> list[dict[str, Any]]:
    """ごみ, 手続き, 予約 (what apps register), then the town's own shortcuts."""
    entries: list[dict[str, Any]] = []
    gomi = service.gomi_page()
    if gomi is not None:
        entries.append({"label": _("ごみ"), "url": service.page_url(gomi.path), "lang": "", "key": "gomi"})
    for entry in ui_registry.home_entry_points:
        entries.append({"label": entry.label, "url": reverse(entry.url_name), "lang": "", "key": entry.url_name})
    for shortcut in site.shortcuts or []:
        label, lang = shortcut.get("label", ""), ""
        if language == "en":
            label, lang = (shortcut["label_en"], "") if shortcut.get("label_en") else (label, "ja")
        entries.append({"label": label, "url": local_url(shortcut.get("url", "")), "lang": lang, "key": "shortcut"})
    return entries


def home(request: TownRequest) -> HttpResponse | None:
    """The town's home page, when the town has a Site (None: the kernel's home is shown)."""
    site = service.site_of(request.municipality)
    if site is None:
        return None
    language = reader_language(request)
    return render(request, "website/site/home.html", {
        "site": site,
        "town_name": request.municipality.name_en if language == "en" and request.municipality.name_en
        else request.municipality.name,
        "tagline": service.words(site, "tagline", language),
        "alerts": ui_registry.alerts_for(request),
        "entries": _entry_points(request, site, language),
        "used": ui_registry.most_used(request.municipality.pk),
        "sections": service.sections(language),
        "news": service.news(language),
        "widgets": ui_registry.home_widgets,
        "services": ui_registry.public_services,
        "departments": Department.objects.all(),
        "contact_url": ui_registry.legal_url(request, "contact"),
    })


@require_GET
@cacheable_public(kinds=(PAGES,), max_age=ASSET_MAX_AGE)
def theme(request: TownRequest) -> HttpResponse:
    """The town's colour as CSS custom properties (the pages allow no inline style). Only a colour that passed the
    contrast check with white text is ever stored, so white on --town-colour is always legible."""
    site = service.site_of(request.municipality)
    colour = site.colour if site is not None and service.check_colour(site.colour) is None else "#0017c1"
    body = f":root {{ --town-colour: {colour}; --town-colour-text: #ffffff; }}\n"
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    patch_cache_control(response, max_age=ASSET_MAX_AGE)
    return response


@require_GET
@cacheable_public(kinds=(PAGES,), max_age=ASSET_MAX_AGE)
def emblem(request: TownRequest) -> HttpResponse:
    """The town's emblem (a PNG re-encoded at upload)."""
    site = service.site_of(request.municipality)
    data = service.emblem_bytes(site) if site is not None else None
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, max_age=ASSET_MAX_AGE)
    return response


# ---------------------------------------------------------------- サイトの設定 (情報担当)

class SiteForm(forms.Form):
    colour = forms.CharField(label=gettext_lazy("テーマカラー"), max_length=7, help_text=gettext_lazy(
        "「#」と16進数6桁（例：#0017c1）。白い文字とのコントラスト比が4.5：1以上の濃い色にしてください。"),
        error_messages={"required": gettext_lazy("テーマカラーを入力してください。")})
    emblem = forms.FileField(label=gettext_lazy("町章の画像"), required=False, help_text=gettext_lazy(
        "PNG か JPEG（2MBまで）。正方形の画像がきれいに表示されます。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}))
    remove_emblem = forms.BooleanField(label=gettext_lazy("町章の画像を外す"), required=False)
    tagline = forms.CharField(label=gettext_lazy("ひとこと"), required=False, max_length=400,
                              help_text=gettext_lazy("トップページの町名の下に出ます（120文字まで）。"))
    tagline_en = forms.CharField(label=gettext_lazy("ひとこと（英語）"), required=False, max_length=400)
    tagline_easy = forms.CharField(label=gettext_lazy("ひとこと（やさしい日本語）"), required=False, max_length=400)
    review_months = forms.IntegerField(label=gettext_lazy("棚卸しの周期（月）"), min_value=1, max_value=36,
                                       help_text=gettext_lazy("各ページの内容を確かめる間隔です（1〜36か月）。"),
                                       error_messages={"required": gettext_lazy("棚卸しの周期を入力してください。"),
                                                       "invalid": gettext_lazy("数字で入力してください。"),
                                                       "min_value": gettext_lazy("1以上にしてください。"),
                                                       "max_value": gettext_lazy("36以下にしてください。")})
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(service.MAX_SHORTCUTS):
            number = index + 1
            self.fields[f"shortcut_{index}_label"] = forms.CharField(
                label=_("ボタン%(n)s の文字") % {"n": number}, required=False, max_length=200)
            self.fields[f"shortcut_{index}_url"] = forms.CharField(
                label=_("ボタン%(n)s のリンク先") % {"n": number}, required=False, max_length=600,
                widget=forms.TextInput(attrs={"inputmode": "url"}))
            self.fields[f"shortcut_{index}_label_en"] = forms.CharField(
                label=_("ボタン%(n)s の英語") % {"n": number}, required=False, max_length=200)

    def shortcut_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(index + 1, [self[f"shortcut_{index}_{part}"] for part in ("label", "url", "label_en")])
                for index in range(service.MAX_SHORTCUTS)]

    def data_for_service(self, files: Any) -> service.SiteData:
        data = self.cleaned_data
        shortcuts = [service.Shortcut(data.get(f"shortcut_{i}_label") or "", data.get(f"shortcut_{i}_url") or "",
                                      data.get(f"shortcut_{i}_label_en") or "")
                     for i in range(service.MAX_SHORTCUTS)]
        return service.SiteData(colour=data["colour"], tagline=data.get("tagline") or "",
                                tagline_en=data.get("tagline_en") or "", tagline_easy=data.get("tagline_easy") or "",
                                shortcuts=shortcuts, review_months=data["review_months"],
                                emblem=data.get("emblem"), remove_emblem=bool(data.get("remove_emblem")))


def _initial(site: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"colour": site.colour, "tagline": site.tagline, "tagline_en": site.tagline_en,
                               "tagline_easy": site.tagline_easy, "review_months": site.review_months,
                               "revision": site.revision}
    for index, shortcut in enumerate((site.shortcuts or [])[:service.MAX_SHORTCUTS]):
        for part in ("label", "url", "label_en"):
            initial[f"shortcut_{index}_{part}"] = shortcut.get(part, "")
    return initial


@staff_required(Role.ADMIN)
def settings_page(request: TownRequest) -> HttpResponse:
    # Not created by looking: a town's Site, once saved, makes its home page the site's (kernel home hook).
    site = service.site_of(request.municipality) or Site(municipality=request.municipality)
    posted = request.method == "POST"
    form = SiteForm(request.POST if posted else None, request.FILES if posted else None, initial=_initial(site))
    conflict = False
    if posted and form.is_valid():
        done = act_once(request, lambda: service.save_settings(request.staff, form.data_for_service(request.FILES),
                                                               revision=form.cleaned_data.get("revision")),
                        done=_("サイトの設定を保存しました。"), back=reverse("staff:website-site"), form=form)
        if done is not None:
            return done
        site = service.site_of(request.municipality) or site
        conflict = form.cleaned_data.get("revision") not in (None, site.revision)
        if conflict:
            # Told once: the next save, after comparing, goes through (with the typing still on the form).
            data = request.POST.copy()
            data["revision"] = str(site.revision)
            form.data = data
    colour = form.data.get("colour", site.colour) if posted else site.colour
    ratio = service.contrast(colour) if service.COLOUR_RE.match(str(colour or "")) else None
    return render(request, "website/site/settings.html", {
        "site": site, "form": form, "errors": error_summary(form), "conflict": conflict,
        "ratio": service.ratio_text(ratio) if ratio is not None else "",
        "ratio_ok": ratio is not None and ratio >= service.MIN_CONTRAST,
        "emblem_url": reverse("website:emblem") + f"?v={site.revision}" if site.emblem_path else "",
    }, status=400 if posted else 200)


urlpatterns: list[URLPattern | URLResolver] = [
    path("site/theme.css", theme, name="theme"),
    path("site/emblem.png", emblem, name="emblem"),
]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    path("website/site/", settings_page, name="website-site"),
]
