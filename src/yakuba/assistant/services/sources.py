"""Documents kept from the platform's own pages: each published procedure (手続の案内) and each notice residents can
see now (お知らせ) is one document, updated when it changes and retired when it is withdrawn."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.applications.models import Procedure
from yakuba.kernel.tenancy.models import Municipality
from yakuba.notices.models import Notice

from ..models import Document, Kind
from .ingest import DocumentFields, upsert

PROCEDURE = "applications.procedure:"
NOTICE = "notices.notice:"


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


def sync(municipality: Municipality) -> int:
    """Bring procedure and notice documents in line with what residents see now; the number of documents written."""
    written = 0
    seen: set[str] = set()
    for procedure in Procedure.objects.filter(is_published=True).select_related("department"):
        key = f"{PROCEDURE}{procedure.pk}"
        seen.add(key)
        before = _version(municipality, key)
        document = upsert(municipality, source_key=key, text=procedure_text(procedure), fields=DocumentFields(
            kind=Kind.PROCEDURE, title=procedure.title, department=procedure.department,
            url=_path(reverse("applications:procedure", args=[procedure.slug])),
            version_date=timezone.localdate(procedure.updated_at)))
        written += document is not None and document.version != before
    for notice in Notice.objects.visible().select_related("department"):
        key = f"{NOTICE}{notice.pk}"
        seen.add(key)
        before = _version(municipality, key)
        document = upsert(municipality, source_key=key, text=f"{notice.title}\n\n{notice.body}", fields=DocumentFields(
            kind=Kind.NOTICE, title=notice.title, department=notice.department,
            url=_path(reverse("notices:detail", args=[notice.public_id])),
            version_date=timezone.localdate(notice.publish_at)))
        written += document is not None and document.version != before
    stale = (Document.objects.filter(kind__in=[Kind.PROCEDURE, Kind.NOTICE], retired_at__isnull=True)
             .exclude(source_key="").exclude(source_key__in=seen).values_list("source_key", flat=True))
    for key in list(stale):
        upsert(municipality, source_key=key, text="", fields=DocumentFields(kind=Kind.OTHER, title=""))
        written += 1
    return written


def _version(municipality: Municipality, key: str) -> int:
    found = Document.objects.filter(source_key=key, retired_at__isnull=True).values_list("version", flat=True).first()
    return found or 0


def _path(url: str) -> str:
    """A platform path without the /t/<code> prefix a request adds; the town's prefix is added when shown."""
    from django.urls import get_script_prefix

    prefix = get_script_prefix().rstrip("/")
    return url[len(prefix):] if prefix and url.startswith(prefix + "/") else url
