"""Reading town rows through django-scopes where the plain scoped manager does not fit: rows shared by every town
(municipality NULL, e.g. national 法令) and tasks that start with nothing but a row's id."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django_scopes import get_scope, scope
from django_scopes.manager import DisabledQuerySet

M = TypeVar("M", bound=models.Model)


class TownOrSharedManager(models.Manager[Any]):
    """The rows of the town in scope plus the rows every town shares (`municipality` NULL). Like the scoped
    managers of TenantModel: outside a scope a query raises, under `scopes_disabled()` every row is read, and a
    scope of `municipality=None` (a task on a shared row) does not narrow the rows."""

    def __init__(self, field: str = "municipality") -> None:
        super().__init__()
        self.field = field

    def get_queryset(self) -> models.QuerySet[Any]:
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        if "municipality" not in current:
            return DisabledQuerySet(self.model, using=self._db, missing_scopes={"municipality"})
        town = current["municipality"]
        if town is None:
            return super().get_queryset()
        own = Q(**{f"{self.field}__in": town}) if isinstance(town, list | tuple) else Q(**{self.field: town})
        return super().get_queryset().filter(own | Q(**{f"{self.field}__isnull": True}))

    def all(self) -> models.QuerySet[Any]:
        rows = super().all()
        return rows.all() if isinstance(rows, DisabledQuerySet) else rows  # .all() on a disabled set raises


@contextmanager
def town_row(model: type[M], pk: object, *related: str) -> Iterator[M | None]:
    """For a task given a row's id: load the town-owned row (with `related` joined) and run the block in its town's
    scope. Yields None, outside any scope, when the row is gone (deleted or replaced before the task ran)."""
    row = model._base_manager.select_related("municipality", *related).filter(pk=pk).first()
    if row is None:
        yield None
        return
    with scope(municipality=getattr(row, "municipality")):  # noqa: B009 - not every model type declares it
        yield row
