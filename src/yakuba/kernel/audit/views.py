"""Staff search over the town's audit log (情報担当 only). Read-only: there is no way to change an entry."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest

from . import services


@staff_required(role=Role.ADMIN)
@require_GET
def audit_log(request: TownRequest) -> HttpResponse:
    params = {key: request.GET.get(key, "").strip()[:100] for key in ("q", "action", "actor")}
    entries = services.search(text=params["q"], action=params["action"], actor_email=params["actor"], limit=1000)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "audit/staff/audit_log.html", {"page": page, "params": params})
