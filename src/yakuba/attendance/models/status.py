"""Where a request stands (休暇, 時間外, テレワーク, 打刻修正 share it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REQUESTED = "requested", _("承認待ち")
    APPROVED = "approved", _("承認済")
    REJECTED = "rejected", _("却下")
    CANCELLED = "cancelled", _("取消")


OPEN_STATUSES = (Status.REQUESTED, Status.APPROVED)
