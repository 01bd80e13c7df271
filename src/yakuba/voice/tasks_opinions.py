"""Tasks of ご意見箱, after commit: the receipt with its 受付番号 and, once staff answered, the answer, mailed to the
address the sender left (or their account's). Each mail is sent once per fact (the receipt once, each answer
revision once), so a retried task sends nothing twice."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.scoping import town_row

from .models import Opinion
from .services.opinions import mail_address


@task(queue_name="mail")
def mail_receipt(opinion_id: int) -> bool:
    """受付のお知らせ: the 受付番号 and the category, never the text (the address may not be the sender's)."""
    with town_row(Opinion, opinion_id, "category", "resident__user") as opinion:
        if opinion is None or not (address := mail_address(opinion)):
            return False
        return send_town_mail(opinion.municipality, address, purpose="voice.opinion_receipt",
                              subject=f"ご意見を受け付けました（受付番号 {opinion.number}）",
                              template="voice/mail/opinions/receipt.txt",
                              context={"opinion": opinion,
                                       "url": opinion.municipality.absolute_url(reverse("voice:index"))},
                              about=f"voice.opinion:{opinion.pk}", once=f"voice.opinion_receipt:{opinion.pk}")


@task(queue_name="mail")
def mail_answer(opinion_id: int) -> bool:
    """ご意見への回答: the answer as it stands (a corrected answer is mailed again, once per revision)."""
    with town_row(Opinion, opinion_id, "category", "department", "resident__user") as opinion:
        if opinion is None or not opinion.answer or not (address := mail_address(opinion)):
            return False
        return send_town_mail(opinion.municipality, address, purpose="voice.opinion_answer",
                              subject=f"ご意見への回答（受付番号 {opinion.number}）",
                              template="voice/mail/opinions/answer.txt", context={"opinion": opinion},
                              about=f"voice.opinion:{opinion.pk}",
                              once=f"voice.opinion_answer:{opinion.pk}:{opinion.revision}")
