"""The texts of 電子申請 residents read, offered for translation (kernel.words): each published procedure's name,
summary and every text of its current form; the categories and ライフイベント of the catalogue."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.words import registry as words

from .models import Category, LifeEvent, Procedure

KIND = "applications.procedure"
CATEGORY = "applications.category"
LIFE_EVENT = "applications.life_event"


def _procedures(municipality: Municipality) -> Iterator[words.Record]:
    published = Procedure.objects.filter(is_published=True).select_related("current_form").order_by(
        "sort_order", "title")
    for procedure in published:
        texts = [words.Text("title", procedure.title, _("手続名"))]
        if procedure.summary.strip():
            texts.append(words.Text("summary", procedure.summary, _("説明")))
        if procedure.documents.strip():
            texts.append(words.Text("documents", procedure.documents, _("必要なもの")))
        if procedure.fee.strip():
            texts.append(words.Text("fee", procedure.fee, _("手数料")))
        if procedure.current_form is not None:
            texts += words.form_texts(procedure.current_form.form)
        yield words.Record(key=str(procedure.pk), title=procedure.title, texts=texts,
                           url=reverse("applications:procedure", args=[procedure.slug]),
                           department_id=procedure.department_id)


def _categories(municipality: Municipality) -> Iterator[words.Record]:
    for category in Category.objects.all():
        yield words.Record(key=str(category.pk), title=category.name,
                           texts=[words.Text("name", category.name, _("分類名"))])


def _life_events(municipality: Municipality) -> Iterator[words.Record]:
    for event in LifeEvent.objects.all():
        texts = [words.Text("name", event.name, _("名称"))]
        if event.description.strip():
            texts.append(words.Text("description", event.description, _("説明")))
        yield words.Record(key=str(event.pk), title=event.name, texts=texts,
                           url=reverse("applications:life-event", args=[event.slug]))


words.register(words.Source(KIND, gettext_lazy("電子申請の手続"), _procedures))
words.register(words.Source(CATEGORY, gettext_lazy("電子申請の分類"), _categories))
words.register(words.Source(LIFE_EVENT, gettext_lazy("ライフイベント"), _life_events))
