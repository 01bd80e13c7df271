"""Plan KPIs measured from オープンデータ (see yakuba.kernel.metrics): read inside the town's scope."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind, Metric, moments

from .models import Dataset, Version


def datasets_published(start: date, end: date) -> int:
    """Datasets with a published version, as it stood at the window's end."""
    return Dataset.objects.filter(versions__published_at__lt=moments(start, end)[1]).distinct().count()


def updates(start: date, end: date) -> int:
    begin, finish = moments(start, end)
    return Version.objects.filter(published_at__gte=begin, published_at__lt=finish).count()


metrics.register(Metric("opendata.datasets_published", _("公開しているオープンデータのデータセット数"), "件",
                        datasets_published, kind=Kind.STOCK, app="opendata"))
metrics.register(Metric("opendata.updates", _("オープンデータの公開・更新の回数"), "回", updates, app="opendata"))
