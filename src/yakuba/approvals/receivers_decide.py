"""What 起案・回議・決裁 does when something happens elsewhere in the app: a 廃棄 empties the draft behind a Record."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from .models import Record
from .signals import record_disposed


@receiver(record_disposed, sender=Record, dispatch_uid="approvals.drafts.disposed")
def empty_disposed_draft(sender: Any, record: Record, **kwargs: Any) -> None:
    from .services.drafts import empty_disposed

    empty_disposed(record)
