"""What the shared sweeps need of the drivers' tablet and the plan board: the arguments of each URL for the role
and isolation sweeps (a route of two rides on 1号車 today)."""

from __future__ import annotations

from typing import Any

from tests.transport.driving_support import make_route
from yakuba.kernel.tenancy.models import Municipality


def role_objects(town: Municipality) -> dict[str, Any]:
    route = make_route(town)
    on_route = {"vehicle_id": route.vehicle.pk, "day": route.day.isoformat()}
    return {"staff:transport-drive-route": on_route, "staff:transport-drive-version": on_route,
            "staff:transport-drive-mark": on_route, "staff:transport-plan": {"day": route.day.isoformat()}}
