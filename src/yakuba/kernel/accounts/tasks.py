"""Mail sent on account events (by the task worker, after the transaction that caused it commits)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope
from django_tasks import task

from yakuba.kernel.tenancy.models import Municipality

from .models import User
from .services import email_verification_token


@task(queue_name="mail")
def send_welcome_email(user_id: int, municipality_id: int) -> None:
    user = User.objects.get(pk=user_id)
    municipality = Municipality.objects.get(pk=municipality_id)
    with scope(municipality=municipality):
        body = render_to_string("accounts/mail/welcome.txt", {
            "municipality": municipality,
            "user": user,
            "login_url": municipality.absolute_url(reverse("accounts:login")),
            "verify_url": municipality.absolute_url(
                reverse("accounts:verify-email", args=[email_verification_token(user)])),
        })
    send_mail(
        subject=f"【{municipality.name}】メールアドレスの確認をお願いします",
        message=body,
        from_email=None,
        recipient_list=[user.email],
    )


def _password_path(user: User) -> str:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return reverse("accounts:set-password", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
    })


@task(queue_name="mail")
def send_password_link(user_id: int, municipality_id: int) -> None:
    """Mail a resident (or staff member) who forgot their password the link to choose a new one."""
    user = User.objects.get(pk=user_id)
    municipality = Municipality.objects.get(pk=municipality_id)
    with scope(municipality=municipality):
        body = render_to_string("accounts/mail/password_link.txt", {
            "municipality": municipality, "user": user,
            "url": municipality.absolute_url(_password_path(user)),
        })
    send_mail(subject=f"【{municipality.name}】パスワードの再設定", message=body, from_email=None,
              recipient_list=[user.email])


@task(queue_name="mail")
def send_staff_invitation(staff_id: int) -> None:
    """Mail a new staff member the link where they choose their password."""
    from .models import Staff

    staff = Staff._base_manager.select_related("user", "municipality", "department").get(pk=staff_id)
    municipality, user = staff.municipality, staff.user
    with scope(municipality=municipality):
        path = _password_path(user)
        body = render_to_string("accounts/mail/staff_invitation.txt", {
            "municipality": municipality, "staff": staff, "url": municipality.absolute_url(path),
            "login_url": municipality.absolute_url(reverse("staff:login")),
        })
    send_mail(
        subject=f"【{municipality.name}】職員用サイトのアカウントを用意しました",
        message=body, from_email=None, recipient_list=[user.email],
    )
