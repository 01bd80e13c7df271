"""Template context every page needs: the town, display preferences, the staff menu, whether
マイナンバーカード login is on offer and the town's alert in force (災害モード)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from yakuba.kernel.accounts import oidc
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.http import TownRequest

from . import prefs, registry


def _staff_menu(request: TownRequest) -> list[dict[str, Any]]:
    staff = getattr(request, "staff", None)
    if staff is None:
        return []
    items = []
    for entry in registry.staff_menu:
        if not staff.has_role(entry.role) and not staff.has_role(Role.ADMIN):
            continue
        url = reverse(entry.url_name)
        items.append({"url": url, "label": entry.label, "description": entry.description,
                      "current": request.path == url})
    return items


def _staff_header_counts(request: TownRequest) -> list[dict[str, Any]]:
    staff = getattr(request, "staff", None)
    return registry.header_counts_for(staff) if staff is not None else []


def ui(request: TownRequest) -> dict[str, Any]:
    municipality = getattr(request, "municipality", None)
    return {
        "municipality": municipality,
        # マイナンバーカード login / 本人確認 is offered only where a provider is set up (else it dead-ends).
        "identity_verification": oidc.identity_verification_available(municipality),
        "text_size": prefs.text_size(request),
        "furigana": prefs.furigana_on(request),
        "easy_japanese": prefs.easy_on(request),
        "staff_menu": _staff_menu(request),
        # Called by the staff header only (a template calls a callable): resident pages ask nothing.
        "staff_header_counts": lambda: _staff_header_counts(request),
        # Called by the templates that show the banner only (a template calls a callable): other renders ask nothing.
        "town_alert": lambda: registry.town_alert(request),
        "town_alert_end_url": lambda: registry.end_url_for(request),
        # 利用規約, プライバシーポリシー …: the town's own pages or the kernel's (the footer and the sign-up form).
        "legal_links": lambda: registry.legal_links(request),
    }
