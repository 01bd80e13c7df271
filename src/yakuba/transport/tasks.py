"""Tasks of デマンド交通 (a seam for the drivers' tablet: helper `notify` writes the real ones, the lead merges)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="messaging")
def tell_arriving(ride_id: int) -> bool:
    """「まもなく到着」 to the rider of `ride_id` (the real task sets Ride.arriving_told_at)."""
    return False
