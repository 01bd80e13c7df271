"""Single-use form tokens: the database makes a form posted twice count once."""

from __future__ import annotations

from django.db import models


class UsedFormToken(models.Model):
    token = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "used form token"
