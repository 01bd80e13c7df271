"""お知らせ on the staff top page: notices still being delivered, and notices waiting for replies."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.messaging.models import DeliveryStatus

from .models import Notice, NoticeStatus, ReplyKind
from .services.notices import managed_notices

DELIVERING = "delivering"
REPLIES = "replies"
PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def delivering(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """Published notices with messages still waiting to go out."""
    return notices.filter(status=NoticeStatus.PUBLISHED, broadcast__deliveries__status__in=PENDING).distinct()


def taking_replies(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """Published notices that ask for a reply and whose reply deadline has not passed."""
    now = timezone.now()
    return notices.filter(status=NoticeStatus.PUBLISHED, publish_at__lte=now).exclude(
        reply_kind=ReplyKind.NONE).filter(Q(reply_deadline__isnull=True) | Q(reply_deadline__gt=now))


def items(staff: Staff) -> list[worklist.Item]:
    notices = managed_notices(staff)
    url = reverse("staff:notices")
    found: list[worklist.Item] = []
    sending = delivering(notices).count()
    if sending:
        found.append(worklist.Item(gettext_lazy("配信中のお知らせ"), sending, f"{url}?work={DELIVERING}",
                                   worklist.DUE, _("メール・LINE・プッシュ通知の送信がまだ終わっていません")))
    open_replies = list(taking_replies(notices).annotate(n=Count("replies")).values_list("n", flat=True))
    if open_replies:
        found.append(worklist.Item(gettext_lazy("返信を受け付けているお知らせ"), len(open_replies),
                                   f"{url}?work={REPLIES}",
                                   detail=_("届いた返信 %(n)d件") % {"n": sum(open_replies)}))
    return found


worklist.register(worklist.Provider(gettext_lazy("お知らせの配信"), items, order=30))
