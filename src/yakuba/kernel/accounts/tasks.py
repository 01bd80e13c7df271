"""Mail sent on account events (by the task worker, after the transaction that caused it commits)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.tenancy.scoping import town_row

from .models import Staff, User
from .services import email_verification_token, password_link_tokens


def _mail(municipality: Municipality, user: User, *, purpose: str, subject: str, template: str,
          context: dict[str, Any]) -> None:
    # Account mail is the link that proves the address or lets its owner in: the mail rule allows it to an
    # unconfirmed address, never to an account without a mailbox (a デジタル認証アプリ identity without one).
    allowed = consent.to_person(user, consent.Purpose.PROOF)
    if not allowed:
        return
    send_town_mail(municipality, allowed.address, purpose=purpose, subject=subject, template=template,
                   context={"user": user, **context}, about=f"accounts.user:{user.pk}")


def _user_in(user_id: int, municipality_id: int) -> tuple[User, Municipality] | None:
    """The active user and the town the mail is from; None when either is gone before the mail goes (an account
    closed, a town removed): there is nobody to tell, so the task ends quietly instead of raising."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    return (user, municipality) if user is not None and municipality is not None else None


def _password_url(municipality: Municipality, user: User) -> str:
    token = password_link_tokens(municipality).make_token(user)
    return municipality.absolute_url(reverse("accounts:set-password", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token,
    }))


@task(queue_name="mail")
def send_welcome_email(user_id: int, municipality_id: int) -> None:
    """Welcome a new resident and ask them to confirm their address."""
    found = _user_in(user_id, municipality_id)
    if found is None:
        return
    user, municipality = found
    _mail(municipality, user, purpose="accounts.welcome", subject="メールアドレスの確認をお願いします",
          template="accounts/mail/welcome.txt", context={
              "login_url": municipality.absolute_url(reverse("accounts:login")),
              "verify_url": municipality.absolute_url(
                  reverse("accounts:verify-email", args=[email_verification_token(user, municipality)])),
          })


@task(queue_name="mail")
def send_signup_attempt_notice(user_id: int, municipality_id: int) -> None:
    """Tell the owner of an address that someone tried to sign up with it (sign-up answered the visitor as for
    a new address), with the way to sign in or choose a new password."""
    found = _user_in(user_id, municipality_id)
    if found is None:
        return
    user, municipality = found
    _mail(municipality, user, purpose="accounts.signup_existing", subject="登録の申込みがありました",
          template="accounts/mail/signup_existing.txt", context={
              "login_url": municipality.absolute_url(reverse("accounts:login")),
              "reset_url": municipality.absolute_url(reverse("accounts:password-reset")),
          })


@task(queue_name="mail")
def send_password_link(user_id: int, municipality_id: int) -> None:
    """Mail a resident (or staff member) who forgot their password the link to choose a new one."""
    found = _user_in(user_id, municipality_id)
    if found is None:
        return
    user, municipality = found
    _mail(municipality, user, purpose="accounts.password_link", subject="パスワードの再設定",
          template="accounts/mail/password_link.txt", context={"url": _password_url(municipality, user)})


@task(queue_name="mail")
def send_staff_invitation(staff_id: int) -> None:
    """Mail a new staff member the link where they choose their password."""
    with town_row(Staff, staff_id, "user", "department") as staff:
        if staff is None:
            return
        municipality, user = staff.municipality, staff.user
        _mail(municipality, user, purpose="accounts.staff_invitation", subject="職員用サイトのアカウントを用意しました",
              template="accounts/mail/staff_invitation.txt",
              context={"staff": staff, "url": _password_url(municipality, user),
                       "login_url": municipality.absolute_url(reverse("staff:login"))})
