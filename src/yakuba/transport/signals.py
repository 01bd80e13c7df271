"""Signals of デマンド交通: `plan_changed`, sent after the transaction that changed a day's plan commits, with keyword
arguments municipality_id, day, version and vehicle_ids (the vehicles whose routes changed)."""

from django.dispatch import Signal

plan_changed = Signal()
