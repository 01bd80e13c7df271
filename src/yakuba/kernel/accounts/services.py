"""Account actions: register a resident, update a profile, enrol and verify staff TOTP devices."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakuba.kernel.audit.services import record
from yakuba.kernel.forms.normalise import katakana, nfkc
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality

from . import oidc
from .models import Department, Resident, Role, Section, Staff, User
from .signals import email_confirmed


def search_residents(query: str) -> QuerySet[Resident]:
    """Residents of the current town matching every word of `query`: name in kanji or kana (「やまだ」 finds
    ヤマダ), phone with or without hyphens, email, or birthdate as YYYY-MM-DD. Staff views audit the search."""
    residents = Resident.objects.select_related("user").annotate(
        phone_digits=Replace("phone", Value("-"), Value(""))).order_by("family_name_kana", "given_name_kana", "pk")
    words = nfkc(query).split()[:4]
    if not words:
        return residents.none()
    for word in words:
        condition = Q(user__email__icontains=word) | Q(birthdate__icontains=word)
        for variant in {word, katakana(word)}:
            condition |= (Q(family_name__icontains=variant) | Q(given_name__icontains=variant)
                          | Q(family_name_kana__icontains=variant) | Q(given_name_kana__icontains=variant))
        digits = word.replace("-", "")
        if digits.isdigit():
            condition |= Q(phone_digits__contains=digits)
        residents = residents.filter(condition)
    return residents


def register_resident(
    municipality: Municipality, *, email: str, password: str, request: HttpRequest | None = None
) -> Resident | None:
    """A new resident account in `municipality`; the welcome mail is sent by a task after commit.

    For an address already registered nothing is made (None) and its owner is mailed instead: the caller answers
    the visitor the same either way, so sign-up does not tell strangers which addresses are registered."""
    from .tasks import send_signup_attempt_notice, send_welcome_email

    existing = User.objects.filter(email=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, password)
                resident = Resident.objects.create(municipality=municipality, user=user)
                record("accounts.resident.registered", municipality=municipality, actor=user, obj=resident,
                       request=request)
                transaction.on_commit(lambda: send_welcome_email.enqueue(user.pk, municipality.pk))
            return resident
        except IntegrityError:  # registered a moment ago by a concurrent sign-up
            existing = User.objects.filter(email=email).first()
            if existing is None:
                raise
    make_password(password)  # hash anyway, so the answer takes as long as a real registration
    existing_id = existing.pk
    record("accounts.resident.signup_existing", municipality=municipality, request=request)
    transaction.on_commit(lambda: send_signup_attempt_notice.enqueue(existing_id, municipality.pk))
    return None


def sign_in_resident(municipality: Municipality, user: User, *, request: HttpRequest | None) -> Resident:
    """A resident signed in on this town's site: record it, and make their profile here if this is their first
    time in this town (one account may use several towns' services, 共同利用)."""
    with transaction.atomic():
        record("accounts.login", municipality=municipality, actor=user, request=request)
        return join_town(municipality, user, request=request)


def join_town(municipality: Municipality, user: User, *, request: HttpRequest | None) -> Resident:
    """The user's resident profile in `municipality`, made (and recorded) the first time they use its services."""
    with transaction.atomic():
        resident, created = Resident.objects.get_or_create(municipality=municipality, user=user)
        if created:
            record("accounts.resident.joined", municipality=municipality, actor=user, obj=resident, request=request)
    return resident


def update_profile(resident: Resident, changes: dict[str, Any], *, actor: Any, request: HttpRequest | None) -> None:
    """Save a resident's profile edits. Fields verified by マイナンバーカード are never overwritten."""
    changed = []
    for name, value in changes.items():
        if name in (resident.verified_fields or []):
            continue
        if getattr(resident, name) != value:
            setattr(resident, name, value)
            changed.append(name)
    if not changed:
        return
    with transaction.atomic():
        resident.save(update_fields=[*changed, "updated_at"])
        record("accounts.resident.updated", municipality=resident.municipality, actor=actor, obj=resident,
               request=request, data={"fields": changed})


def invite_staff(
    municipality: Municipality, *, actor: Any, email: str, family_name: str, given_name: str,
    department: Department, section: Section | None = None, role: int = Role.STAFF,
    request: HttpRequest | None = None,
) -> Staff:
    """Add a staff member. They receive a mail to choose a password, then enrol TOTP at first sign-in."""
    from django.utils.translation import gettext as _

    from .tasks import send_staff_invitation

    if section is not None and section.department_id != department.pk:
        raise Refused(_("係は選んだ課のものを選んでください。"))
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        # A person is staff of at most one town: look across towns, not only this scope.
        if user is not None and Staff._base_manager.filter(user=user).exists():
            raise Refused(_("このメールアドレスはすでに職員として登録されています。"))
        if user is None:
            user = User.objects.create_user(email, None, display_name=f"{family_name} {given_name}")
        staff = Staff.objects.create(
            municipality=municipality, user=user, department=department, section=section, role=role,
            family_name=family_name, given_name=given_name,
        )
        record("accounts.staff.invited", municipality=municipality, actor=actor, obj=staff, request=request,
               data={"role": role, "department": department.name})
        transaction.on_commit(lambda: send_staff_invitation.enqueue(staff.pk))
    return staff


def _not_oneself(staff: Staff, actor: Any) -> None:
    from django.utils.translation import gettext as _

    if staff.user_id == getattr(actor, "pk", None):
        raise Refused(_("自分自身のアカウントには、この操作はできません。"))


def set_staff_active(staff: Staff, active: bool, *, actor: Any, request: HttpRequest | None) -> None:
    """Suspend or restore a staff member's access to the staff site (their records stay)."""
    _not_oneself(staff, actor)
    with transaction.atomic():
        staff.is_active = active
        staff.save(update_fields=["is_active"])
        record("accounts.staff.reactivated" if active else "accounts.staff.suspended",
               municipality=staff.municipality, actor=actor, obj=staff, request=request)


def reset_second_factor(staff: Staff, *, actor: Any, request: HttpRequest | None) -> None:
    """A lost phone: remove the staff member's TOTP devices; they enrol again at their next sign-in."""
    _not_oneself(staff, actor)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=staff.user).delete()
        record("accounts.staff.totp_reset", municipality=staff.municipality, actor=actor, obj=staff,
               request=request)


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (made once, so reloading the page keeps the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="yakuba", confirmed=False)
    return device


def confirm_totp(device: TOTPDevice, token: str, *, municipality: Municipality, request: HttpRequest) -> bool:
    """Confirm an enrolment with the first code the staff member's app shows."""
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("accounts.staff.totp_enrolled", municipality=municipality, actor=device.user, request=request)
    return True


def sign_in_with_verified_identity(
    municipality: Municipality, result: oidc.VerifiedLogin, *, current_user: Any, request: HttpRequest | None
) -> User:
    """After a verified マイナンバーカード login: find or link the user, keep the 基本4情報 on their
    resident profile in this town (marked verified), and record it — without personal data in the log."""
    with transaction.atomic():
        new_identity = oidc.find_linked_user(result.issuer, str(result.claims["sub"])) is None
        user = oidc.link_or_create_user(result.claims, result.issuer, current_user=current_user)
        resident, _created = Resident.objects.get_or_create(municipality=municipality, user=user)
        fields = oidc.apply_verified_claims(resident, result.claims)
        record("accounts.oidc.login", municipality=municipality, actor=user, obj=resident, request=request,
               data={"issuer": result.issuer, "verified_fields": fields, "new_identity": new_identity})
    return user


def request_password_reset(municipality: Municipality, email: str, *, request: HttpRequest | None) -> None:
    """Mail a password link if `email` belongs to an active account. The caller answers the same either
    way, so the form does not tell strangers which addresses are registered."""
    from .tasks import send_password_link

    user = User.objects.filter(email=email, is_active=True).first()
    record("accounts.password.reset_requested", municipality=municipality, actor=None, request=request,
           data={"known": user is not None})
    if user is not None:
        user_id = user.pk
        transaction.on_commit(lambda: send_password_link.enqueue(user_id, municipality.pk))


EMAIL_TOKEN_SALT = "yakuba.accounts.email-verification"
EMAIL_TOKEN_MAX_AGE = 3 * 24 * 3600


def _email_salt(municipality: Municipality) -> str:
    # The town is in the salt: a link mailed by town A does not verify under town B's address.
    return f"{EMAIL_TOKEN_SALT}:{municipality.pk}"


def email_verification_token(user: User, municipality: Municipality) -> str:
    """A signed, expiring token naming the user, the address being confirmed and the town that mailed it."""
    return signing.dumps({"u": user.pk, "e": user.email, "t": municipality.pk}, salt=_email_salt(municipality),
                         compress=True)


def verify_email(token: str, *, municipality: Municipality, request: HttpRequest | None) -> User | None:
    """Mark the address confirmed; None if the token is forged, expired, from another town or for an address
    since changed. The link is single-use: once the address is confirmed it is refused (Refused says so)."""
    from django.utils.translation import gettext as _

    try:
        data = signing.loads(token, salt=_email_salt(municipality), max_age=EMAIL_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("t") != municipality.pk:
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e")).first()
        if user is None:
            return None
        if user.email_verified_at is not None:
            raise Refused(_("このリンクはすでに使われています。メールアドレスは確認済みです。"))
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        record("accounts.email.verified", municipality=municipality, actor=user, request=request)
        email_confirmed.send(sender=User, user=user, municipality=municipality)
    return user


class PasswordLinkTokens(PasswordResetTokenGenerator):
    """Tokens for invitation and password links, bound to the town that mails them (its id is in the key salt).
    Single-use as Django's are: the hash covers the password and last login, which setting a password changes."""

    def __init__(self, municipality: Municipality) -> None:
        super().__init__()
        self.key_salt = f"yakuba.accounts.password-link:{municipality.pk}"


def password_link_tokens(municipality: Municipality) -> PasswordResetTokenGenerator:
    return PasswordLinkTokens(municipality)


def resend_verification(user: User, municipality: Municipality) -> None:
    from .tasks import send_welcome_email

    if user.email_verified_at is None:
        transaction.on_commit(lambda: send_welcome_email.enqueue(user.pk, municipality.pk))
