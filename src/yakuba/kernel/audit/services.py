"""Recording audit entries. Call inside the transaction of the write being recorded."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from yakuba.kernel.http import TownRequest
from yakuba.kernel.tenancy.models import Municipality

from .models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    municipality: Municipality | None,
    actor: Any = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `actor` is a user (or None for the system and anonymous visitors)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        municipality=municipality,
        actor=actor,
        actor_label=str(actor) if actor is not None else "",
        action=action,
        ip_address=client_ip(request),
        data=data or {},
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_label = str(obj)[:200]
    entry.save()
    return entry


def record_read(request: TownRequest, obj: models.Model, *, fields: list[str] | None = None) -> AuditEntry:
    """A staff member was shown `obj`'s personal data."""
    return record(
        f"{obj._meta.label_lower}.viewed",
        municipality=request.municipality,
        actor=request.user,
        obj=obj,
        request=request,
        data={"path": request.path, **({"fields": fields} if fields else {})},
    )


def search(
    *, text: str = "", action: str = "", actor_email: str = "", limit: int = 200
) -> models.QuerySet[AuditEntry]:
    """Entries of the current town's scope, newest first, matching the given filters."""
    entries = AuditEntry.objects.select_related("actor").all()
    if action:
        entries = entries.filter(action__startswith=action)
    if actor_email:
        entries = entries.filter(actor__email__icontains=actor_email)
    if text:
        entries = entries.filter(
            models.Q(object_label__icontains=text) | models.Q(actor_label__icontains=text)
            | models.Q(object_id=text)
        )
    return entries[:limit]
