"""The editor's forms: a page's fields (and those of its kind), and its blocks as posted (`blocks-<n>-<field>`), so
the editor works as plain HTML forms — keyboard and screen reader first, no script needed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import Municipality

from .. import blocks as block_kit
from ..models import Page, PageKind, ReviewOutcome
from ..services import pages

BLOCK_FIELDS = ("type", "level", "text", "html", "asset", "alt", "caption", "decorative", "label", "lat", "lng",
                "url", "question", "answer")
BLOCK_LABELS = {"heading": _("見出し"), "text": _("本文"), "image": _("画像"), "file": _("ファイル"),
                "map": _("地図"), "link": _("リンク"), "faq": _("よくある質問")}
# Which block fields are words (translated into English and やさしい日本語); the rest are shared (asset, place, URL).
WORD_FIELDS = pages.WORD_FIELDS
MAX_POSTED_BLOCKS = block_kit.MAX_BLOCKS + 1


def posted_blocks(data: QueryDict, prefix: str = "blocks") -> list[dict[str, Any]]:
    """The blocks as the editor posted them, in order (their raw values, to check or to show again)."""
    try:
        total = min(int(data.get(f"{prefix}-total", "0")), MAX_POSTED_BLOCKS)
    except ValueError:
        total = 0
    found = []
    for index in range(max(total, 0)):
        raw: dict[str, Any] = {}
        for name in BLOCK_FIELDS:
            value = data.get(f"{prefix}-{index}-{name}")
            if value is not None:
                raw[name] = value
        if not raw.get("type"):
            continue
        if raw["type"] == "heading":
            raw["level"] = int(raw["level"]) if str(raw.get("level", "")).isdigit() else raw.get("level")
        if raw["type"] == "image":
            raw["decorative"] = raw.get("decorative") == "1"
        found.append(raw)
    return found


def empty_block(kind: str) -> dict[str, Any]:
    return {"type": kind, **({"level": 2} if kind == "heading" else {})}


def translated(blocks: list[dict[str, Any]], data: QueryDict, prefix: str) -> list[dict[str, Any]]:
    """The Japanese blocks with their words replaced by the posted translation (`<prefix>-<n>-<field>`)."""
    result = []
    for index, block in enumerate(blocks):
        copy = {k: v for k, v in block.items() if k != "untranslated"}
        for name in WORD_FIELDS.get(block["type"], ()):
            copy[name] = data.get(f"{prefix}-{index}-{name}", "")
        result.append(copy)
    return result


def missing_words(blocks: list[dict[str, Any]]) -> list[int]:
    """Blocks whose words are not all translated (an alt text left empty on a decorative image is fine)."""
    missing = []
    for index, block in enumerate(blocks):
        if block.get("untranslated"):
            missing.append(index)
            continue
        for name in WORD_FIELDS.get(block["type"], ()):
            if name == "caption" or (block["type"] == "image" and name == "alt" and block.get("decorative")):
                continue
            if not str(block.get(name, "")).strip():
                missing.append(index)
                break
    return missing


def _procedure_choices() -> list[tuple[str, str]]:
    from django_scopes import get_scope

    municipality = get_scope().get("municipality")
    if not isinstance(municipality, Municipality):
        return []
    source = next((s for s in records.document_sources() if s.kind == "applications.procedure"), None)
    if source is None:
        return []
    return [(doc.name, doc.title) for doc in source.documents(municipality) if doc.name]


def _facility_choices() -> list[tuple[str, str]]:
    from django_scopes import get_scope

    municipality = get_scope().get("municipality")
    if not isinstance(municipality, Municipality):
        return []
    return [(row.key, str(row.values.get("名称", row.key))) for row in records.rows("reservations.facility",
                                                                                   municipality)]


class PageChoiceField(forms.ModelChoiceField[Page]):
    """A page chosen by its path (/kurashi/gomi), the way staff know the site."""

    def label_from_instance(self, obj: Page) -> str:
        return "/" + obj.path


class PageForm(forms.Form):
    # Title and URL name are checked by the service with the rest, so every reason shows at once.
    title = forms.CharField(label=_("タイトル"), max_length=120, required=False)
    summary = forms.CharField(label=_("概要"), max_length=300, required=False,
                              help_text=_("検索結果や一覧に出る一文。120文字くらいまでが読みやすい長さです。"),
                              widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("ページの種類"), choices=PageKind.choices)
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("担当課"), queryset=Department.objects.none())
    parent = PageChoiceField(label=_("置く場所（親ページ）"), queryset=Page.objects.none(), required=False,
                             empty_label=_("（いちばん上の階層）"))
    slug = forms.CharField(label=_("URLの名前"), max_length=60, required=False,
                           help_text=_("半角の英小文字・数字・ハイフン。例：sodai-gomi"))
    publish_at = forms.DateTimeField(label=_("公開予約"), required=False,
                                     help_text=_("空欄なら承認されたときに公開します。"),
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    expires_at = forms.DateTimeField(label=_("掲載期限"), required=False,
                                     help_text=_("この日時を過ぎると住民には表示されません。空欄なら期限なし。"),
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    change_note = forms.CharField(label=_("変更の内容（版の記録）"), max_length=200, required=False)
    # The fields of the page's kind (PageVersion.details).
    procedure = forms.ChoiceField(label=_("電子申請の手続"), required=False)
    who = forms.CharField(label=_("対象となる人"), max_length=500, required=False)
    when = forms.CharField(label=_("届出の時期・期限"), max_length=500, required=False)
    where = forms.CharField(label=_("窓口"), max_length=500, required=False)
    fee = forms.CharField(label=_("手数料・料金"), max_length=500, required=False)
    bring = forms.CharField(label=_("持ち物"), max_length=500, required=False)
    facility = forms.ChoiceField(label=_("予約できる施設"), required=False)
    address = forms.CharField(label=_("所在地"), max_length=500, required=False)
    hours = forms.CharField(label=_("開いている時間"), max_length=500, required=False)
    closed = forms.CharField(label=_("休み"), max_length=500, required=False)
    phone = forms.CharField(label=_("電話番号"), max_length=30, required=False)
    latitude = forms.CharField(label=_("緯度"), max_length=20, required=False)
    longitude = forms.CharField(label=_("経度"), max_length=20, required=False)
    starts = forms.DateTimeField(label=_("開始日時"), required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends = forms.DateTimeField(label=_("終了日時"), required=False,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("場所"), max_length=500, required=False)
    organizer = forms.CharField(label=_("主催"), max_length=500, required=False)
    date = forms.DateField(label=_("掲載日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    KIND_FIELDS = {
        PageKind.PROCEDURE: ("procedure", "who", "when", "where", "fee", "bring"),
        PageKind.FACILITY: ("facility", "address", "hours", "closed", "phone", "latitude", "longitude"),
        PageKind.EVENT: ("starts", "ends", "place", "address", "fee", "organizer", "latitude", "longitude"),
        PageKind.DEPARTMENT: ("hours", "place"),
        PageKind.ARTICLE: ("date",),
    }

    def __init__(self, *args: Any, page: Page | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department: Any = self.fields["department"]
        assert isinstance(department, forms.ModelChoiceField)
        department.queryset = Department.objects.all()
        parent: Any = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parents = Page.objects.filter(retired_at__isnull=True).only("pk", "path", "slug")
        if page is not None:
            parents = parents.exclude(pk=page.pk).exclude(path__startswith=page.path + "/")
        parent.queryset = parents.order_by("path")
        procedure = self.fields["procedure"]
        assert isinstance(procedure, forms.ChoiceField)
        procedure.choices = [("", _("（なし）")), *_procedure_choices()]
        facility = self.fields["facility"]
        assert isinstance(facility, forms.ChoiceField)
        facility.choices = [("", _("（なし）")), *_facility_choices()]

    def kind_fields(self) -> list[forms.BoundField]:
        kind = self["kind"].value() or PageKind.GENERAL
        return [self[name] for name in self.KIND_FIELDS.get(kind, ())]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data.get("kind") or PageKind.GENERAL
        found = {}
        for name in self.KIND_FIELDS.get(kind, ()):
            value = data.get(name)
            if value not in (None, ""):
                found[name] = value.isoformat() if hasattr(value, "isoformat") else value
        if kind == PageKind.DEPARTMENT and data.get("department") is not None:
            found["department"] = str(data["department"].pk)
        return found


def initial_of(page: Page, version: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"title": version.title, "summary": version.summary, "kind": page.kind,
                               "department": page.department_id, "parent": page.parent_id, "slug": page.slug,
                               "publish_at": version.publish_at, "expires_at": version.expires_at,
                               "change_note": "" if version.state == "published" else version.change_note}
    initial.update(version.details or {})
    return initial


class TranslationForm(forms.Form):
    title_en = forms.CharField(label=_("タイトル（英語）"), max_length=200, required=False)
    summary_en = forms.CharField(label=_("概要（英語）"), max_length=400, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2, "lang": "en"}))
    title_easy = forms.CharField(label=_("タイトル（やさしい日本語）"), max_length=120, required=False)
    summary_easy = forms.CharField(label=_("概要（やさしい日本語）"), max_length=300, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title_en"].widget.attrs["lang"] = "en"


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("差し戻しの理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("廃止の理由"), max_length=300)


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("棚卸しの結果"), choices=ReviewOutcome.choices[:2],
                                widget=forms.RadioSelect)
    note = forms.CharField(label=_("メモ"), max_length=300, required=False)


class AssetForm(forms.Form):
    file = forms.FileField(label=_("ファイル"), help_text=_("画像（JPEG・PNG・GIF・WebP、10 MBまで）か、PDF・Word・"
                                                        "Excel・PowerPoint（30 MBまで）。"))


class MoveForm(forms.Form):
    parent = PageChoiceField(label=_("移動先（親ページ）"), queryset=Page.objects.none(), required=False,
                             empty_label=_("（いちばん上の階層）"))

    def __init__(self, *args: Any, page: Page, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent: Any = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = (Page.objects.filter(retired_at__isnull=True).exclude(pk=page.pk)
                           .only("pk", "path", "slug").order_by("path"))
