"""Mail sent on account events (by the task worker, after the transaction that caused it commits)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope
from django_tasks import task

from yakuba.kernel.tenancy.models import Municipality

from .models import User


@task(queue_name="mail")
def send_welcome_email(user_id: int, municipality_id: int) -> None:
    user = User.objects.get(pk=user_id)
    municipality = Municipality.objects.get(pk=municipality_id)
    with scope(municipality=municipality):
        body = render_to_string("accounts/mail/welcome.txt", {
            "municipality": municipality,
            "user": user,
            "login_url": municipality.absolute_url(reverse("accounts:login")),
        })
    send_mail(
        subject=f"【{municipality.name}】オンライン窓口への登録が完了しました",
        message=body,
        from_email=None,
        recipient_list=[user.email],
    )
