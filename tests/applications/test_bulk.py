"""The staff queue's 期限 column (標準処理期間 in 開庁日), its overdue filter and sort, and the bulk actions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.applications import services
from yakuba.applications.models import EventKind, Status, Submission, SubmissionEvent
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.calendar import add_office_days

pytestmark = pytest.mark.django_db


def url(town, name, *args):
    return factories.town_url(town, reverse(f"staff:{name}", args=args))


@pytest.fixture
def procedure(town_a):
    return factories.make_procedure(town_a, slug="dog", title="犬の登録", department="総務課", processing_days=5)


def filed_on(submission: Submission, day: date) -> Submission:
    """Pretend the submission was received on `day` (test setup: the clock is not ours to move)."""
    moment = timezone.make_aware(datetime.combine(day, time(10)))
    with scopes_disabled():
        Submission.objects.filter(pk=submission.pk).update(submitted_at=moment)
        submission.refresh_from_db()
    return submission


def test_office_days_skip_weekends_holidays_and_the_year_end():
    assert add_office_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # Friday → Monday
    assert add_office_days(date(2026, 12, 25), 3) == date(2027, 1, 5)  # 12/28, then 年末年始, 1/4, 1/5
    assert add_office_days(date(2027, 5, 1), 1) == date(2027, 5, 6)  # ゴールデンウィーク
    assert add_office_days(date(2026, 12, 7), 0) == date(2026, 12, 7)


def test_due_date_and_overdue(town_a, procedure, resident_a):
    submission = filed_on(factories.make_submission(procedure, resident_a), date(2026, 12, 4))
    with scope(municipality=town_a):
        assert services.due_date(submission) == date(2026, 12, 11)
        assert not services.is_overdue(submission, today=date(2026, 12, 11))
        assert services.is_overdue(submission, today=date(2026, 12, 12))
        visible = Submission.objects.exclude(status=Status.DRAFT)
        assert services.overdue_ids(visible, today=date(2026, 12, 12)) == [submission.pk]


def test_queue_shows_deadline_marks_overdue_and_filters_and_sorts_by_it(town_a, staff_a, procedure, resident_a):
    today = timezone.localdate()
    late = filed_on(factories.make_submission(procedure, resident_a), today - timedelta(days=30))
    fresh = factories.make_submission(procedure, factories.make_resident(town_a))
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "applications-queue")).content.decode()
    assert "期限" in page and "期限切れ" in page and "queue__row--overdue" in page
    with scope(municipality=town_a):
        assert services.due_date(fresh).strftime("%Y/%m/%d") in page
    response = client.get(url(town_a, "applications-queue") + "?overdue=on")
    listed = [row["submission"].pk for row in response.context["rows"]]
    assert listed == [late.pk]
    response = client.get(url(town_a, "applications-queue") + "?sort=deadline")
    assert [row["submission"].pk for row in response.context["rows"]] == [late.pk, fresh.pk]


def test_bulk_start_review_is_one_action_audited_per_submission(town_a, staff_a, procedure, resident_a):
    first = factories.make_submission(procedure, resident_a)
    second = factories.make_submission(procedure, factories.make_resident(town_a))
    with scope(municipality=town_a):
        handled = services.start_review_many([first.pk, str(second.pk)], staff=staff_a)
        assert {s.pk for s in handled} == {first.pk, second.pk}
        assert set(Submission.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
            Status.REVIEWING}
        assert Submission.objects.get(pk=first.pk).assignee == staff_a
        audited = AuditEntry.objects.filter(action="applications.submission.start_review")
        assert sorted(int(e.object_id) for e in audited) == sorted([first.pk, second.pk])


def test_bulk_refuses_all_when_one_is_in_the_wrong_state_and_names_it(town_a, staff_a, procedure, resident_a):
    waiting = factories.make_submission(procedure, resident_a)
    done = factories.make_submission(procedure, factories.make_resident(town_a), status=Status.COMPLETED)
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.start_review_many([waiting.pk, done.pk], staff=staff_a)
    assert done.reference in str(refused.value.messages) and waiting.reference not in str(refused.value.messages)
    with scopes_disabled():
        assert Submission.objects.get(pk=waiting.pk).status == Status.RECEIVED  # nothing changed


def test_bulk_refuses_submissions_of_another_department(town_a, staff_a, staff_a_other, procedure, resident_a):
    submission = factories.make_submission(procedure, resident_a)
    with scope(municipality=town_a), pytest.raises(Refused):
        services.assign_many([submission.pk], staff_a_other, staff=staff_a_other)
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.assign_many([submission.pk], staff_a_other, staff=staff_a)
    assert submission.reference in str(refused.value.messages)


def test_bulk_assign_records_an_event_and_an_audit_entry_each(town_a, staff_a, procedure, resident_a):
    colleague = factories.make_staff(town_a, department="総務課")
    first = factories.make_submission(procedure, resident_a)
    second = factories.make_submission(procedure, factories.make_resident(town_a))
    with scope(municipality=town_a):
        services.assign_many([first.pk, second.pk], colleague, staff=staff_a)
        assert set(Submission.objects.values_list("assignee", flat=True)) == {colleague.pk}
        assert SubmissionEvent.objects.filter(kind=EventKind.ASSIGNED).count() == 2
        assert AuditEntry.objects.filter(action="applications.submission.assigned").count() == 2
        services.assign_many([first.pk], None, staff=staff_a)
        assert Submission.objects.get(pk=first.pk).assignee is None


def test_bulk_view_acts_once_and_redirects_back_to_the_filtered_queue(town_a, staff_a, procedure, resident_a):
    first = factories.make_submission(procedure, resident_a)
    client = factories.staff_client(staff_a)
    back = reverse("staff:applications-queue") + "?status=received"
    data = {"bulk-action": "start_review", "ids": [first.pk], "next": back, "_once": "b" * 32}
    response = client.post(url(town_a, "applications-bulk"), data)
    assert response.status_code == 302 and response["Location"].endswith(back)
    again = client.post(url(town_a, "applications-bulk"), data)
    assert again.status_code == 302
    with scope(municipality=town_a):
        assert SubmissionEvent.objects.filter(submission=first, to_status=Status.REVIEWING).count() == 1


def test_bulk_view_refusal_is_400_with_the_ticks_kept(town_a, staff_a, procedure, resident_a):
    done = factories.make_submission(procedure, resident_a, status=Status.COMPLETED)
    client = factories.staff_client(staff_a)
    response = client.post(url(town_a, "applications-bulk"),
                           {"bulk-action": "start_review", "ids": [done.pk], "next": "/elsewhere?status=all"})
    assert response.status_code == 400
    page = response.content.decode()
    assert done.reference in page and "どれも処理していません" in page
    assert f'value="{done.pk}" id="pick-{done.pk}" checked' in page
    nothing = client.post(url(town_a, "applications-bulk"), {"bulk-action": "start_review"})
    assert nothing.status_code == 400 and "1件以上選んでください" in nothing.content.decode()
    no_action = client.post(url(town_a, "applications-bulk"), {"ids": [done.pk]})
    assert no_action.status_code == 400 and "操作を選んでください" in no_action.content.decode()


def test_bulk_view_refuses_get(town_a, staff_a):
    assert factories.staff_client(staff_a).get(url(town_a, "applications-bulk")).status_code == 405
