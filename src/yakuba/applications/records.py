"""Public records 電子申請 offers the other apps through the kernel: each published procedure (手続の案内) as a
document the assistant answers from; a saved or deleted procedure announces a change."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import records
from yakuba.kernel.tenancy.models import Municipality

from .models import Category, FormVersion, LifeEvent, Procedure

KIND = "applications.procedure"


def procedure_text(procedure: Procedure) -> str:
    lines = [procedure.title, procedure.summary]
    if procedure.documents:
        lines += ["", _("必要なもの"), procedure.documents]
    if procedure.fee:
        lines += ["", _("手数料: %(fee)s") % {"fee": procedure.fee}]
    if procedure.processing_days:
        lines += [_("標準処理期間: %(days)d日") % {"days": procedure.processing_days}]
    lines += ["", _("担当: %(department)s") % {"department": procedure.department.name}]
    if procedure.department.phone:
        lines += [_("電話: %(phone)s") % {"phone": procedure.department.phone}]
    lines += [_("この手続はオンラインで申請できます。")]
    return "\n".join(line for line in lines if line is not None)


def _document(procedure: Procedure) -> records.Document:
    return records.Document(
        key=f"{KIND}:{procedure.pk}", category="procedure", title=procedure.title, text=procedure_text(procedure),
        url=reverse("applications:procedure", args=[procedure.slug]),
        version_date=timezone.localdate(procedure.updated_at), department=procedure.department, name=procedure.slug)


def documents(municipality: Municipality) -> Iterator[records.Document]:
    for procedure in Procedure.objects.filter(is_published=True).select_related("department"):
        yield _document(procedure)


def find(name: str) -> records.Document | None:
    procedure = Procedure.objects.filter(slug=name, is_published=True).select_related("department").first()
    return _document(procedure) if procedure is not None else None


records.register_documents(records.DocumentSource(KIND, documents, find))
records.announce_saves(KIND, Procedure)

# What else the public procedure pages show (cached pages follow these kinds: kernel/ui/pagecache.py).
PAGES = "applications.page"
records.announce_saves(PAGES, Category, LifeEvent, FormVersion)
