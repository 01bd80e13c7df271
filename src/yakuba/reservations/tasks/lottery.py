"""Mail about 抽選 results, sent by the worker after the draw commits: one mail per applicant with every entry's
result (当選 with the reservation, 落選 with the time). Only to confirmed addresses, like the other reservation mail."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.scoping import town_row

from ..models import EntryStatus, Lottery, LotteryEntry, LotteryStatus


@task(queue_name="mail")
def send_results(lottery_id: int, resident_id: int) -> bool:
    """The applicant's results of a drawn lottery; False when there is nothing to send or no confirmed address."""
    with town_row(Lottery, lottery_id) as lottery:
        if lottery is None:
            return False
        municipality = lottery.municipality
        resident = Resident.objects.select_related("user").filter(pk=resident_id).first()
        if resident is None:
            return False  # the applicant left the town's records before the mail went
        address = consent.to_person(resident, Purpose.PERSONAL).address
        entries = list(LotteryEntry.objects.filter(
            lottery=lottery, resident=resident, status__in=(EntryStatus.WON, EntryStatus.LOST)).select_related(
            "room__facility", "reservation").order_by("preference"))
        if lottery.status != LotteryStatus.DRAWN or not address or not entries:
            return False
        # Once per applicant, even when the task is retried or queued twice: the first run claims the entries.
        claimed = LotteryEntry.objects.filter(pk__in=[entry.pk for entry in entries], notified_at__isnull=True
                                              ).update(notified_at=timezone.now())
        if not claimed:
            return False
        won = [entry for entry in entries if entry.status == EntryStatus.WON]
        lost = [entry for entry in entries if entry.status == EntryStatus.LOST]
        url = municipality.absolute_url(reverse("reservations:lottery", args=[lottery.public_id]))
        return send_town_mail(
            municipality, address, purpose="reservations.lottery_results",
            subject="抽選の結果のお知らせ（当選）" if won else "抽選の結果のお知らせ",
            template="reservations/mail/lottery_results.txt",
            context={"resident": resident, "lottery": lottery, "won": won, "lost": lost, "url": url,
                     "mine_url": municipality.absolute_url(reverse("reservations:mine"))},
            about=f"reservations.lottery:{lottery.pk}", once=f"reservations.lottery_results:{lottery.pk}:{resident.pk}")
