"""Staff pages of the site: the page list, the editor (blocks as plain forms), files, translations, versions with
their diff and restore, sending for approval, the 所属長's approvals, 棚卸し, moving and retiring pages."""

from __future__ import annotations

import difflib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel import ai
from yakuba.kernel.accounts.models import Department, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import NON_FIELD, Refused
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary
from yakuba.kernel.ui.widgets import RichTextarea

from .. import blocks as block_kit
from ..models import OPEN_STATES, Asset, Page, PageKind, PageVersion, VersionState
from ..services import assets as asset_services
from ..services import pages as services
from . import forms

PER_PAGE = 100
ADDABLE = ("heading", "text", "image", "file", "map", "link", "faq")


def _err(message: str, anchor: str = "") -> dict[str, str]:
    """An item of the error summary, linking to `anchor` (an element's id) when given."""
    return {"id": anchor, "label": "", "message": message}


def _page(request: TownRequest, pk: int) -> Page:
    page: Page = get_object_or_404(Page.objects.select_related("department", "live", "parent"), pk=pk)
    return page


def _editable(request: TownRequest, pk: int) -> Page:
    page = _page(request, pk)
    if not services.may_edit(request.staff, page):
        raise Http404
    return page


def _state(page: Page, open_version: PageVersion | None) -> str:
    now = timezone.now()
    if page.retired_at is not None:
        return _("廃止")
    if page.live_id is not None and page.expires_at is not None and page.expires_at <= now:
        return _("掲載期限切れ")
    if open_version is not None:
        return str(open_version.get_state_display())
    return _("公開中") if page.live_id is not None else _("未公開")


# ---------------------------------------------------------------- list

@staff_required(role=Role.STAFF)
def index(request: TownRequest) -> HttpResponse:
    """Every page of the town (each staff member reads all, edits their 課's), filtered and paginated."""
    pages = Page.objects.select_related("department", "live").order_by("path")
    query = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "")
    if request.GET.get("mine", "1" if request.staff.role < Role.ADMIN else "") == "1":
        pages = pages.filter(department_id=request.staff.department_id)
        department = ""
    elif department.isdigit():
        pages = pages.filter(department_id=int(department))
    if query:
        pages = pages.filter(Q(path__icontains=query) | Q(versions__title__icontains=query)).distinct()
    if request.GET.get("retired") != "1":
        pages = pages.filter(retired_at__isnull=True)
    listing = Paginator(pages, PER_PAGE).get_page(request.GET.get("page"))
    open_versions = {v.page_id: v for v in PageVersion.objects.filter(
        page__in=[p.pk for p in listing], state__in=[s.value for s in OPEN_STATES])}
    rows = [{"page": p, "depth": p.path.count("/"), "title": (p.live.title if p.live else
                                                              getattr(open_versions.get(p.pk), "title", p.slug)),
             "state": _state(p, open_versions.get(p.pk)), "editable": services.may_edit(request.staff, p)}
            for p in listing]
    return render(request, "website/staff/index.html", {
        "rows": rows, "listing": listing, "page": listing, "query": query,
        "departments": Department.objects.all(), "department": department,
        "mine": request.GET.get("mine", "1" if request.staff.role < Role.ADMIN else ""),
        "waiting": services.waiting_for(request.staff).count(),
        "due": services.due_for_review(request.staff).count()})


# ---------------------------------------------------------------- the editor

def _block_rows(raw: list[dict[str, Any]], prefix: str = "blocks") -> list[dict[str, Any]]:
    """What the template needs for each block: its values, the names of its inputs, a rich-text widget."""
    rows = []
    for index, block in enumerate(raw):
        name = f"{prefix}-{index}"
        row = {"index": index, "number": index + 1, "name": name, "kind": block.get("type"), "values": block,
               "label": forms.BLOCK_LABELS.get(block.get("type", ""), ""), "last": index == len(raw) - 1}
        for field in ("html", "answer"):
            if block.get("type") in ("text", "faq") and (field == "html") == (block.get("type") == "text"):
                row["rich"] = RichTextarea(attrs={"rows": 6, "id": f"id_{name}-{field}"},
                                           heading="h3").render(f"{name}-{field}", block.get(field, ""))
        rows.append(row)
    return rows


def _operate(raw: list[dict[str, Any]], op: str) -> tuple[list[dict[str, Any]], int | None]:
    """Add, move or remove a block (before saving); the index of the block to focus."""
    action, _sep, argument = op.partition("-")
    if action == "add" and argument in ADDABLE and len(raw) < block_kit.MAX_BLOCKS:
        raw.append(forms.empty_block(argument))
        return raw, len(raw) - 1
    if not argument.isdigit() or int(argument) >= len(raw):
        return raw, None
    index = int(argument)
    if action == "up" and index > 0:
        raw[index - 1], raw[index] = raw[index], raw[index - 1]
        return raw, index - 1
    if action == "down" and index < len(raw) - 1:
        raw[index + 1], raw[index] = raw[index], raw[index + 1]
        return raw, index + 1
    if action == "remove":
        del raw[index]
        return raw, min(index, len(raw) - 1) if raw else None
    return raw, None


def _findings(page: Page | None, version: PageVersion | None) -> list[Any]:
    if page is None or version is None:
        return []
    from ..services import checks

    return list(checks.check_version(version.title, block_kit.parse(version.blocks), services.asset_infos(page),
                                     version.details))


def _editor(request: TownRequest, page: Page | None, form: forms.PageForm, raw: list[dict[str, Any]], *,
            focus: int | None = None, status: int | None = None, extra_errors: list[dict[str, str]] | None = None,
            errors_title: str = "") -> HttpResponse:
    version = services.open_version(page) if page is not None else None
    shown = version or (page.live if page is not None else None)
    errors = (error_summary(form) if form.is_bound else []) + (extra_errors or [])
    return render(request, "website/staff/edit.html", {
        "page": page, "form": form, "blocks": _block_rows(raw), "total": len(raw), "focus": focus,
        "addable": [(kind, forms.BLOCK_LABELS[kind]) for kind in ADDABLE],
        "version": version, "assets": list(page.assets.all()) if page is not None else [],
        "asset_form": forms.AssetForm(), "findings": _findings(page, shown) if status is None else [],
        "revision": page.revision if page is not None else 0, "errors": errors,
        "may_approve": page is not None and services.may_approve(request.staff, page),
        "errors_title": errors_title,
    }, status=status or (400 if errors else 200))


def _data(form: forms.PageForm, raw: list[dict[str, Any]]) -> services.PageData:
    """The page as the editor sent it (its translations are edited on their own page and kept by the service)."""
    data = form.cleaned_data
    return services.PageData(
        title=data["title"], summary=data["summary"], kind=data["kind"], department=data["department"],
        parent=data["parent"], slug=data["slug"], blocks=raw, details=form.details(),
        publish_at=data["publish_at"], expires_at=data["expires_at"], change_note=data["change_note"])


def _block_errors(refusal: Refused) -> list[dict[str, str]]:
    """The refusal's block reasons for the error summary, each linking to its input."""
    found = []
    for name, message in refusal.errors.items():
        if name.startswith("blocks-"):
            found.append(_err(message, f"id_{name}"))
    return found


def _refused_on_form(form: forms.PageForm, refusal: Refused) -> list[dict[str, str]]:
    """Put the refusal's page reasons on the form, return the block reasons (they are not form fields)."""
    page_part = {k: v for k, v in refusal.errors.items() if not k.startswith("blocks")}
    if page_part:
        add_refusal(form, Refused(page_part) if set(page_part) != {NON_FIELD} else refusal)
    return _block_errors(refusal)


@staff_required(role=Role.STAFF)
def create(request: TownRequest) -> HttpResponse:
    """A new page: the same editor, saved as the page's first draft."""
    if request.method != "POST":
        wanted = request.GET.get("parent", "")
        parent = Page.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        form = forms.PageForm(initial={"department": request.staff.department_id, "parent": parent,
                                       "kind": request.GET.get("kind", PageKind.ARTICLE)})
        return _editor(request, None, form, [forms.empty_block("text")])
    form = forms.PageForm(request.POST)
    raw = forms.posted_blocks(request.POST)
    op = request.POST.get("op", "")
    if op:
        # Adding, moving or removing a block saves nothing: the form comes back as typed, not judged yet.
        raw, focus = _operate(raw, op)
        return _editor(request, None, forms.PageForm(initial=request.POST.dict()), raw, focus=focus)
    if form.is_valid():
        outcome = attempt(request, lambda: services.create_page(request.staff, _data(form, raw)))
        if outcome.done and outcome.result is not None:
            from django.contrib import messages

            messages.success(request, _("下書きを保存しました。"))
            return _redirect_edit(outcome.result)
        if outcome.repeated:
            return _redirect(reverse("staff:website"))
        assert outcome.refused is not None
        return _editor(request, None, form, raw, status=400, extra_errors=_refused_on_form(form, outcome.refused))
    return _editor(request, None, form, raw, status=400)


def _redirect(url: str) -> HttpResponse:
    from django.http import HttpResponseRedirect

    return HttpResponseRedirect(url)


def _redirect_edit(page: Page) -> HttpResponse:
    return _redirect(reverse("staff:website-page-edit", args=[page.pk]))


@staff_required(role=Role.STAFF)
def edit(request: TownRequest, pk: int) -> HttpResponse:
    page = _page(request, pk)
    if not services.may_edit(request.staff, page):
        if request.method == "POST":
            raise PermissionDenied
        return _readonly(request, page)
    version = services.open_version(page) or page.live
    if request.method != "POST":
        form = forms.PageForm(initial=forms.initial_of(page, version), page=page) if version else forms.PageForm(
            page=page)
        return _editor(request, page, form, list(version.blocks) if version else [])
    raw = forms.posted_blocks(request.POST)
    op = request.POST.get("op", "")
    if op:
        raw, focus = _operate(raw, op)
        return _editor(request, page, forms.PageForm(initial=request.POST.dict(), page=page), raw, focus=focus)
    form = forms.PageForm(request.POST, page=page)
    revision = _revision(request)
    if form.is_valid():
        outcome = attempt(request, lambda: services.save_draft(request.staff, page, _data(form, raw),
                                                               revision=revision))
        if outcome.done:
            from django.contrib import messages

            messages.success(request, _("下書きを保存しました。承認に回すまで住民には見えません。"))
            return _redirect_edit(page)
        if outcome.repeated:
            return _redirect_edit(page)
        assert outcome.refused is not None
        page.refresh_from_db()
        return _editor(request, page, form, raw, status=400, extra_errors=_refused_on_form(form, outcome.refused))
    return _editor(request, page, form, raw, status=400)


def _revision(request: TownRequest) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else None


def _readonly(request: TownRequest, page: Page) -> HttpResponse:
    return render(request, "website/staff/readonly.html", {"page": page, "version": page.live})


@staff_required(role=Role.STAFF)
def preview(request: TownRequest, pk: int) -> HttpResponse:
    """The open version (or a numbered one) as residents would see it, in a phone-width frame on request."""
    page = _page(request, pk)
    number = request.GET.get("v", "")
    version = (page.versions.filter(number=int(number)).first() if number.isdigit()
               else services.open_version(page) or page.live)
    if version is None:
        raise Http404
    from .public import render_page

    response: HttpResponse = render_page(request, page, version, preview=True)
    return response


@staff_required(role=Role.STAFF)
def phone(request: TownRequest, pk: int) -> HttpResponse:
    """The preview inside a 360 px wide frame, as on a small phone."""
    page = _page(request, pk)
    return render(request, "website/staff/phone.html", {"page": page, "v": request.GET.get("v", "")})


# ---------------------------------------------------------------- files

@staff_required(role=Role.STAFF)
@require_POST
def upload(request: TownRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    form = forms.AssetForm(request.POST, request.FILES)
    if form.is_valid():
        outcome = attempt(request, lambda: asset_services.upload(request.staff, page, form.cleaned_data["file"]))
        if outcome.done and outcome.result is not None:
            from django.contrib import messages

            messages.success(request, _("%(name)s を登録しました。画像・ファイルのブロックで選べます。") % {
                "name": outcome.result.original_name})
            return _redirect(reverse("staff:website-page-edit", args=[page.pk]) + "#files")
        if outcome.refused is not None:
            add_refusal(form, outcome.refused)
    version = services.open_version(page) or page.live
    editor = forms.PageForm(initial=forms.initial_of(page, version), page=page) if version else forms.PageForm(
        page=page)
    response = _editor(request, page, editor, list(version.blocks) if version else [], status=400,
                       extra_errors=[_err(str(e), "id_file") for e in form.errors.get("file", [])])
    return response


@staff_required(role=Role.STAFF)
def asset(request: TownRequest, uuid: str) -> HttpResponseBase:
    """A page's file for staff (drafts included); residents get published files from the public site."""
    row: Asset = get_object_or_404(Asset, uuid=uuid)
    return private_file_response(row.path, content_type=row.content_type, filename=row.original_name,
                                 inline=row.is_image or row.content_type == "application/pdf")


# ---------------------------------------------------------------- translations

def _translation_rows(source: list[dict[str, Any]], values: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    rows = []
    for index, block in enumerate(source):
        fields = []
        for name in forms.WORD_FIELDS.get(block["type"], ()):
            kept = values[index] if index < len(values) and not values[index].get("untranslated") else {}
            value = kept.get(name, "")
            field = {"name": f"{prefix}-{index}-{name}", "japanese": block.get(name, ""), "value": value,
                     "rich": name in ("html", "answer"), "label": _field_label(block["type"], name)}
            if field["rich"]:
                field["widget"] = RichTextarea(attrs={"rows": 5, "id": f"id_{prefix}-{index}-{name}",
                                                      "lang": "en" if prefix == "en" else "ja"},
                                               heading="h3").render(field["name"], value)
            fields.append(field)
        if fields:
            rows.append({"number": index + 1, "kind": forms.BLOCK_LABELS.get(block["type"], ""), "fields": fields})
    return rows


def _field_label(kind: str, name: str) -> str:
    return {"text": _("文"), "html": _("本文"), "alt": _("代替テキスト"), "caption": _("説明"), "label": _("名前"),
            "question": _("質問"), "answer": _("答え")}.get(name, name)


def _translation_page(request: TownRequest, page: Page, version: PageVersion, form: forms.TranslationForm,
                      posted: dict[str, list[dict[str, Any]]] | None = None, *, status: int = 200,
                      extra_errors: list[dict[str, str]] | None = None,
                      posted_details: dict[str, str] | None = None) -> HttpResponse:
    draft = version.machine_draft or {}
    values = posted or {"en": version.blocks_en or draft.get("en", {}).get("blocks", []),
                        "easy": version.blocks_easy or draft.get("easy", {}).get("blocks", [])}
    errors = (error_summary(form) if form.is_bound else []) + (extra_errors or [])
    details = version.details or {}
    detail_rows = {language: [{"name": f"{language}-detail-{name}", "label": forms.PageForm.base_fields[name].label,
                               "japanese": details.get(name, ""),
                               "value": (posted_details or {}).get(
                                   f"{name}_{language}", details.get(f"{name}_{language}") or draft.get(
                                       language, {}).get("details", {}).get(name, ""))}
                              for name in services.detail_words(page.kind, details)]
                   for language in services.LANGUAGES}
    return render(request, "website/staff/translate.html", {
        "page": page, "version": version, "form": form, "revision": page.revision, "errors": errors,
        "en_details": detail_rows["en"], "easy_details": detail_rows["easy"],
        "en_rows": _translation_rows(version.blocks, values["en"], "en"),
        "easy_rows": _translation_rows(version.blocks, values["easy"], "easy"),
        "machine": bool(draft.get("en") or draft.get("easy")), "machine_error": draft.get("error", ""),
        "machine_waiting": bool(draft.get("asked")) and not draft.get("at"),
        "ai": ai.enabled() and version.state in (VersionState.DRAFT, VersionState.RETURNED)},
        status=400 if errors else status)


@staff_required(role=Role.STAFF)
def translate(request: TownRequest, pk: int) -> HttpResponse:
    """英語・やさしい日本語: the open version's words, block by block beside the Japanese (saved as part of the draft,
    approved with it)."""
    page = _editable(request, pk)
    version = services.open_version(page)
    if version is None or version.state not in (VersionState.DRAFT, VersionState.RETURNED):
        if request.method == "POST" or page.live is None:
            from django.contrib import messages

            messages.info(request, _("翻訳は下書きで編集します。まず本文の「下書きを保存」をしてください。"))
            return _redirect_edit(page)
        version = page.live
    if request.method != "POST":
        draft = version.machine_draft or {}
        form = forms.TranslationForm(initial={
            "title_en": version.title_en or draft.get("en", {}).get("title", ""),
            "summary_en": version.summary_en or draft.get("en", {}).get("summary", ""),
            "title_easy": version.title_easy or draft.get("easy", {}).get("title", ""),
            "summary_easy": version.summary_easy or draft.get("easy", {}).get("summary", "")})
        return _translation_page(request, page, version, form)
    form = forms.TranslationForm(request.POST)
    posted = {"en": forms.translated(version.blocks, request.POST, "en"),
              "easy": forms.translated(version.blocks, request.POST, "easy")}
    posted_details = {f"{name}_{language}": request.POST.get(f"{language}-detail-{name}", "")[:500]
                      for name in services.detail_words(page.kind, version.details or {})
                      for language in services.LANGUAGES}
    if not form.is_valid():
        return _translation_page(request, page, version, form, posted, posted_details=posted_details)
    extra = []
    chosen: dict[str, list[dict[str, Any]]] = {}
    for language, label in (("en", _("英語")), ("easy", _("やさしい日本語"))):
        title = form.cleaned_data[f"title_{language}"]
        touched = any(str(value).strip() for block in posted[language] for name, value in block.items()
                      if name in forms.WORD_FIELDS.get(block["type"], ()))
        if not title and not touched:
            chosen[language] = []
            continue
        missing = forms.missing_words(posted[language])
        if missing or not title:
            where = f"#id_title_{language}" if not title else f"#id_{language}-{missing[0]}-" + (
                forms.WORD_FIELDS[version.blocks[missing[0]]["type"]][0])
            extra.append(_err(_("%(language)s版：タイトルとすべてのブロックを訳してください（未訳：%(blocks)s）。")
                          % {"language": label, "blocks": "、".join(
                              [_("タイトル")] * (not title) + [_("ブロック%(n)s") % {"n": i + 1} for i in missing])},
                          where))
        chosen[language] = posted[language]
    if extra:
        return _translation_page(request, page, version, form, posted, extra_errors=extra,
                                 posted_details=posted_details)
    data = services.PageData(
        title=version.title, summary=version.summary, kind=page.kind, department=page.department,
        parent=page.parent, slug=page.slug, blocks=version.blocks, details=posted_details,
        title_en=form.cleaned_data["title_en"], summary_en=form.cleaned_data["summary_en"],
        blocks_en=chosen["en"], title_easy=form.cleaned_data["title_easy"],
        summary_easy=form.cleaned_data["summary_easy"], blocks_easy=chosen["easy"],
        publish_at=version.publish_at, expires_at=version.expires_at, change_note=version.change_note)
    outcome = attempt(request, lambda: services.save_translations(request.staff, page, data,
                                                                  revision=_revision(request)))
    if outcome.done:
        from django.contrib import messages

        messages.success(request, _("翻訳を保存しました。承認されると公開されます。"))
        return _redirect(reverse("staff:website-page-translate", args=[page.pk]))
    if outcome.repeated:
        return _redirect(reverse("staff:website-page-translate", args=[page.pk]))
    assert outcome.refused is not None
    add_refusal(form, outcome.refused)
    return _translation_page(request, page, version, form, posted, posted_details=posted_details,
                             extra_errors=[_err(m, "main") for k, m in outcome.refused.errors.items()
                                           if k not in form.fields])


@staff_required(role=Role.STAFF)
@require_POST
def translate_draft(request: TownRequest, pk: int) -> HttpResponse:
    """「AIで下書き」: the drafts are made by a task; the translation page shows them when they are there."""
    page = _editable(request, pk)
    return act_once(request, lambda: services.request_machine_draft(request.staff, page,
                                                                    revision=_revision(request)),
                    done=_("AIに下書きを頼みました。少したってからこのページを開き直すと、下書きが入っています。"),
                    back=reverse("staff:website-page-translate", args=[page.pk]))


# ---------------------------------------------------------------- versions

def _lines(version: PageVersion) -> list[str]:
    lines = [_("タイトル：%(t)s") % {"t": version.title}]
    if version.summary:
        lines.append(_("概要：%(t)s") % {"t": version.summary})
    for name, value in sorted((version.details or {}).items()):
        lines.append(f"{name}: {value}")
    lines.extend(block_kit.plain_text(block_kit.parse(version.blocks)).splitlines())
    if version.title_en:
        lines.append(f"EN: {version.title_en}")
        lines.extend(f"EN: {line}" for line in block_kit.plain_text(block_kit.parse(version.blocks_en)).splitlines())
    return lines


def diff(old: PageVersion | None, new: PageVersion) -> list[dict[str, str]]:
    """The lines that changed from `old` to `new` (added, removed; unchanged lines around them for context)."""
    before = _lines(old) if old is not None else []
    rows = []
    for line in difflib.unified_diff(before, _lines(new), lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            rows.append({"op": "gap", "text": "…"})
        elif line.startswith("+"):
            rows.append({"op": "added", "text": line[1:]})
        elif line.startswith("-"):
            rows.append({"op": "removed", "text": line[1:]})
        else:
            rows.append({"op": "same", "text": line[1:]})
    return rows


@staff_required(role=Role.STAFF)
def versions(request: TownRequest, pk: int) -> HttpResponse:
    page = _page(request, pk)
    rows = list(page.versions.select_related("author", "decided_by"))
    number = request.GET.get("v", "")
    chosen = next((v for v in rows if str(v.number) == number), rows[0] if rows else None)
    against_number = request.GET.get("against", "")
    against = next((v for v in rows if str(v.number) == against_number), None)
    if against is None and chosen is not None:
        against = next((v for v in rows if v.number < chosen.number), None)
    return render(request, "website/staff/versions.html", {
        "page": page, "versions": rows, "chosen": chosen, "against": against,
        "diff": diff(against, chosen) if chosen is not None else [], "revision": page.revision,
        "editable": services.may_edit(request.staff, page),
        "open": services.open_version(page)})


@staff_required(role=Role.STAFF)
@require_POST
def restore(request: TownRequest, pk: int, number: int) -> HttpResponse:
    page = _editable(request, pk)
    return act_once(request, lambda: services.restore(request.staff, page, number, revision=_revision(request)),
                    done=_("第%(n)s版の内容で下書きを作りました。確かめて承認に回してください。") % {"n": number},
                    back=reverse("staff:website-page-edit", args=[page.pk]))


# ---------------------------------------------------------------- approval

@staff_required(role=Role.STAFF)
@require_POST
def submit(request: TownRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    outcome = attempt(request, lambda: services.submit(request.staff, page, revision=_revision(request)))
    if outcome.done:
        from django.contrib import messages

        names = "、".join(str(s) for s in services.approvers(page)) or _("情報担当")
        messages.success(request, _("承認に回しました（承認する人：%(names)s）。") % {"names": names})
        return _redirect_edit(page)
    if outcome.repeated:
        return _redirect_edit(page)
    assert outcome.refused is not None
    page.refresh_from_db()
    version = services.open_version(page) or page.live
    form = forms.PageForm(initial=forms.initial_of(page, version), page=page) if version else forms.PageForm(
        page=page)
    return _editor(request, page, form, list(version.blocks) if version else [], status=400,
                   extra_errors=[_err(message, "findings") for message in outcome.refused.messages],
                   errors_title=_("承認に回せませんでした"))


@staff_required(role=Role.APPROVER)
def approvals(request: TownRequest) -> HttpResponse:
    waiting = list(services.waiting_for(request.staff))
    return render(request, "website/staff/approvals.html", {"waiting": waiting})


def _decision_page(request: TownRequest, page: Page, version: PageVersion, form: forms.ReturnForm | None = None,
                   *, status: int = 200, errors: list[dict[str, str]] | None = None) -> HttpResponse:
    found = errors or (error_summary(form) if form is not None and form.is_bound else [])
    return render(request, "website/staff/decide.html", {
        "page": page, "version": version, "diff": diff(page.live, version), "form": form or forms.ReturnForm(),
        "findings": _findings(page, version), "errors": found,
        "own": version.author_id == request.staff.pk}, status=400 if found else status)


@staff_required(role=Role.APPROVER)
def decide(request: TownRequest, pk: int) -> HttpResponse:
    page = _page(request, pk)
    if not services.may_approve(request.staff, page):
        raise Http404
    version = services.open_version(page)
    if version is None or version.state != VersionState.PENDING:
        from django.contrib import messages

        messages.info(request, _("このページに承認待ちの版はありません。"))
        return _redirect(reverse("staff:website-approvals"))
    if request.method != "POST":
        return _decision_page(request, page, version)
    number = int(request.POST.get("number", "0") or 0) or None
    if request.POST.get("decision") == "approve":
        return act_once(request, lambda: services.approve(request.staff, page, number=number),
                        done=lambda v: (_("承認しました。%(when)sに公開します。") % {
                            "when": timezone.localtime(v.publish_at).strftime("%Y-%m-%d %H:%M")}
                            if v.state == VersionState.APPROVED else _("承認し、公開しました。")),
                        back=reverse("staff:website-approvals"),
                        refused=lambda error: _decision_page(
                            request, page, version, errors=[_err(m, "decide") for m in error.messages]))
    form = forms.ReturnForm(request.POST)
    if form.is_valid():
        response = act_once(request, lambda: services.return_version(request.staff, page, form.cleaned_data["note"],
                                                                     number=number),
                            form=form, done=_("差し戻しました。"), back=reverse("staff:website-approvals"))
        if response is not None:
            return response
    return _decision_page(request, page, version, form)


# ---------------------------------------------------------------- 棚卸し, move, retire, discard

@staff_required(role=Role.STAFF)
def reviews(request: TownRequest) -> HttpResponse:
    due = services.due_for_review(request.staff)
    listing = Paginator(due, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "website/staff/reviews.html", {"listing": listing, "page": listing,
                                                           "form": forms.ReviewForm()})


@staff_required(role=Role.STAFF)
@require_POST
def review(request: TownRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    form = forms.ReviewForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    return act_once(request, lambda: services.review(request.staff, page, outcome,
                                                     form.cleaned_data.get("note", "") if form.is_valid() else "",
                                                     revision=_revision(request)),
                    done=_("「%(path)s」の棚卸しを記録しました。") % {"path": page.path},
                    back=request.POST.get("back") == "edit" and reverse("staff:website-page-edit", args=[page.pk])
                    or reverse("staff:website-reviews"))


def _manage_page(request: TownRequest, page: Page, move_form: forms.MoveForm | None = None,
                 retire_form: forms.RetireForm | None = None) -> HttpResponse:
    bound = [f for f in (move_form, retire_form) if f is not None and f.is_bound]
    errors = [item for f in bound for item in error_summary(f)]
    return render(request, "website/staff/manage.html", {
        "page": page, "revision": page.revision, "errors": errors,
        "move_form": move_form or forms.MoveForm(initial={"parent": page.parent_id}, page=page),
        "retire_form": retire_form or forms.RetireForm(), "review_form": forms.ReviewForm(),
        "reviews": page.reviews.select_related("reviewed_by")[:10],
        "children": page.children.filter(retired_at__isnull=True).count(),
        "open": services.open_version(page)}, status=400 if errors else 200)


@staff_required(role=Role.STAFF)
def manage(request: TownRequest, pk: int) -> HttpResponse:
    return _manage_page(request, _editable(request, pk))


@staff_required(role=Role.STAFF)
@require_POST
def move(request: TownRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    form = forms.MoveForm(request.POST, page=page)
    if form.is_valid():
        response = act_once(request, lambda: services.move_page(request.staff, page, form.cleaned_data["parent"],
                                                                revision=_revision(request)),
                            form=form, done=_("ページを移動しました。"),
                            back=reverse("staff:website-page-manage", args=[page.pk]))
        if response is not None:
            return response
    page.refresh_from_db()
    return _manage_page(request, page, move_form=form)


@staff_required(role=Role.STAFF)
@require_POST
def retire(request: TownRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    form = forms.RetireForm(request.POST)
    if form.is_valid():
        response = act_once(request, lambda: services.retire(request.staff, page, form.cleaned_data["reason"],
                                                             revision=_revision(request)),
                            form=form, done=_("ページを廃止しました。住民には表示されません。"),
                            back=reverse("staff:website"))
        if response is not None:
            return response
    page.refresh_from_db()
    return _manage_page(request, page, retire_form=form)


@staff_required(role=Role.STAFF)
@require_POST
def discard(request: TownRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    return act_once(request, lambda: services.discard_draft(request.staff, page, revision=_revision(request)),
                    done=_("下書きを取り消しました。公開中の内容はそのままです。"),
                    back=reverse("staff:website-page-edit", args=[page.pk]))


staff_urlpatterns = [
    path("website/", index, name="website"),
    path("website/new/", create, name="website-page-new"),
    path("website/pages/<int:pk>/", edit, name="website-page-edit"),
    path("website/pages/<int:pk>/preview/", preview, name="website-page-preview"),
    path("website/pages/<int:pk>/phone/", phone, name="website-page-phone"),
    path("website/pages/<int:pk>/files/", upload, name="website-page-upload"),
    path("website/pages/<int:pk>/translate/", translate, name="website-page-translate"),
    path("website/pages/<int:pk>/translate/draft/", translate_draft, name="website-page-translate-draft"),
    path("website/pages/<int:pk>/versions/", versions, name="website-page-versions"),
    path("website/pages/<int:pk>/versions/<int:number>/restore/", restore, name="website-page-restore"),
    path("website/pages/<int:pk>/submit/", submit, name="website-page-submit"),
    path("website/pages/<int:pk>/decide/", decide, name="website-page-decide"),
    path("website/pages/<int:pk>/manage/", manage, name="website-page-manage"),
    path("website/pages/<int:pk>/move/", move, name="website-page-move"),
    path("website/pages/<int:pk>/retire/", retire, name="website-page-retire"),
    path("website/pages/<int:pk>/discard/", discard, name="website-page-discard"),
    path("website/pages/<int:pk>/review/", review, name="website-page-review"),
    path("website/files/<uuid:uuid>/", asset, name="website-asset"),
    path("website/approvals/", approvals, name="website-approvals"),
    path("website/reviews/", reviews, name="website-reviews"),
]
