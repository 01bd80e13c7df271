"""Resident pages of AI問い合わせ: the chat (works without JavaScript; the conversation lives in the session), a
document's page (its passages with anchors, where citations point) and the JSON API."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.throttle import Limit, limit_per_ip
from yakuba.kernel.ui.actions import attempt

from ..models import Document, Kind
from ..services import answer
from ..services.search import MAX_QUERY, mark, public_documents, search

HISTORY = 8  # turns of the conversation kept in the session
API_LIMIT = 50


# A person types a question every few seconds at most; a script asking faster is refused.
RATE_LIMIT = Limit("assistant.api", 60, 60)


def _history_key(request: TownRequest) -> str:
    return f"assistant:chat:{request.municipality.pk}"


def _turn(entry: dict[str, Any]) -> dict[str, Any]:
    """A stored turn ready for the template: passages with their highlighted HTML and kind label."""
    reply = entry["answer"]
    passages = [{**p, "html": mark(p["text"], p.get("highlights", [])), "kind_label": Kind(p["kind"]).label,
                 "version_date": date.fromisoformat(p["version_date"]) if p.get("version_date") else None}
                for p in reply["passages"] if p.get("kind") in Kind.values]
    # Turns stored before 「こちらかもしれません」 kept the nearest pages of an unanswered question in "passages".
    maybe = reply.get("maybe", [] if "maybe" in reply or reply["known"] else reply["passages"])
    return {"question": reply["question"], "known": reply["known"], "passages": passages,
            "maybe": [{**p, "kind_label": Kind(p["kind"]).label} for p in maybe if p.get("kind") in Kind.values],
            "contact": reply.get("contact")}


def chat(request: TownRequest) -> HttpResponse:
    key = _history_key(request)
    history: list[dict[str, Any]] = request.session.get(key, [])
    errors: list[dict[str, str]] = []
    typed = request.GET.get("q", "")[:MAX_QUERY * 4]
    asked_here = request.method == "POST"
    # The home page's question form is a GET (the cached home carries no token): asking is idempotent enough, and the
    # same question as the last one is not asked again (a reload or a second click of that form).
    asked_from_home = request.method == "GET" and request.GET.get("ask") == "1"
    if asked_from_home and history and history[-1]["answer"]["question"] == typed.strip():
        return HttpResponseRedirect(reverse("assistant:chat") + "#latest")
    if asked_here or asked_from_home:
        if request.POST.get("action") == "clear":
            request.session.pop(key, None)
            messages.success(request, _("会話を消しました。"))
            return HttpResponseRedirect(reverse("assistant:chat"))
        typed = request.POST.get("q", "") if asked_here else typed
        outcome = attempt(request, lambda: answer.ask(request.municipality, typed))
        if outcome.repeated:
            return HttpResponseRedirect(reverse("assistant:chat") + "#latest")
        if outcome.refused is not None:
            errors = [{"id": "id_q", "label": _("質問"), "message": outcome.refused.message}]
        elif (reply := outcome.result) is not None:
            request.session[key] = [*history, {"answer": reply.as_json()}][-HISTORY:]
            return HttpResponseRedirect(reverse("assistant:chat") + "?asked=1#latest")
    return render(request, "assistant/public/chat.html", {
        "turns": [_turn(entry) for entry in history], "errors": errors, "q_error": errors[0]["message"] if errors
        else "", "typed": typed, "max_query": MAX_QUERY, "focus_latest": bool(request.GET.get("asked")) and not errors,
    }, status=400 if errors else 200)


def document(request: TownRequest, public_id: UUID) -> HttpResponse:
    found: Document = get_object_or_404(public_documents(request.municipality).select_related("department"),
                                        public_id=public_id)
    return render(request, "assistant/public/document.html", {
        "document": found, "passages": found.passages.order_by("ordinal"), "legal_notice": _notice(found)})


def _notice(document: Document) -> str:
    if document.kind in (Kind.ORDINANCE, Kind.RULE, Kind.GUIDELINE, Kind.LAW):
        return _("この文章は検索のために取り込んだ写しです。正式な内容は出典の例規集・法令でご確認ください。")
    return ""


# JSON API ---------------------------------------------------------------------------------------------------------

def _json(body: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _absolute(request: TownRequest, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**hit, "url": request.build_absolute_uri(hit["url"])} for hit in hits]


def _limit(value: str | None, default: int = 10) -> int:
    try:
        return max(1, min(int(value or default), API_LIMIT))
    except ValueError:
        return default


@limit_per_ip(RATE_LIMIT)
@require_http_methods(["GET"])
def api_search(request: TownRequest) -> HttpResponse:
    """GET ?q=…&kind=faq&limit=10: the town's public passages for a question, best first, with citations."""
    kinds = [k for k in request.GET.getlist("kind") if k in Kind.values]
    try:
        result = search(request.municipality, request.GET.get("q", ""), public=True, kinds=kinds or None,
                        limit=_limit(request.GET.get("limit")))
    except Refused as refused:
        return _json({"error": str(refused)}, status=400)
    return _json({"query": result.query, "hits": _absolute(request, [hit.as_json() for hit in result.hits])})


@csrf_exempt  # no session or credential is used: the answer is the same for anyone
@limit_per_ip(RATE_LIMIT)
@require_http_methods(["GET", "POST"])
def api_ask(request: TownRequest) -> HttpResponse:
    """The chat's answer as JSON: GET ?q=… or POST q=… (form or JSON body {"q": …})."""
    question = request.GET.get("q", "")
    if request.method == "POST":
        question = request.POST.get("q", "")
        if not question and request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                return _json({"error": _("JSON を読み取れませんでした。")}, status=400)
            question = body.get("q", "") if isinstance(body, dict) and isinstance(body.get("q", ""), str) else ""
    try:
        reply = answer.ask(request.municipality, question).as_json()
    except Refused as refused:
        return _json({"error": str(refused)}, status=400)
    reply["passages"] = _absolute(request, reply["passages"])
    if reply["contact"] and reply["contact"]["form_url"]:
        reply["contact"]["form_url"] = request.build_absolute_uri(reply["contact"]["form_url"])
    return _json(reply)


urlpatterns = [
    path("assistant/", chat, name="chat"),
    path("assistant/documents/<uuid:public_id>/", document, name="document"),
    path("assistant/api/search", api_search, name="api-search"),
    path("assistant/api/ask", api_ask, name="api-ask"),
]
