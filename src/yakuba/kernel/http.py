"""The request as our middleware leaves it: typed, so views and services can rely on its attributes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from yakuba.kernel.accounts.models import Resident, Staff
    from yakuba.kernel.tenancy.models import Municipality


class TownRequest(HttpRequest):
    """A request inside one town: set by MunicipalityMiddleware; `staff`/`resident` by the permission
    decorators of kernel.accounts.permissions."""

    municipality: Municipality
    staff: Staff
    resident: Resident
    unknown_municipality: str
    unknown_host: bool
    session_expired: bool
