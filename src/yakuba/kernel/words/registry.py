"""The texts residents read, as apps register them, so staff can translate them and the English share can be measured.

An app registers, in its own `words.py` imported from AppConfig.ready (never importing another app's models):

    from yakuba.kernel.words import registry as words

    def _procedures(municipality: Municipality) -> Iterable[words.Record]:
        for p in Procedure.objects.filter(is_published=True):
            yield words.Record(key=str(p.pk), title=p.title, department_id=p.department_id,
                               url=reverse("applications:procedure", args=[p.slug]),
                               texts=[words.Text("title", p.title, _("手続名")), ...])

    words.register(words.Source("applications.procedure", _("電子申請の手続"), _procedures))

Every function runs inside the town's scope. A `Record` is what staff translate on one page (a procedure with all its
form's labels); `Text.field` names one text of it and is what the display helper is asked with:

    translate(request, "applications.procedure", str(p.pk), "title", p.title)      # Python (display.py)
    {% word "applications.procedure" p.pk "title" p.title %}                        # templates ({% load words %})
    words.display.form(request, "applications.procedure", str(p.pk), definition)   # a whole form definition

An app that keeps its translations in its own rows (notices' NoticeTranslation, the website app's pages) registers a
counts provider instead, so the English share covers what it shows:

    words.register_counts(words.Counts("website.page", _("ページ"), page_counts))  # town -> Tally(texts, en, easy)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from yakuba.kernel.forms.definition import Field, FormDefinition
from yakuba.kernel.tenancy.models import Municipality


@dataclass(frozen=True)
class Text:
    field: str  # e.g. "title", "form.child_name.label"
    japanese: str
    label: str | Promise = ""  # where it appears, for staff: 「項目名: 児童の氏名」


@dataclass(frozen=True)
class Record:
    key: str  # stable within its kind and town
    title: str  # how staff recognise it (in Japanese)
    texts: list[Text]
    url: str = ""  # its public page, if any
    department_id: int | None = None  # the 課 that owns it: its staff may translate it (情報担当 always may)


@dataclass(frozen=True)
class Source:
    kind: str  # e.g. "applications.procedure"
    label: str | Promise  # 「電子申請の手続」
    records: Callable[[Municipality], Iterable[Record]]  # every record residents can read now


@dataclass(frozen=True)
class Tally:
    texts: int  # texts residents read
    english: int  # of them, with a checked English version
    easy: int  # of them, with a checked やさしい日本語 version


@dataclass(frozen=True)
class Counts:
    kind: str
    label: str | Promise
    tally: Callable[[Municipality], Tally]


_sources: dict[str, Source] = {}
_counts: dict[str, Counts] = {}


def register(source: Source) -> Source:
    current = _sources.get(source.kind)
    if current is not None and current.records is not source.records:
        raise ValueError(f"words of {source.kind} are registered twice")
    _sources[source.kind] = source
    return source


def register_counts(provider: Counts) -> Counts:
    current = _counts.get(provider.kind)
    if current is not None and current.tally is not provider.tally:
        raise ValueError(f"word counts of {provider.kind} are registered twice")
    _counts[provider.kind] = provider
    return provider


def sources() -> list[Source]:
    return sorted(_sources.values(), key=lambda s: s.kind)


def source(kind: str) -> Source | None:
    return _sources.get(kind)


def counts_providers() -> list[Counts]:
    return sorted(_counts.values(), key=lambda c: c.kind)


def records(kind: str, municipality: Municipality) -> list[Record]:
    found = _sources.get(kind)
    return list(found.records(municipality)) if found is not None else []


def record(kind: str, key: str, municipality: Municipality) -> Record | None:
    return next((r for r in records(kind, municipality) if r.key == key), None)



def form_texts(definition: FormDefinition) -> list[Text]:
    """Every text a resident reads in a kernel form (the fields `display.Translator.form` asks for)."""
    texts = [Text("form.title", definition.title, _("様式の名前"))]

    def field_texts(item: Field, prefix: str) -> None:
        at = f"form.{prefix}{item.name}"
        texts.append(Text(f"{at}.label", item.label, _("項目名")))
        if item.help_text:
            texts.append(Text(f"{at}.help_text", item.help_text, _("「%(label)s」の説明") % {"label": item.label}))
        texts.extend(Text(f"{at}.option.{value}", label, _("「%(label)s」の選択肢") % {"label": item.label})
                     for value, label in item.options)
        if item.item_label:
            texts.append(Text(f"{at}.item_label", item.item_label,
                              _("「%(label)s」の各件の見出し（{n} は番号）") % {"label": item.label}))
        for sub in item.fields:
            field_texts(sub, f"{prefix}{item.name}.")

    for index, page in enumerate(definition.pages):
        texts.append(Text(f"form.page.{index}.title", page.title, _("ページの見出し")))
        for item in page.fields:
            field_texts(item, "")
    return texts
