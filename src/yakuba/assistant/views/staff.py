"""Staff pages of AI問い合わせ: 例規・文書検索 (with a drafted answer when generation is configured), the JSON API,
the documents registered for the town (add, see what was extracted, new version, change, retire) and the questions
residents asked that the chat could not answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary

from ..models import LEGAL_KINDS, SYNCED_KINDS, Document, IngestState, Kind, Passage, Question
from ..services import answer, generate, ingest, learned
from ..services.ingest import DocumentFields
from ..services.search import MAX_QUERY, search

ALREADY = gettext_lazy("この操作はすでに受け付けています。")
BAD_DATE = gettext_lazy("日付を 2025-04-01 の形で入力してください。")
RESULTS = 20
# The kind filter of the search page: one choice can stand for several kinds.
FILTERS = {
    "legal": (gettext_lazy("例規（条例・規則・要綱）"), (Kind.ORDINANCE, Kind.RULE, Kind.GUIDELINE)),
    "law": (gettext_lazy("法令"), (Kind.LAW,)),
    "plan": (gettext_lazy("計画"), (Kind.PLAN,)),
    "faq": (gettext_lazy("よくある質問"), (Kind.FAQ,)),
    "procedure": (gettext_lazy("手続の案内"), (Kind.PROCEDURE,)),
    "notice": (gettext_lazy("お知らせ"), (Kind.NOTICE,)),
    "other": (gettext_lazy("ヘルプ・その他"), (Kind.HELP, Kind.OTHER)),
}


# Search -----------------------------------------------------------------------------------------------------------

def _kinds(request: TownRequest) -> tuple[list[str], list[str]]:
    """The chosen filters and the kinds they stand for (none chosen: every kind)."""
    chosen = [key for key in request.GET.getlist("kind") if key in FILTERS]
    return chosen, [kind for key in chosen for kind in FILTERS[key][1]]


@staff_required()
def search_page(request: TownRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    chosen, kinds = _kinds(request)
    result, error = None, ""
    if "q" in request.GET:
        try:
            result = search(request.municipality, query, public=False, kinds=kinds or None, limit=RESULTS)
        except Refused as refused:
            error = str(refused)
    return render(request, "assistant/staff/search.html", {
        "query": query, "result": result, "error": error, "max_query": MAX_QUERY,
        "filters": [(key, label, key in chosen) for key, (label, _kinds) in FILTERS.items()],
        "can_draft": generate.enabled(), "errors": [{"id": "id_q", "label": _("検索語"), "message": error}]
        if error else [],
    }, status=400 if error else 200)


@staff_required()
def api_search(request: TownRequest) -> HttpResponse:
    """GET ?q=…&kind=legal&limit=20: every passage staff may search, public or not, best first."""
    _chosen, kinds = _kinds(request)
    try:
        limit = max(1, min(int(request.GET.get("limit") or RESULTS), 100))
    except ValueError:
        limit = RESULTS
    try:
        result = search(request.municipality, request.GET.get("q", ""), public=False, kinds=kinds or None,
                        limit=limit)
    except Refused as refused:
        return JsonResponse({"error": str(refused)}, status=400, json_dumps_params={"ensure_ascii": False})
    hits = [{**hit.as_json(), "url": request.build_absolute_uri(hit.url)} for hit in result.hits]
    return JsonResponse({"query": result.query, "terms": result.terms, "hits": hits},
                        json_dumps_params={"ensure_ascii": False})


@staff_required()
@require_POST
def draft(request: TownRequest) -> HttpResponse:
    """A drafted answer grounded in the passages found for the question (only when generation is configured)."""
    if not generate.enabled():
        raise PermissionDenied(_("文章の下書きを作る機能は設定されていません。"))
    query = request.POST.get("q", "")
    chosen, kinds = _kinds_posted(request)
    context: dict[str, Any] = {"query": query, "chosen": chosen, "draft": None, "error": ""}
    try:
        result = search(request.municipality, query, public=False, kinds=kinds or None, limit=5)
        if not result.hits:
            raise Refused(_("資料が見つからないため、下書きを作れません。言葉を変えて検索してください。"))
        context["hits"] = result.hits
        context["draft"] = generate.draft(request.municipality, request.user, result.query, result.hits)
    except (Refused, generate.GenerationFailed) as failed:
        context["error"] = str(failed)
    return render(request, "assistant/staff/draft.html", context, status=400 if context["error"] else 200)


def _kinds_posted(request: TownRequest) -> tuple[list[str], list[str]]:
    chosen = [key for key in request.POST.getlist("kind") if key in FILTERS]
    return chosen, [kind for key in chosen for kind in FILTERS[key][1]]


# Documents --------------------------------------------------------------------------------------------------------

class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("種類"), error_messages={
        "required": gettext_lazy("種類を選んでください。"),
        "invalid_choice": gettext_lazy("種類を選び直してください。")})
    title = forms.CharField(label=gettext_lazy("題名"), max_length=200, error_messages={
        "required": gettext_lazy("題名を入力してください。"),
        "max_length": gettext_lazy("題名は200文字以内にしてください。")})
    department = forms.TypedChoiceField(label=gettext_lazy("担当課"), coerce=int, required=False, empty_value=None,
                                        help_text=gettext_lazy("住民の質問に答えられないとき、この課を問い合わせ先として"
                                                               "案内します。この課の職員も文書を変更できます。"),
                                        error_messages={"invalid_choice": gettext_lazy("担当課を選び直してください。")})
    is_public = forms.BooleanField(label=gettext_lazy("住民向けに公開する（AIの回答と文書ページに使う）"),
                                   required=False, initial=True)
    keywords = forms.CharField(label=gettext_lazy("ほかの言い方（任意）"), max_length=500, required=False,
                               help_text=gettext_lazy("住民が使いそうな言葉を「、」で区切って。"
                                                      "例: ソファ、たんす、ベッド。「答えられなかった質問」に出てくる"
                                                      "言い方を足すと、次からは答えられます。"))
    source = forms.CharField(label=gettext_lazy("出典（任意）"), max_length=300, required=False,
                             help_text=gettext_lazy("例: 下仁田町例規集（令和6年4月1日現在）"))
    url = forms.CharField(label=gettext_lazy("掲載先URL（任意）"), max_length=500, required=False,
                          help_text=gettext_lazy("町のホームページなどの正式な掲載先。空欄ならこのサイトの文書ページを引用先にします。"))
    version_date = forms.DateField(label=gettext_lazy("版の日付（任意）"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=gettext_lazy("施行日・改訂日など。"),
                                   error_messages={"invalid": BAD_DATE})

    def __init__(self, data: Any = None, *, instance: Document | None = None) -> None:
        initial = {}
        if instance is not None:
            initial = {"kind": instance.kind, "title": instance.title, "department": instance.department_id,
                       "is_public": instance.is_public, "keywords": instance.keywords, "source": instance.source,
                       "url": instance.url,
                       "version_date": instance.version_date}
        super().__init__(data, initial=initial)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("選んでください")), *[(value, label) for value, label in Kind.choices
                                                   if value not in SYNCED_KINDS and value != Kind.LAW]]
        self.departments = {d.pk: d for d in Department.objects.order_by("sort_order", "name")}
        department = self.fields["department"]
        assert isinstance(department, forms.TypedChoiceField)
        department.choices = [("", _("指定なし")), *[(pk, d.name) for pk, d in self.departments.items()]]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        if url and not url.startswith(("https://", "http://")):
            raise forms.ValidationError(_("URL は https:// から始めてください。"))
        return url

    def fields_value(self) -> DocumentFields:
        data = self.cleaned_data
        return DocumentFields(
            kind=data["kind"], title=data["title"], department=self.departments.get(data["department"] or 0),
            is_public=data["is_public"], keywords=data["keywords"], source=data["source"], url=data["url"],
            version_date=data["version_date"])


class SourceForm(forms.Form):
    """The text of a version: a file, or text typed or pasted."""

    file = forms.FileField(label=gettext_lazy("ファイル"), required=False,
                           help_text=gettext_lazy("テキスト（.txt .md）・HTML・PDF（文字を選択できるもの）・"
                                                  "Word（.docx）、20MB まで。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.html,.htm,.pdf,.docx"}))
    text = forms.CharField(label=gettext_lazy("または本文を貼り付ける"), required=False,
                           widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=gettext_lazy("例規は「第一条」「２」「一」のように条・項・号を行の頭に書くと、"
                                                  "条・項ごとに検索できます。"))


class VersionForm(SourceForm):
    version_date = forms.DateField(label=gettext_lazy("新しい版の日付（任意）"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"invalid": BAD_DATE})


def _documents() -> Any:
    return Document.objects.filter(retired_at__isnull=True).select_related("department")


def _document(public_id: UUID) -> Document:
    found: Document = get_object_or_404(Document.objects.select_related("department", "created_by"),
                                        public_id=public_id)
    return found


def _editable(request: TownRequest, document: Document) -> None:
    if not ingest.may_edit(request.staff, document):
        if ingest.is_synced(document):
            raise PermissionDenied(_("この文書は町の他のページから自動で登録されています。"
                                     "もとのページで変更してください。"))
        raise PermissionDenied(_("この文書を変更できるのは、担当課の職員・登録した人・情報担当です。"))


def _document_url(document: Document) -> str:
    return reverse("staff:assistant-document", args=[document.public_id])


@staff_required()
def documents(request: TownRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    listed = _documents().annotate(passage_count=Count("passages")).order_by("kind", "title")
    if kind in Kind.values:
        listed = listed.filter(kind=kind)
    query = request.GET.get("title", "").strip()
    if query:
        listed = listed.filter(title__icontains=query)
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    return render(request, "assistant/staff/documents.html", {
        "page": page, "kind": kind, "title_query": query, "kinds": Kind.choices, "summary": ingest.summary()})


@staff_required()
def document_new(request: TownRequest) -> HttpResponse:
    form = DocumentForm(request.POST if request.method == "POST" else None)
    source = SourceForm(request.POST if request.method == "POST" else None,
                        request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and source.is_valid():
        outcome = attempt(request, lambda: ingest.create(request.staff, request.municipality, form.fields_value(),
                                                         text=source.cleaned_data["text"],
                                                         upload=source.cleaned_data["file"]))
        if outcome.repeated:
            messages.info(request, ALREADY)
            return HttpResponseRedirect(reverse("staff:assistant-documents"))
        if outcome.refused is not None:
            for name, message in outcome.refused.errors.items():  # the source's fields, or the document's
                add_refusal(source if name in source.fields else form, Refused({name: message}))
        elif outcome.result is not None:
            document, _ingested = outcome.result
            messages.success(request, _("「%(title)s」を登録しました。") % {"title": document.title})
            return HttpResponseRedirect(_document_url(document))
    return render(request, "assistant/staff/document_form.html", {
        "form": form, "source": source, "title": _("文書を登録する"),
        "errors": bool(form.errors or source.errors), "source_errors": [] if form.errors else error_summary(source),
    }, status=400 if request.method == "POST" else 200)


@staff_required()
def document(request: TownRequest, public_id: UUID) -> HttpResponse:
    found = _document(public_id)
    attempts = list(found.ingests.select_related("created_by")[:10])
    return render(request, "assistant/staff/document.html", {
        "document": found, "passages": found.passages.order_by("ordinal"), "attempts": attempts,
        "pending": any(a.state == IngestState.PENDING for a in attempts),
        "latest_failed": attempts[0] if attempts and attempts[0].state == IngestState.FAILED else None,
        "may_edit": ingest.may_edit(request.staff, found), "legal": found.kind in LEGAL_KINDS,
        "synced": ingest.is_synced(found),
    })


@staff_required()
def document_edit(request: TownRequest, public_id: UUID) -> HttpResponse:
    found = _document(public_id)
    _editable(request, found)
    form = DocumentForm(request.POST if request.method == "POST" else None, instance=found)
    if request.method == "POST" and form.is_valid():
        response = act_once(request, lambda: ingest.change(request.staff, found, form.fields_value()),
                            done=_("文書の情報を保存しました。"), back=_document_url(found), form=form,
                            repeated=str(ALREADY))
        if response is not None:
            return response
    return render(request, "assistant/staff/document_form.html", {
        "form": form, "document": found, "title": _("文書の情報を変更する"), "errors": bool(form.errors),
    }, status=400 if request.method == "POST" else 200)


@staff_required()
def document_version(request: TownRequest, public_id: UUID) -> HttpResponse:
    found = _document(public_id)
    _editable(request, found)
    source = VersionForm(request.POST if request.method == "POST" else None,
                         request.FILES if request.method == "POST" else None)
    if request.method == "POST" and source.is_valid():
        outcome = attempt(request, lambda: ingest.new_version(request.staff, found, text=source.cleaned_data["text"],
                                                              upload=source.cleaned_data["file"],
                                                              version_date=source.cleaned_data["version_date"]))
        if outcome.repeated:
            messages.info(request, ALREADY)
            return HttpResponseRedirect(_document_url(found))
        if outcome.refused is not None:
            add_refusal(source, outcome.refused)
        elif (ingested := outcome.result) is not None:
            if ingested.state == IngestState.FAILED:
                messages.error(request, _("新しい版を読み取れませんでした。前の版のまま検索できます。理由: %(reason)s")
                               % {"reason": ingested.error})
            elif ingested.state == IngestState.PENDING:
                messages.info(request, _("ファイルを受け付けました。読み取りが終わると新しい版に置き換わります。"))
            else:
                messages.success(request, _("新しい版に置き換えました（%(n)d か所）。") % {"n": ingested.passages})
            return HttpResponseRedirect(_document_url(found))
    return render(request, "assistant/staff/document_version.html", {
        "form": source, "document": found, "errors": bool(source.errors),
    }, status=400 if request.method == "POST" else 200)


@staff_required()
def document_retire(request: TownRequest, public_id: UUID) -> HttpResponse:
    found = _document(public_id)
    _editable(request, found)
    if request.method == "POST":
        return act_once(request, lambda: ingest.retire(request.staff, found),
                        done=_("「%(title)s」を削除しました。検索とAIの回答に使われなくなります。")
                        % {"title": found.title},
                        back=reverse("staff:assistant-documents"), repeated=str(ALREADY))
    return render(request, "assistant/staff/document_retire.html", {"document": found})


# Questions residents asked ----------------------------------------------------------------------------------------

@staff_required()
def questions(request: TownRequest) -> HttpResponse:
    unanswered = request.GET.get("show") != "all"
    listed = Question.objects.select_related("document").order_by("-created_at", "-pk")
    if unanswered:
        listed = listed.filter(known=False)
    total, known = answer.question_counts()
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    links = learned.links_by_text([question.text for question in page.object_list])
    return render(request, "assistant/staff/questions.html", {
        "page": page, "unanswered": unanswered, "total": total,
        "known": known, "rate": round(100 * known / total) if total else None,
        "rows": [(question, links.get(question.text)) for question in page.object_list],
    })


LINK_RESULTS = 10


def _chosen(request: TownRequest) -> tuple[Document, str]:
    """The document and section the staff member chose: a search result's passage, or a document from the list.
    Refused when nothing (or a passage no longer there) was chosen; 404 for a document the town cannot see."""
    passage_id, public_id = request.POST.get("passage", ""), request.POST.get("document", "")
    if passage_id:
        passage = (Passage.with_national.select_related("document").filter(pk=int(passage_id)).first()
                   if passage_id.isdigit() and len(passage_id) < 19 else None)  # 19 digits overflow a bigint
        if passage is None:
            raise Refused({"passage": _("選んだ箇所が見つかりません。文書が更新されたかもしれません。"
                                        "もう一度検索して選んでください。")})
        return passage.document, passage.path
    if public_id:
        try:
            key = UUID(public_id)
        except ValueError:
            raise Refused({"document": _("文書を選び直してください。")}) from None
        document: Document = get_object_or_404(Document.with_national, public_id=key)
        return document, ""
    raise Refused({"passage": _("答えになる箇所を選ぶか、文書を選んでください。")})


def _link_page(request: TownRequest, question: Question, *, query: str, refused: Refused | None = None,
               chosen: tuple[str, str] = ("", "")) -> HttpResponse:
    """The page that links a question: its current link, a search for the answer, and every document to pick."""
    result, error = None, ""
    try:
        result = search(request.municipality, query, public=False, limit=LINK_RESULTS)
    except Refused as bad:
        error = str(bad)
    hits = result.hits if result else []
    of_hits = Document.with_national.in_bulk({hit.document_id for hit in hits})
    live = Document.with_national.filter(retired_at__isnull=True, indexed_at__isnull=False).order_by("kind", "title")
    documents = [d for d in live if learned.may_link(request.staff, d)]
    current = learned.link_of(question)
    errors = dict(refused.errors) if refused is not None else {}
    if not hits and "passage" in errors:  # no results to choose from: the reason goes on the list of documents
        errors["document"] = errors.pop("passage")
    summary = [{"id": "id_q", "label": _("検索語"), "message": error}] if error else []
    summary += [{"id": "id_document" if name == "document" else "as-link-results", "label": "", "message": message}
                for name, message in errors.items()]
    return render(request, "assistant/staff/question_link.html", {
        "question": question, "query": query, "max_query": MAX_QUERY, "result": result, "error": error,
        "hits": [(hit, learned.may_link(request.staff, of_hits[hit.document_id])) for hit in hits
                 if hit.document_id in of_hits],
        "documents": documents, "current": current,
        "may_unlink": current is not None and learned.may_unlink(request.staff, current),
        "errors": summary, "passage_error": errors.get("passage") or errors.get("__all__", ""),
        "document_error": errors.get("document", ""), "chosen_passage": chosen[0], "chosen_document": chosen[1],
    }, status=400 if (error or refused is not None) else 200)


@staff_required()
def question_link(request: TownRequest, pk: int) -> HttpResponse:
    """「答えになる文書を選ぶ」: search the knowledge base for what answers a question residents asked, and link it (or
    unlink it) so that the chat answers it from then on."""
    question: Question = get_object_or_404(Question, pk=pk)
    back = reverse("staff:assistant-questions")
    if request.method != "POST":
        return _link_page(request, question, query=request.GET.get("q", question.text))
    query = request.POST.get("q", question.text)
    if request.POST.get("action") == "unlink":
        current = learned.link_of(question)
        if current is not None and not learned.may_unlink(request.staff, current):
            raise PermissionDenied(_("このリンクを外せるのは、文書の担当課の職員・リンクした人・情報担当です。"))
        return act_once(request, lambda: learned.unlink(request.staff, question),
                        done=_("リンクを外しました。次からこの質問の言葉では、この文書が見つからないかもしれません。"),
                        back=back, repeated=str(ALREADY))
    chosen = (request.POST.get("passage", ""), request.POST.get("document", ""))
    try:
        document, section = _chosen(request)
    except Refused as refused:
        return _link_page(request, question, query=query, refused=refused, chosen=chosen)
    if not learned.may_link(request.staff, document):
        raise PermissionDenied(_("この文書を答えにできるのは、担当課の職員・登録した人・情報担当です。"))
    outcome = attempt(request, lambda: learned.link(request.staff, question, document, section))
    if outcome.repeated:
        messages.info(request, ALREADY)
    elif outcome.refused is not None:
        return _link_page(request, question, query=query, refused=outcome.refused, chosen=chosen)
    else:
        messages.success(request, _("「%(question)s」の答えを「%(title)s」にしました。次からこの質問に答えられます。")
                         % {"question": question.text, "title": f"{document.title} {section}".strip()})
    return HttpResponseRedirect(back)


urlpatterns = [
    path("assistant/search/", search_page, name="assistant-search"),
    path("assistant/api/search", api_search, name="assistant-api-search"),
    path("assistant/draft/", draft, name="assistant-draft"),
    path("assistant/documents/", documents, name="assistant-documents"),
    path("assistant/documents/new/", document_new, name="assistant-document-new"),
    path("assistant/documents/<uuid:public_id>/", document, name="assistant-document"),
    path("assistant/documents/<uuid:public_id>/edit/", document_edit, name="assistant-document-edit"),
    path("assistant/documents/<uuid:public_id>/version/", document_version, name="assistant-document-version"),
    path("assistant/documents/<uuid:public_id>/retire/", document_retire, name="assistant-document-retire"),
    path("assistant/questions/", questions, name="assistant-questions"),
    path("assistant/questions/<int:pk>/link/", question_link, name="assistant-question-link"),
]
