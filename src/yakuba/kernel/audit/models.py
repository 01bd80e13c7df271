"""AuditEntry: append-only. The ORM refuses updates and deletes; database triggers refuse them too."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from yakuba.kernel.tenancy.models import Municipality


class AuditImmutable(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditImmutable("audit entries cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditImmutable("audit entries cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditImmutable("audit entries cannot be updated")


class AuditEntry(models.Model):
    """One thing that happened: `action` is dotted (`accounts.resident.viewed`)."""

    at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("自治体")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("操作者")
    )
    actor_label = models.CharField(_("操作者（記録時）"), max_length=200, blank=True)
    action = models.CharField(_("操作"), max_length=100, db_index=True)
    object_type = models.CharField(_("対象の種類"), max_length=100, blank=True)
    object_id = models.CharField(_("対象ID"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("対象"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    data = models.JSONField(_("詳細"), default=dict, blank=True)

    objects = ScopedManager(municipality="municipality", _manager_class=models.Manager.from_queryset(AuditQuerySet))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("監査ログ")
        indexes = [models.Index(fields=["municipality", "-at"], name="audit_town_time")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutable("audit entries cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditImmutable("audit entries cannot be deleted")
