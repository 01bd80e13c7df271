"""Who may do what in デマンド交通: the service's 担当課 (and 情報担当) run it; a vehicle's driver sees and marks its
route; nobody else on the staff sees riders' rides."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.accounts.permissions import can

from ..models import Service, Vehicle


def service() -> Service | None:
    """The town's service (inside its scope), or None when the town runs none."""
    return Service.objects.select_related("department").first()


def can_operate(staff: Staff | None, role: int = Role.STAFF) -> bool:
    """Operators: staff of the service's department (電話予約, the plan, riders); 情報担当 too."""
    current = service()
    return current is not None and can(staff, role, current.department)


def can_drive(staff: Staff | None, vehicle: Vehicle) -> bool:
    """The vehicle's driver, or an operator (who may stand in for a driver's tablet)."""
    if staff is None or not staff.is_active:
        return False
    return vehicle.driver_id == staff.pk or can_operate(staff)


def require_operator(staff: Staff | None, role: int = Role.STAFF) -> Service:
    current = service()
    if current is None:
        raise PermissionDenied(_("この町ではデマンド交通を運行していません。"))
    if not can(staff, role, current.department):
        raise PermissionDenied(_("デマンド交通の担当課の職員だけが使えます。"))
    return current


def require_driver(staff: Staff | None, vehicle: Vehicle) -> None:
    if not can_drive(staff, vehicle):
        raise PermissionDenied(_("この車両の運転手か、デマンド交通の担当課の職員だけが使えます。"))
