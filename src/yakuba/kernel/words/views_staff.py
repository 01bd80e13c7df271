"""Staff pages of 翻訳: the town's texts by source and their state, and one record's texts to translate and check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yakuba.kernel import ai
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import NON_FIELD, Refused

from . import registry, services
from .models import MAX_TEXT, Language

LANGUAGES = (Language.ENGLISH, Language.EASY)


@staff_required(role=Role.STAFF)
@require_GET
def index(request: TownRequest) -> HttpResponse:
    missing = request.GET.get("missing") == "1"
    chosen = request.GET.get("source", "")[:60]
    groups = []
    for source in registry.sources():
        if chosen and source.kind != chosen:
            continue
        mine = [r for r in registry.records(source.kind, request.municipality)
                if services.may_translate(request.staff, r)]
        counts = services.summary(source.kind, mine)
        rows = []
        for item in mine:
            counted = counts[item.key]
            todo = sum(counted[f"en:{state}"] for state in ("missing", "draft", "stale"))
            if missing and not todo:
                continue
            by_language = {language: {state: counted[f"{language}:{state}"]
                                      for state in ("checked", "draft", "stale", "missing")} for language in LANGUAGES}
            rows.append({"record": item, "total": len(item.texts), "en": by_language[Language.ENGLISH],
                         "easy": by_language[Language.EASY], "todo": todo,
                         "url": reverse("staff:words-record", args=[source.kind, item.key])})
        if rows or not missing:
            groups.append({"source": source, "rows": rows})
    return render(request, "words/staff/index.html", {
        "groups": groups, "missing": missing, "chosen": chosen, "sources": registry.sources()})


@staff_required(role=Role.STAFF)
@require_http_methods(["GET", "POST"])
def record(request: TownRequest, kind: str, key: str) -> HttpResponse:
    item = _record(request, kind, key)
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    conflicts: list[str] = []
    status = 200
    if request.method == "POST":
        entries = _entries(request, item)
        try:
            changed = services.save_record(municipality=request.municipality, staff=request.staff, kind=kind,
                                           key=key, entries=entries, check=request.POST.get("action") == "check",
                                           request=request)
        except services.Conflict as error:
            typed, conflicts, status = _typed(entries), error.fields, 400
            errors = {NON_FIELD: error.message}
        except Refused as error:
            typed, errors, status = _typed(entries), error.errors, 400
        else:
            messages.success(request, _("翻訳を保存しました（%(count)d件）。") % {"count": changed}
                             if request.POST.get("action") != "check"
                             else _("翻訳を確認し、公開しました（%(count)d件）。") % {"count": changed})
            return HttpResponseRedirect(request.path)
    rows = services.rows(kind, item)
    lines = []
    for row in rows:
        cells = []
        for language in LANGUAGES:
            saved = row.english if language == Language.ENGLISH else row.easy
            name = f"{language}-{row.text.field}"
            cells.append({
                "language": language, "name": name, "id": "id_" + _safe_id(name),
                "value": typed.get(name, saved.text if saved is not None else ""),
                "revision": saved.revision if saved is not None else 0, "state": row.state(language),
                "machine": saved is not None and saved.machine, "error": errors.get(name, ""),
                "theirs": saved.text if saved is not None and name in conflicts else None,
            })
        lines.append({"text": row.text, "cells": cells})
    labels = {f"{language}-{text.field}": f"{text.japanese[:30]}（{language}）" for text in item.texts
              for language in LANGUAGES}
    summary = [{"id": "id_" + _safe_id(name), "label": labels.get(name, name), "message": message}
               for name, message in errors.items() if name != NON_FIELD]
    summary += [{"message": message} for name, message in errors.items() if name == NON_FIELD]
    return render(request, "words/staff/record.html", {
        "record": item, "kind": kind, "source": registry.source(kind), "lines": lines, "errors": summary,
        "ai_enabled": ai.enabled(), "max_text": MAX_TEXT,
    }, status=status)


@staff_required(role=Role.STAFF)
@require_POST
def draft(request: TownRequest, kind: str, key: str) -> HttpResponse:
    _record(request, kind, key)
    try:
        services.request_drafts(municipality=request.municipality, staff=request.staff, kind=kind, key=key,
                                language=request.POST.get("language", ""), request=request)
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("AIに下書きを依頼しました。しばらくしてから再読み込みしてください。"
                                    "下書きは確認するまで住民には表示されません。"))
    return HttpResponseRedirect(reverse("staff:words-record", args=[kind, key]))


def _record(request: TownRequest, kind: str, key: str) -> registry.Record:
    found = registry.record(kind, key, request.municipality)
    if found is None:
        raise Http404
    if not services.may_translate(request.staff, found):
        raise PermissionDenied(_("この記録を翻訳する権限がありません。"))
    return found


def _entries(request: TownRequest, item: registry.Record) -> list[services.Entry]:
    entries = []
    for text in item.texts:
        for language in LANGUAGES:
            name = f"{language}-{text.field}"
            if name not in request.POST:
                continue
            try:
                revision = int(request.POST.get(f"rev-{name}", "0"))
            except ValueError:
                revision = -1  # never a row's revision: told to reload, nothing lost
            entries.append(services.Entry(text.field, language, request.POST[name], revision))
    return entries


def _typed(entries: list[services.Entry]) -> dict[str, str]:
    return {f"{e.language}-{e.field}": e.text for e in entries}


def _safe_id(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)



staff_urlpatterns = [
    path("words/", index, name="words"),
    path("words/<str:kind>/<str:key>/", record, name="words-record"),
    path("words/<str:kind>/<str:key>/draft/", draft, name="words-draft"),
]
