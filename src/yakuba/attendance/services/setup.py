"""What 総務課 sets up: the tablets at the entrance (a secret link each) and the staff cards (staff number, the
personal QR code's token)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.refusal import Refused

from ..models import Device, StaffCard, new_token
from . import rules


def _personnel(actor: Staff) -> None:
    if not rules.is_personnel(actor):
        raise Refused(_("この操作は総務課（人事担当）が行います。"))


@transaction.atomic
def register_device(actor: Staff, name: str) -> Device:
    """Register a tablet: its link carries a new secret token."""
    _personnel(actor)
    if not name.strip():
        raise Refused({"name": _("端末名を入力してください。")})
    device = Device.objects.create(municipality=actor.municipality, name=name.strip()[:60], registered_by=actor)
    rules.audit("device.registered", actor, device)
    return device


@transaction.atomic
def retire_device(actor: Staff, device: Device) -> Device:
    _personnel(actor)
    device.is_active = False
    device.save(update_fields=["is_active"])
    rules.audit("device.retired", actor, device)
    return device


@transaction.atomic
def issue_card(actor: Staff | None, staff: Staff, number: str) -> StaffCard:
    """Give `staff` a card with `number` (or change the number), keeping the QR token."""
    if actor is not None:
        _personnel(actor)
    number = number.strip()
    if not number.isdigit() or len(number) > 12:
        raise Refused({"number": _("職員番号は12桁までの半角数字で入力してください。")})
    try:
        with transaction.atomic():
            card, _created = StaffCard.objects.update_or_create(
                staff=staff, defaults={"municipality": staff.municipality, "number": number})
    except IntegrityError as error:
        raise Refused({"number": _("この職員番号はほかの職員が使っています。")}) from error
    rules.audit("card.issued", actor, card, number=number)
    return card


@transaction.atomic
def renew_qr(staff: Staff) -> StaffCard:
    """A new personal QR code (the old one stops working), e.g. after the phone showing it was lost."""
    card = StaffCard.objects.select_for_update().get(staff=staff)
    card.qr_token = new_token()
    card.save(update_fields=["qr_token"])
    rules.audit("card.qr_renewed", staff, card)
    return card


@transaction.atomic
def suspend_card(actor: Staff, card: StaffCard, *, suspended: bool = True) -> StaffCard:
    _personnel(actor)
    card.suspended = suspended
    card.save(update_fields=["suspended"])
    rules.audit("card.suspended" if suspended else "card.resumed", actor, card)
    return card
