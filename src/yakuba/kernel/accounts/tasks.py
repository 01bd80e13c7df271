"""Mail sent on account events (by the task worker, after the transaction that caused it commits)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_scopes import scope
from django_tasks import task

from yakuba.kernel.tenancy.models import Municipality

from .models import Staff, User
from .services import email_verification_token


def _mail(municipality: Municipality, user: User, *, subject: str, template: str,
          context: dict[str, Any]) -> None:
    """Render `template` inside the town's scope (templates may read the town's rows) and send it to `user`."""
    with scope(municipality=municipality):
        body = render_to_string(template, {"municipality": municipality, "user": user, **context})
    send_mail(subject=f"【{municipality.name}】{subject}", message=body, from_email=None,
              recipient_list=[user.email])


def _password_url(municipality: Municipality, user: User) -> str:
    return municipality.absolute_url(reverse("accounts:set-password", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
    }))


@task(queue_name="mail")
def send_welcome_email(user_id: int, municipality_id: int) -> None:
    """Welcome a new resident and ask them to confirm their address."""
    user = User.objects.get(pk=user_id)
    municipality = Municipality.objects.get(pk=municipality_id)
    _mail(municipality, user, subject="メールアドレスの確認をお願いします", template="accounts/mail/welcome.txt",
          context={
              "login_url": municipality.absolute_url(reverse("accounts:login")),
              "verify_url": municipality.absolute_url(
                  reverse("accounts:verify-email", args=[email_verification_token(user)])),
          })


@task(queue_name="mail")
def send_password_link(user_id: int, municipality_id: int) -> None:
    """Mail a resident (or staff member) who forgot their password the link to choose a new one."""
    user = User.objects.get(pk=user_id)
    municipality = Municipality.objects.get(pk=municipality_id)
    _mail(municipality, user, subject="パスワードの再設定", template="accounts/mail/password_link.txt",
          context={"url": _password_url(municipality, user)})


@task(queue_name="mail")
def send_staff_invitation(staff_id: int) -> None:
    """Mail a new staff member the link where they choose their password."""
    staff = Staff._base_manager.select_related("user", "municipality", "department").get(pk=staff_id)
    municipality, user = staff.municipality, staff.user
    _mail(municipality, user, subject="職員用サイトのアカウントを用意しました",
          template="accounts/mail/staff_invitation.txt",
          context={"staff": staff, "url": _password_url(municipality, user),
                   "login_url": municipality.absolute_url(reverse("staff:login"))})
