"""Writing the town's pages: create a page, edit its one open version (two editors: the second is told), send it
to the 所属長, approve or return it, publish now or at 公開予約, take it down at 掲載期限, restore an old version,
move a page in the tree, retire it, and 棚卸し. Every write is one transaction with its audit entry; views, tasks
and the demo call these, nothing else writes pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.refusal import Refused
from yakuba.kernel.workflow import Transition, TransitionError, Workflow

from .. import blocks as block_kit
from .. import tasks
from ..models import OPEN_STATES, Page, PageKind, PageVersion, Review, ReviewOutcome, Site, VersionState

# 版の流れ: a draft goes to the 所属長, who approves it (published now, or at its 公開予約) or returns it.
D, R, P, A, L = (VersionState.DRAFT, VersionState.RETURNED, VersionState.PENDING, VersionState.APPROVED,
                 VersionState.PUBLISHED)
WORKFLOW = Workflow([
    Transition("submit", frozenset({D, R}), P, "staff", _("承認に回す")),
    Transition("approve", frozenset({P}), A, "approver", _("承認する（公開予約）")),
    Transition("publish", frozenset({P}), L, "approver", _("承認して公開する")),
    Transition("return", frozenset({P}), R, "approver", _("差し戻す")),
    Transition("publish_due", frozenset({A}), L, "system", _("公開予約の日時に公開")),
])
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
MAX_DEPTH = 6  # くらし・手続き > ごみ > 粗大ごみ > …: deeper than this, residents get lost
TEXT_FIELDS = ("title", "summary", "title_en", "summary_en", "title_easy", "summary_easy")
LIMITS = {"title": 120, "summary": 300, "title_en": 200, "summary_en": 400, "title_easy": 120, "summary_easy": 300}


@dataclass
class PageData:
    """What an editor sends for a page and its open version."""

    title: str
    kind: str = PageKind.GENERAL
    department: Department | None = None
    parent: Page | None = None
    slug: str = ""
    summary: str = ""
    blocks: Any = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    title_en: str = ""
    summary_en: str = ""
    blocks_en: Any = field(default_factory=list)
    title_easy: str = ""
    summary_easy: str = ""
    blocks_easy: Any = field(default_factory=list)
    publish_at: datetime | None = None
    expires_at: datetime | None = None
    change_note: str = ""


# ---------------------------------------------------------------- who may do what

def may_edit(staff: Staff, page: Page) -> bool:
    """The owning 課's staff, and 情報担当 (who runs the site)."""
    return staff.role >= Role.ADMIN or staff.department_id == page.department_id


def approvers(page: Page) -> list[Staff]:
    """Who approves the page's versions: the owning 課's 所属長; when the 課 has none in office, 情報担当."""
    heads = list(Staff.objects.filter(department_id=page.department_id, role=Role.APPROVER, is_active=True,
                                      user__is_active=True))
    return heads or list(Staff.objects.filter(role=Role.ADMIN, is_active=True, user__is_active=True))


def may_approve(staff: Staff, page: Page) -> bool:
    if staff.role >= Role.ADMIN:
        return True
    return staff.role >= Role.APPROVER and staff.department_id == page.department_id


def editable_pages(staff: Staff) -> Any:
    pages = Page.objects.all()
    return pages if staff.role >= Role.ADMIN else pages.filter(department_id=staff.department_id)


# ---------------------------------------------------------------- checking what was sent

def _check_text(data: PageData, errors: dict[str, str]) -> None:
    for name in TEXT_FIELDS:
        value = " ".join(str(getattr(data, name) or "").split())
        setattr(data, name, value)
        if len(value) > LIMITS[name]:
            errors[name] = _("%(limit)s文字以内で入力してください。") % {"limit": LIMITS[name]}
    if not data.title:
        errors["title"] = _("タイトルを入力してください。")
    if data.kind not in PageKind.values:
        errors["kind"] = _("ページの種類を選んでください。")
    if (data.blocks_en or data.summary_en) and not data.title_en:
        errors["title_en"] = _("英語の本文があるときは、英語のタイトルも入力してください。")
    if (data.blocks_easy or data.summary_easy) and not data.title_easy:
        errors["title_easy"] = _("やさしい日本語の本文があるときは、やさしい日本語のタイトルも入力してください。")


def _check_blocks(data: PageData, errors: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    cleaned: dict[str, list[dict[str, Any]]] = {}
    for name, label in (("blocks", ""), ("blocks_en", _("英語版：")), ("blocks_easy", _("やさしい日本語版："))):
        try:
            cleaned[name] = block_kit.dump(block_kit.parse(getattr(data, name)))
        except block_kit.BlockError as error:
            errors[f"{name}-{error.index}-{error.field}"] = _("%(where)sブロック%(n)s：%(reason)s") % {
                "where": label, "n": error.index + 1, "reason": str(error)}
    return cleaned


def _check_dates(data: PageData, errors: dict[str, str]) -> None:
    if data.expires_at is not None and data.expires_at <= (data.publish_at or timezone.now()):
        errors["expires_at"] = _("掲載期限は公開の日時より後にしてください。")


def _check_place(municipality_id: int, data: PageData, page: Page | None, errors: dict[str, str]) -> None:
    if data.department is None or data.department.municipality_id != municipality_id:
        errors["department"] = _("担当課を選んでください。")
    if data.parent is not None:
        if data.parent.municipality_id != municipality_id or data.parent.retired_at is not None:
            errors["parent"] = _("親ページを選び直してください。")
        elif page is not None and (data.parent.pk == page.pk or data.parent.path.startswith(page.path + "/")):
            errors["parent"] = _("ページを、そのページ自身やその下のページの下へは移動できません。")
        elif data.parent.path.count("/") + 1 >= MAX_DEPTH:
            errors["parent"] = _("階層が深すぎます。%(n)s階層までにしてください。") % {"n": MAX_DEPTH}
    data.slug = data.slug.strip().lower()
    if not SLUG_RE.match(data.slug):
        errors["slug"] = _("URLの名前は半角の英小文字・数字・ハイフンで入力してください（例：sodai-gomi）。")
    elif _sibling_taken(data.parent, data.slug, page):
        errors["slug"] = _("同じ場所に同じURLの名前のページがあります。別の名前にしてください。")


def _sibling_taken(parent: Page | None, slug: str, page: Page | None) -> bool:
    siblings = Page.objects.filter(parent=parent, slug=slug)
    if page is not None:
        siblings = siblings.exclude(pk=page.pk)
    return siblings.exists()


def _path(parent: Page | None, slug: str) -> str:
    return f"{parent.path}/{slug}" if parent is not None else slug


def _review_due(municipality_id: int, start: date) -> date:
    site = Site.objects.filter(municipality_id=municipality_id).first()
    months = site.review_months if site is not None else 12
    return start + timedelta(days=round(months * 30.44))


def _fill(version: PageVersion, data: PageData, cleaned: dict[str, list[dict[str, Any]]]) -> None:
    for name in TEXT_FIELDS:
        setattr(version, name, getattr(data, name))
    version.blocks, version.blocks_en, version.blocks_easy = (cleaned["blocks"], cleaned["blocks_en"],
                                                              cleaned["blocks_easy"])
    version.details = clean_details(data.kind, data.details)
    version.publish_at, version.expires_at = data.publish_at, data.expires_at
    version.change_note = " ".join(data.change_note.split())[:200]


DETAIL_FIELDS: dict[str, tuple[str, ...]] = {
    PageKind.PROCEDURE: ("procedure", "who", "when", "where", "fee", "bring", "online"),
    PageKind.FACILITY: ("facility", "address", "hours", "closed", "phone", "latitude", "longitude"),
    PageKind.EVENT: ("starts", "ends", "place", "address", "fee", "organizer", "latitude", "longitude"),
    PageKind.DEPARTMENT: ("department", "hours", "place"),
    PageKind.ARTICLE: ("date",),
}


# The fields that are words a resident reads: each may have an English and a やさしい日本語 version
# (`who_en`, `who_easy`), written on the translation page beside the page's body.
DETAIL_WORDS = ("who", "when", "where", "fee", "bring", "address", "hours", "closed", "place", "organizer")
LANGUAGES = ("en", "easy")


def clean_details(kind: str, details: dict[str, Any]) -> dict[str, Any]:
    """The fields of the page's kind, as short trimmed strings (others dropped), with the translations of those that
    are words."""
    wanted = DETAIL_FIELDS.get(kind, ())
    cleaned = {}
    for name in wanted:
        value = details.get(name)
        if value not in (None, ""):
            cleaned[name] = " ".join(str(value).split())[:500]
            for language in LANGUAGES if name in DETAIL_WORDS else ():
                translated = details.get(f"{name}_{language}")
                if translated:
                    cleaned[f"{name}_{language}"] = " ".join(str(translated).split())[:500]
    return cleaned


def detail_words(kind: str, details: dict[str, Any]) -> list[str]:
    """The names of the version's detail fields that are words to translate, in the order of the kind."""
    return [name for name in DETAIL_FIELDS.get(kind, ()) if name in DETAIL_WORDS and details.get(name)]


def _validate(municipality_id: int, data: PageData, page: Page | None) -> dict[str, list[dict[str, Any]]]:
    errors: dict[str, str] = {}
    _check_text(data, errors)
    _check_place(municipality_id, data, page, errors)
    _check_dates(data, errors)
    _check_details(data, errors)
    cleaned = _check_blocks(data, errors)
    if errors:
        raise Refused(errors)
    return cleaned


def _check_details(data: PageData, errors: dict[str, str]) -> None:
    details = data.details
    if data.kind == PageKind.EVENT:
        starts, ends = _iso(details.get("starts")), _iso(details.get("ends"))
        if details.get("starts") and starts is None:
            errors["starts"] = _("開始日時を正しく入力してください（例：2027-04-01 10:00）。")
        if details.get("ends") and ends is None:
            errors["ends"] = _("終了日時を正しく入力してください（例：2027-04-01 12:00）。")
        if starts is not None and ends is not None and ends < starts:
            errors["ends"] = _("終了日時は開始日時より後にしてください。")
    for name in ("latitude", "longitude"):
        value = details.get(name)
        if value in (None, ""):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[name] = _("緯度・経度は数字で入力してください。")
            continue
        low, high = (20, 46) if name == "latitude" else (122, 154)
        if not low <= number <= high:
            errors[name] = _("日本の範囲の緯度・経度を入力してください。")


def _iso(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace(" ", "T"))
    except ValueError:
        return None


# ---------------------------------------------------------------- writing

def _next_number(page: Page) -> int:
    return (page.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _locked(page: Page, revision: int | None) -> Page:
    """The page's row, locked; Refused when someone saved it since the editor opened it (`revision`)."""
    current = Page.objects.select_for_update(of=("self",)).get(pk=page.pk)
    if revision is not None and current.revision != revision:
        raise Refused(_("このページは、あなたが開いた後に他の人が保存しました。あなたの入力はこの画面に残して"
                        "います。内容を見比べてから、もう一度保存してください。"))
    return current


def _bump(page: Page) -> None:
    Page.objects.filter(pk=page.pk).update(revision=F("revision") + 1)
    page.refresh_from_db(fields=["revision"])


@transaction.atomic
def create_page(staff: Staff, data: PageData) -> Page:
    """A new page with its first draft (not public until approved and published)."""
    if data.department is not None and not (staff.role >= Role.ADMIN or data.department.pk == staff.department_id):
        raise Refused({"department": _("自分の課のページだけを作れます。")})
    cleaned = _validate(staff.municipality_id, data, None)
    assert data.department is not None  # checked by _validate
    position = (Page.objects.filter(parent=data.parent).aggregate(p=Max("position"))["p"] or 0) + 10
    try:
        with transaction.atomic():
            page = Page.objects.create(
                municipality_id=staff.municipality_id, parent=data.parent, slug=data.slug,
                path=_path(data.parent, data.slug), kind=data.kind, department=data.department, position=position,
                review_due=_review_due(staff.municipality_id, timezone.localdate()))
    except IntegrityError:
        raise Refused({"slug": _("同じ場所に同じURLの名前のページがあります。別の名前にしてください。")}) from None
    version = PageVersion(municipality_id=staff.municipality_id, page=page, number=1, author=staff)
    _fill(version, data, cleaned)
    version.save()
    audit("website.page.created", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"path": page.path, "title": version.title})
    return page


def open_version(page: Page) -> PageVersion | None:
    """The version being worked on (draft, waiting, scheduled or returned), if any."""
    return page.versions.filter(state__in=OPEN_STATES).first()


@transaction.atomic
def save_draft(staff: Staff, page: Page, data: PageData, *, revision: int | None) -> PageVersion:
    """Save the editor's content as the page's draft: the open draft is changed, or a new draft is made from what is
    published. A version waiting for approval or scheduled goes back to draft (it must be approved again)."""
    if not may_edit(staff, page):
        raise Refused(_("このページを編集できるのは、担当課の職員と情報担当です。"))
    page = _locked(page, revision)
    if page.retired_at is not None:
        raise Refused(_("廃止したページは編集できません。"))
    cleaned = _validate(staff.municipality_id, data, page)
    version = open_version(page)
    if version is None:
        version = PageVersion(municipality_id=page.municipality_id, page=page, number=_next_number(page),
                              author=staff)
    previous = version.state
    _carry_translations(version if version.pk else page.live, data, cleaned)
    _fill(version, data, cleaned)
    version.state = VersionState.DRAFT
    version.submitted_at = None
    version.save()
    moved = (data.parent.pk if data.parent else None) != page.parent_id or data.slug != page.slug
    page.kind = data.kind
    page.department = data.department  # type: ignore[assignment]  # checked
    page.save(update_fields=["kind", "department", "updated_at"])
    if moved:
        _move(page, data.parent, data.slug)
    _bump(page)
    audit("website.version.saved", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"version": version.number, "was": previous, "moved": moved})
    return version


def _carry_translations(base: PageVersion | None, data: PageData, cleaned: dict[str, list[dict[str, Any]]]) -> None:
    """The editor changes the Japanese; the translations (edited on their own page) come from the version it started
    from, block by block: a block whose Japanese changed waits for its translation again (website/blocks.realign)."""
    if base is not None:
        # A detail's translation stays while its Japanese is unchanged.
        for name in DETAIL_WORDS:
            if data.details.get(name) and data.details.get(name) == (base.details or {}).get(name):
                for language in LANGUAGES:
                    if (base.details or {}).get(f"{name}_{language}"):
                        data.details[f"{name}_{language}"] = base.details[f"{name}_{language}"]
    for language in LANGUAGES:
        for name in (f"title_{language}", f"summary_{language}"):
            setattr(data, name, getattr(base, name) if base is not None else "")
        if base is None:
            cleaned[f"blocks_{language}"] = []
            continue
        kept = getattr(base, f"blocks_{language}")
        cleaned[f"blocks_{language}"] = (block_kit.realign(base.blocks or [], kept, cleaned["blocks"])
                                         if base.blocks != cleaned["blocks"] else kept)


@transaction.atomic
def save_translations(staff: Staff, page: Page, data: PageData, *, revision: int | None) -> PageVersion:
    """Save the English and やさしい日本語 words of the page's draft (checked by the writer; published with the
    version once the 所属長 approves it). A machine draft waiting on the version is used up."""
    if not may_edit(staff, page):
        raise Refused(_("このページを編集できるのは、担当課の職員と情報担当です。"))
    page = _locked(page, revision)
    version = open_version(page)
    if version is None or version.state not in (VersionState.DRAFT, VersionState.RETURNED):
        raise Refused(_("翻訳は下書きで編集します。まず本文の「下書きを保存」をしてください。"))
    data.title, data.summary, data.blocks = version.title, version.summary, version.blocks
    errors: dict[str, str] = {}
    _check_text(data, errors)
    cleaned = _check_blocks(data, errors)
    if errors:
        raise Refused(errors)
    for name in ("title_en", "summary_en", "title_easy", "summary_easy"):
        setattr(version, name, getattr(data, name))
    version.blocks_en, version.blocks_easy = cleaned["blocks_en"], cleaned["blocks_easy"]
    words = {f"{name}_{language}": data.details.get(f"{name}_{language}", "")
             for name in detail_words(page.kind, version.details or {}) for language in LANGUAGES}
    version.details = clean_details(page.kind, {**{k: v for k, v in (version.details or {}).items()
                                                   if not k.endswith(("_en", "_easy"))}, **words})
    version.machine_draft = {}
    version.save()
    _bump(page)
    audit("website.version.translated", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"version": version.number, "en": bool(version.title_en), "easy": bool(version.title_easy)})
    return version


def _move(page: Page, parent: Page | None, slug: str) -> None:
    """Put `page` (and everything below it) under `parent` as `slug`: every path below changes with it."""
    old = page.path
    new = _path(parent, slug)
    if _sibling_taken(parent, slug, page):
        raise Refused({"slug": _("同じ場所に同じURLの名前のページがあります。別の名前にしてください。")})
    page.parent, page.slug, page.path = parent, slug, new
    page.save(update_fields=["parent", "slug", "path", "updated_at"])
    for child in Page.objects.filter(path__startswith=old + "/").order_by("path"):
        child.path = new + child.path[len(old):]
        child.save(update_fields=["path", "updated_at"])


@transaction.atomic
def move_page(staff: Staff, page: Page, parent: Page | None, *, revision: int | None) -> Page:
    """Move a page (with its children) under another page, or to the top."""
    if not may_edit(staff, page):
        raise Refused(_("このページを移動できるのは、担当課の職員と情報担当です。"))
    page = _locked(page, revision)
    errors: dict[str, str] = {}
    data = PageData(title="-", parent=parent, slug=page.slug, department=page.department)
    _check_place(staff.municipality_id, data, page, errors)
    if errors:
        raise Refused(errors)
    old = page.path
    _move(page, parent, page.slug)
    _bump(page)
    audit("website.page.moved", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"from": old, "to": page.path})
    return page


def blocking_findings(version: PageVersion) -> list[Any]:
    """The accessibility errors that stop the version being sent for approval (website/services/checks.py)."""
    from . import checks

    found = checks.check_version(version.title, block_kit.parse(version.blocks), asset_infos(version.page),
                                 version.details)
    return [finding for finding in found if finding.severity == "error"]


def asset_infos(page: Page) -> dict[str, Any]:
    """What the accessibility checks need of the page's files, by the key a block names them with."""
    from .checks import AssetInfo

    return {str(asset.uuid): AssetInfo(content_type=asset.content_type, name=asset.original_name, text=asset.text)
            for asset in page.assets.all()}


@transaction.atomic
def submit(staff: Staff, page: Page, *, revision: int | None) -> PageVersion:
    """Send the draft to the 所属長. Refused while the accessibility check finds an error."""
    if not may_edit(staff, page):
        raise Refused(_("このページを承認に回せるのは、担当課の職員と情報担当です。"))
    page = _locked(page, revision)
    version = open_version(page)
    _transition(version, "submit", "staff", _("承認に回せる下書きがありません。"))
    assert version is not None
    errors = blocking_findings(version)
    if errors:
        raise Refused([_("アクセシビリティの点検で直すところがあります：%(what)s") % {"what": finding.message}
                       for finding in errors])
    if version.publish_at is not None and version.expires_at is not None and version.expires_at <= timezone.now():
        raise Refused({"expires_at": _("掲載期限が過ぎています。掲載期限を直してください。")})
    version.state = VersionState.PENDING
    version.submitted_at = timezone.now()
    version.decision_note = ""
    version.save(update_fields=["state", "submitted_at", "decision_note", "updated_at"])
    _bump(page)
    version_id = version.pk
    transaction.on_commit(lambda: tasks.tell_approvers.enqueue(version_id))
    audit("website.version.submitted", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"version": version.number, "approvers": [s.pk for s in approvers(page)]})
    return version


def _transition(version: PageVersion | None, name: str, actor: str, refusal: str) -> None:
    """The kernel workflow's gate: Refused with `refusal` when the version may not take the step now."""
    try:
        if version is None:
            raise TransitionError(name)
        WORKFLOW.check(version.state, name, actor)
    except TransitionError:
        raise Refused(refusal) from None


def _pending(page: Page, number: int | None, step: str) -> PageVersion:
    version = open_version(page)
    if version is not None and number is not None and version.number != number:
        version = None
    _transition(version, step, "approver",
                _("この版は承認待ちではありません（すでに承認・差し戻しされたか、書き直されました）。"))
    assert version is not None
    return version


@transaction.atomic
def approve(staff: Staff, page: Page, *, number: int | None = None) -> PageVersion:
    """Approve the waiting version: published now, or at its 公開予約."""
    page = _locked(page, None)
    if not may_approve(staff, page):
        raise Refused(_("このページを承認できるのは、担当課の所属長と情報担当です。"))
    now = timezone.now()
    waiting = open_version(page)
    scheduled = waiting is not None and waiting.publish_at is not None and waiting.publish_at > now
    version = _pending(page, number, "approve" if scheduled else "publish")
    if version.author_id == staff.pk and staff.role < Role.ADMIN:
        raise Refused(_("自分で書いた版は承認できません。ほかの所属長か情報担当に承認を依頼してください。"))
    if version.expires_at is not None and version.expires_at <= now:
        raise Refused(_("掲載期限が過ぎているため公開できません。差し戻して掲載期限を直してもらってください。"))
    version.decided_by, version.decided_at = staff, now
    if version.publish_at is not None and version.publish_at > now:
        version.state = VersionState.APPROVED
        version.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
        version_id, when = version.pk, version.publish_at
        transaction.on_commit(lambda: tasks.publish_version.using(run_after=when).enqueue(version_id))
    else:
        version.save(update_fields=["decided_by", "decided_at", "updated_at"])
        _publish(page, version, now)
    _bump(page)
    audit("website.version.approved", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"version": version.number, "publish_at": version.publish_at.isoformat() if version.publish_at
                else None})
    return version


@transaction.atomic
def return_version(staff: Staff, page: Page, note: str, *, number: int | None = None) -> PageVersion:
    """Send the waiting version back to its writers with the reason (差し戻し)."""
    page = _locked(page, None)
    if not may_approve(staff, page):
        raise Refused(_("このページを差し戻せるのは、担当課の所属長と情報担当です。"))
    version = _pending(page, number, "return")
    note = " ".join(note.split())
    if not note:
        raise Refused({"note": _("差し戻しの理由を入力してください。")})
    if len(note) > 500:
        raise Refused({"note": _("500文字以内で入力してください。")})
    version.state, version.decision_note = VersionState.RETURNED, note
    version.decided_by, version.decided_at = staff, timezone.now()
    version.save(update_fields=["state", "decision_note", "decided_by", "decided_at", "updated_at"])
    _bump(page)
    audit("website.version.returned", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"version": version.number, "note": note})
    return version


def _publish(page: Page, version: PageVersion, now: datetime) -> None:
    PageVersion.objects.filter(page=page, state=VersionState.PUBLISHED).update(state=VersionState.SUPERSEDED)
    version.state, version.published_at = VersionState.PUBLISHED, now
    version.save(update_fields=["state", "published_at", "updated_at"])
    page.live = version
    page.expires_at = version.expires_at
    page.save(update_fields=["live", "expires_at", "updated_at"])
    if version.expires_at is not None:
        page_id, when = page.pk, version.expires_at
        transaction.on_commit(lambda: tasks.page_expired.using(run_after=when).enqueue(page_id))


@transaction.atomic
def publish_due(now: datetime | None = None) -> int:
    """Publish every approved version whose 公開予約 has come (the town in scope). The approval stands when its
    approver has since left: it was given by who could give it then, and is kept with their name."""
    now = now or timezone.now()
    count = 0
    due = (PageVersion.objects.select_for_update(of=("self",)).select_related("page")
           .filter(state=VersionState.APPROVED, publish_at__lte=now))
    for version in due:
        WORKFLOW.check(version.state, "publish_due", "system")
        page = Page.objects.select_for_update(of=("self",)).get(pk=version.page_id)
        if version.expires_at is not None and version.expires_at <= now:
            version.state = VersionState.RETURNED
            version.decision_note = _("掲載期限が公開予約より前に過ぎたため、公開しませんでした。")
            version.save(update_fields=["state", "decision_note", "updated_at"])
        else:
            _publish(page, version, now)
            count += 1
        _bump(page)
        audit("website.version.published", municipality=page.municipality, obj=page,
              data={"version": version.number, "scheduled": True})
    return count


def expired_pages(now: datetime | None = None) -> Any:
    """Pages whose 掲載期限 has passed (residents no longer see them)."""
    return Page.objects.filter(expires_at__isnull=False, expires_at__lte=now or timezone.now())


@transaction.atomic
def restore(staff: Staff, page: Page, number: int, *, revision: int | None) -> PageVersion:
    """A new draft with the content of version `number` (the old one stays as it was)."""
    if not may_edit(staff, page):
        raise Refused(_("このページを編集できるのは、担当課の職員と情報担当です。"))
    page = _locked(page, revision)
    source = page.versions.filter(number=number).first()
    if source is None:
        raise Refused(_("その版はありません。"))
    if open_version(page) is not None:
        raise Refused(_("作業中の版があります。先にその版を公開するか、取り消してから戻してください。"))
    version = PageVersion(municipality_id=page.municipality_id, page=page, number=_next_number(page), author=staff,
                          restored_from=source.number, change_note=_("第%(n)s版に戻す") % {"n": source.number})
    for name in (*TEXT_FIELDS, "blocks", "blocks_en", "blocks_easy", "details"):
        setattr(version, name, getattr(source, name))
    version.save()
    _bump(page)
    audit("website.version.restored", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"from": source.number, "version": version.number})
    return version


@transaction.atomic
def discard_draft(staff: Staff, page: Page, *, revision: int | None) -> None:
    """Throw away the open version (the published one stays)."""
    if not may_edit(staff, page):
        raise Refused(_("このページを編集できるのは、担当課の職員と情報担当です。"))
    page = _locked(page, revision)
    version = open_version(page)
    if version is None:
        raise Refused(_("取り消す下書きがありません。"))
    if page.live_id is None:
        raise Refused(_("まだ公開していないページの最初の版は取り消せません。ページを廃止してください。"))
    number = version.number
    version.delete()
    _bump(page)
    audit("website.version.discarded", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"version": number})


@transaction.atomic
def retire(staff: Staff, page: Page, reason: str, *, revision: int | None) -> Page:
    """Take the page off the site for good (its versions are kept). Pages below it must be moved or retired first."""
    if not may_edit(staff, page):
        raise Refused(_("このページを廃止できるのは、担当課の職員と情報担当です。"))
    page = _locked(page, revision)
    reason = " ".join(reason.split())
    if not reason:
        raise Refused({"reason": _("廃止の理由を入力してください。")})
    if page.children.filter(retired_at__isnull=True).exists():
        raise Refused(_("このページの下にページがあります。先に移動するか廃止してください。"))
    now = timezone.now()
    page.retired_at = now
    page.save(update_fields=["retired_at", "updated_at"])
    PageVersion.objects.filter(page=page, state__in=OPEN_STATES).delete()
    Review.objects.create(municipality_id=page.municipality_id, page=page, outcome=ReviewOutcome.RETIRED,
                          reviewed_by=staff, reviewed_at=now, note=reason[:300])
    _bump(page)
    audit("website.page.retired", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"reason": reason})
    return page


@transaction.atomic
def review(staff: Staff, page: Page, outcome: str, note: str = "", *, revision: int | None) -> Review:
    """棚卸し: the owning 課 confirms the page is still right (or says it updated it); the next review is set."""
    if not may_edit(staff, page):
        raise Refused(_("このページの棚卸しは、担当課の職員と情報担当がします。"))
    if outcome not in (ReviewOutcome.CONFIRMED, ReviewOutcome.UPDATED):
        raise Refused(_("棚卸しの結果を選んでください。"))
    page = _locked(page, revision)
    if page.retired_at is not None:
        raise Refused(_("廃止したページです。"))
    if outcome == ReviewOutcome.CONFIRMED and page.live_id is None:
        raise Refused(_("まだ公開していないページです。内容を確かめて承認に回してください。"))
    now = timezone.now()
    done = Review.objects.create(municipality_id=page.municipality_id, page=page, outcome=outcome,
                                 reviewed_by=staff, reviewed_at=now, note=" ".join(note.split())[:300])
    page.reviewed_at = now
    page.review_due = _review_due(page.municipality_id, timezone.localdate(now))
    page.save(update_fields=["reviewed_at", "review_due", "updated_at"])
    _bump(page)
    audit("website.page.reviewed", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"outcome": outcome})
    return done


def due_for_review(staff: Staff, on: date | None = None) -> Any:
    """The pages of the staff member's 課 (情報担当: all) due for 棚卸し by `on`, oldest first."""
    day = on or timezone.localdate()
    return (editable_pages(staff).filter(retired_at__isnull=True, review_due__lte=day)
            .select_related("live", "department").order_by("review_due", "path"))


def waiting_for(staff: Staff) -> Any:
    """Versions waiting for this staff member's approval."""
    versions = PageVersion.objects.filter(state=VersionState.PENDING).select_related("page", "author__user")
    if staff.role >= Role.ADMIN:
        return versions.order_by("submitted_at")
    if staff.role < Role.APPROVER:
        return versions.none()
    return versions.filter(page__department_id=staff.department_id).exclude(author=staff).order_by("submitted_at")


# ---------------------------------------------------------------- machine drafts of the translations

WORD_FIELDS = {"heading": ("text",), "text": ("html",), "image": ("alt", "caption"), "file": ("label",),
               "map": ("label",), "link": ("text",), "faq": ("question", "answer")}
RICH_FIELDS = ("html", "answer")


@transaction.atomic
def request_machine_draft(staff: Staff, page: Page, *, revision: int | None) -> PageVersion:
    """Ask the AI endpoint for English and やさしい日本語 drafts of the page's draft (a task): staff check and correct
    them on the translation page; nothing is shown to residents until saved there and approved."""
    from yakuba.kernel import ai

    if not ai.enabled():
        raise Refused(_("AIの接続先が設定されていないため、下書きは作れません。"))
    if not may_edit(staff, page):
        raise Refused(_("このページを編集できるのは、担当課の職員と情報担当です。"))
    page = _locked(page, revision)
    version = open_version(page)
    if version is None or version.state not in (VersionState.DRAFT, VersionState.RETURNED):
        raise Refused(_("翻訳は下書きで編集します。まず本文の「下書きを保存」をしてください。"))
    version.machine_draft = {"asked": timezone.now().isoformat()}
    version.save(update_fields=["machine_draft", "updated_at"])
    audit("website.version.machine_draft_requested", municipality=staff.municipality, actor=staff.user, obj=page,
          data={"version": version.number})
    version_id, actor_id = version.pk, staff.user_id
    transaction.on_commit(lambda: tasks.machine_draft.enqueue(version_id, actor_id))
    return version


def _words_of(version: PageVersion, kind: str) -> dict[str, str]:
    texts = {"title": version.title, "summary": version.summary}
    for index, block in enumerate(version.blocks or []):
        for name in WORD_FIELDS.get(block.get("type", ""), ()):
            if str(block.get(name, "")).strip():
                texts[f"b{index}.{name}"] = str(block[name])
    for name in detail_words(kind, version.details or {}):
        texts[f"d.{name}"] = str(version.details[name])
    return {key: value for key, value in texts.items() if value.strip()}


def _drafted(version: PageVersion, answer: dict[str, str]) -> dict[str, Any]:
    """The endpoint's answer as the translation page's prefill: blocks with their words replaced (rich text through
    the sanitiser, as anything typed), details by name."""
    from yakuba.kernel.ui import richtext

    def line(value: str) -> str:
        return " ".join(value.split())[:300]

    blocks = []
    for index, block in enumerate(version.blocks or []):
        copy = dict(block)
        for name in WORD_FIELDS.get(block.get("type", ""), ()):
            proposed = answer.get(f"b{index}.{name}", "")
            copy[name] = (richtext.sanitise(proposed, tags=block_kit.TEXT_TAGS) if name in RICH_FIELDS
                          else line(proposed)) if proposed else ""
        blocks.append(copy)
    details = {name[2:]: line(text) for name, text in answer.items() if name.startswith("d.")}
    return {"title": line(answer.get("title", "")), "summary": line(answer.get("summary", "")), "blocks": blocks,
            "details": details}


def machine_draft(version_id: int, actor: Any = None) -> bool:
    """Fill the version's machine drafts (the town in scope); False when the version moved on meanwhile. The
    endpoint's failure is kept on the version for the translation page to say."""
    from yakuba.kernel import ai
    from yakuba.kernel.words import machine

    version = PageVersion.objects.select_related("page", "municipality").filter(pk=version_id).first()
    if version is None or version.state not in (VersionState.DRAFT, VersionState.RETURNED):
        return False
    texts = _words_of(version, version.page.kind)
    drafts: dict[str, Any] = {}
    try:
        for language in LANGUAGES:
            answer = machine.translate(texts, language, municipality=version.municipality, actor=actor,
                                       about={"kind": "website.page", "key": version.page_id,
                                              "version": version.number})
            drafts[language] = _drafted(version, answer)
    except ai.ChatFailed as error:
        drafts = {"error": str(error)}
    with transaction.atomic():
        current = PageVersion.objects.select_for_update(of=("self",)).filter(pk=version_id).first()
        if current is None or current.blocks != version.blocks or current.state not in (VersionState.DRAFT,
                                                                                        VersionState.RETURNED):
            return False
        current.machine_draft = {**drafts, "at": timezone.now().isoformat()}
        current.save(update_fields=["machine_draft", "updated_at"])
    return "error" not in drafts


# ---------------------------------------------------------------- pages as a town already has them (demo, import)

@transaction.atomic
def publish_directly(author: Staff, data: PageData, *, published_at: datetime | None = None,
                     imported_from: str = "") -> Page:
    """A page published as it stands, without the approval round: for loading a town's existing site (the demo, a
    migration the 情報担当 confirmed). Audited as such."""
    cleaned = _validate(author.municipality_id, data, None)
    assert data.department is not None
    now = published_at or timezone.now()
    position = (Page.objects.filter(parent=data.parent).aggregate(p=Max("position"))["p"] or 0) + 10
    page = Page.objects.create(
        municipality_id=author.municipality_id, parent=data.parent, slug=data.slug,
        path=_path(data.parent, data.slug), kind=data.kind, department=data.department, position=position,
        review_due=_review_due(author.municipality_id, timezone.localdate(now)), imported_from=imported_from)
    version = PageVersion(municipality_id=author.municipality_id, page=page, number=1, author=author,
                          decided_by=author, decided_at=now)
    _fill(version, data, cleaned)
    version.save()
    _publish(page, version, now)
    PageVersion.objects.filter(pk=version.pk).update(created_at=now)
    Page.objects.filter(pk=page.pk).update(created_at=now)
    audit("website.page.loaded", municipality=author.municipality, actor=author.user, obj=page,
          data={"path": page.path, "imported_from": imported_from})
    return page


def public_pages() -> Any:
    """Pages residents can read now (in the town's scope)."""
    now = timezone.now()
    return (Page.objects.filter(live__isnull=False, retired_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)))
