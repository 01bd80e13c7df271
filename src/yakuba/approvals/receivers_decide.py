"""What 起案・回議・決裁 does when something happens elsewhere in the app: a 廃棄 empties the draft behind a Record,
and a 簿冊 whose letter an undecided 起案 answers cannot be disposed of."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import Draft, DraftStatus, Record, Volume
from .signals import record_disposed, volume_disposal_blockers


@receiver(record_disposed, sender=Record, dispatch_uid="approvals.drafts.disposed")
def empty_disposed_draft(sender: Any, record: Record, **kwargs: Any) -> None:
    from .services.drafts import empty_disposed

    empty_disposed(record)


@receiver(volume_disposal_blockers, sender=Volume, dispatch_uid="approvals.drafts.open_answers")
def open_answers(sender: Any, volume: Volume, **kwargs: Any) -> list[str]:
    """A letter of the volume is being answered by a 起案 that is not decided yet: its 簿冊 must wait."""
    waiting = Draft.objects.filter(replies_to__volume=volume).exclude(status=DraftStatus.DECIDED)
    return [_("起案「%(title)s」がまだ決裁されていません。") % {"title": draft.title} for draft in waiting]
