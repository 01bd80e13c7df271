"""Tasks of 起案・回議・決裁, enqueued after commit: the signed 決裁済 PDF, mail and Web Push (on the browsers they
subscribed) to whoever a draft waits for (and a reminder when it waits more than the town's number of days), mail
to the drafter when it comes back."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from yakuba.kernel.messaging.consent import has_mailbox
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.messaging.staff import push_to_staff
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.tenancy.scoping import town_row

from .models import Draft, DraftStatus, Step, StepState

DEFAULT_REMIND_AFTER_DAYS = 3


def remind_after(municipality: Municipality) -> timedelta:
    """The town's setting `approvals.remind_after_days` (default 3): how long a step waits before a reminder."""
    raw = ((municipality.settings or {}).get("approvals") or {}).get("remind_after_days")
    try:
        days = int(raw) if raw is not None else DEFAULT_REMIND_AFTER_DAYS
    except (TypeError, ValueError):
        days = DEFAULT_REMIND_AFTER_DAYS
    return timedelta(days=max(days, 1))


@task()
def render_decided(draft_id: int) -> bool:
    """The signed PDF of a decided draft, into its Record. Safe to run twice."""
    from .services import sheet

    with town_row(Draft, draft_id) as draft:
        if draft is None:
            return False
        return sheet.sign_decided(draft_id) is not None


def _waiting(step_id: int) -> Step | None:
    step = Step.objects.select_related("draft__department", "draft__drafter", "post__holder__user").filter(
        pk=step_id, state=StepState.PENDING, draft__status=DraftStatus.CIRCULATING).first()
    if step is None or step.draft.current_sequence != step.sequence or step.post.holder is None:
        return None
    return step


def _push_step(step: Step, *, subject: str, once: str) -> bool:
    holder = step.post.holder
    if holder is None:
        return False
    body = f"{step.draft.title}（{step.draft.department.name} {step.draft.drafter}・{step.post.title}）"
    url = reverse("staff:approvals-draft", args=[step.draft.public_id])
    return push_to_staff(holder, subject=subject, body=body, url=url, once=once) is not None


def _mail_step(step: Step, *, purpose: str, subject: str, once: str) -> bool:
    user = step.post.holder.user if step.post.holder else None
    if user is None or not has_mailbox(user):
        return False
    municipality = step.draft.department.municipality
    url = municipality.absolute_url(reverse("staff:approvals-draft", args=[step.draft.public_id]))
    return send_town_mail(municipality, user.email, purpose=purpose, subject=subject,
                          template="approvals/mail/waiting.txt", context={"step": step, "url": url},
                          about=f"approvals.step:{step.pk}", once=once)


@task(queue_name="mail")
def notify_waiting(step_id: int) -> bool:
    """A draft arrived at a step: tell the post's holder, and plan the reminder."""
    with town_row(Step, step_id) as found:
        if found is None:
            return False
        step = _waiting(step_id)
        if step is None:
            return False
        sent = _mail_step(step, purpose="approvals.waiting", subject="決裁をお待ちの起案があります",
                          once=f"approvals.waiting:{step.pk}")
        _push_step(step, subject="決裁をお待ちの起案があります", once=f"approvals.waiting:{step.pk}")
        when = (step.arrived_at or timezone.now()) + remind_after(step.draft.department.municipality)
        if remind_waiting.get_backend().supports_defer:
            remind_waiting.using(run_after=when).enqueue(step.pk)
        return sent


@task(queue_name="mail")
def remind_waiting(step_id: int) -> bool:
    """Still waiting after the town's number of days: one reminder per arrival at the step."""
    with town_row(Step, step_id) as found:
        if found is None:
            return False
        step = _waiting(step_id)
        if step is None or step.arrived_at is None:
            return False
        due = step.arrived_at + remind_after(step.draft.department.municipality)
        if due > timezone.now():
            return False
        if not Step.objects.filter(pk=step.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
            return False
        once = f"approvals.reminder:{step.pk}:{step.arrived_at.isoformat()}"
        _push_step(step, subject="決裁をお待ちの起案があります（再通知）", once=once)
        return _mail_step(step, purpose="approvals.reminder", subject="決裁をお待ちの起案があります（再通知）",
                          once=once)


@task(queue_name="mail")
def notify_returned(draft_id: int) -> bool:
    """A draft came back to its drafter (差し戻し)."""
    with town_row(Draft, draft_id, "drafter__user", "department") as draft:
        if draft is None or draft.status != DraftStatus.RETURNED:
            return False
        user = draft.drafter.user
        if not has_mailbox(user):
            return False
        returned = draft.steps.filter(state=StepState.RETURNED).order_by("-decided_at").first()
        url = draft.municipality.absolute_url(reverse("staff:approvals-draft", args=[draft.public_id]))
        return send_town_mail(draft.municipality, user.email, purpose="approvals.returned",
                              subject="起案が差し戻されました", template="approvals/mail/returned.txt",
                              context={"draft": draft, "step": returned, "url": url},
                              about=f"approvals.draft:{draft.pk}",
                              once=f"approvals.returned:{draft.pk}:{returned.pk if returned else 0}")
