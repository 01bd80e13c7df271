"""The kernel's mail rule in templates: `{% mail_consent resident as mail %}` then `mail.message`, `mail.action_url`."""

from __future__ import annotations

from django import template

from yakuba.kernel.accounts.models import Resident, User

from ..consent import MailConsent, Purpose, to_person

register = template.Library()


@register.simple_tag
def mail_consent(person: Resident | User | None, purpose: str = Purpose.PERSONAL.value) -> MailConsent:
    return to_person(person, Purpose(purpose))
