"""The staff top page: the day's work of the signed-in staff member, by role and department, in few queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests import factories
from yakuba.applications.models import Submission
from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Role

pytestmark = pytest.mark.django_db


def dashboard(town, staff):
    return factories.staff_client(staff).get(factories.town_url(town, reverse("staff:dashboard")))


def items_of(response):
    return {str(item.label): item for section in response.context["sections"] for item in section.items}


@pytest.fixture
def late_and_new(town_a, resident_a):
    procedure = factories.make_procedure(town_a, slug="dog", title="犬の登録", department="総務課", processing_days=3)
    other = factories.make_procedure(town_a, slug="seal", title="印鑑登録", department="住民課", processing_days=3)
    late = factories.make_submission(procedure, resident_a)
    moment = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=30), time(9)))
    with scopes_disabled():
        Submission.objects.filter(pk=late.pk).update(submitted_at=moment)
    factories.make_submission(procedure, factories.make_resident(town_a))
    factories.make_submission(other, factories.make_resident(town_a))
    return procedure, other


def test_a_clerk_sees_their_departments_work_with_links_to_filtered_lists(town_a, staff_a, late_and_new):
    procedure, other = late_and_new
    response = dashboard(town_a, staff_a)
    assert response.status_code == 200
    items = items_of(response)
    assert items["犬の登録"].count == 2 and items["犬の登録"].urgency == worklist.OVERDUE
    assert "標準処理期間 3開庁日" in str(items["犬の登録"].detail)
    assert items["犬の登録"].url.endswith(f"?procedure={procedure.pk}")
    assert "印鑑登録" not in items  # another department's
    assert items["期限切れの申請"].count == 1
    queue = factories.staff_client(staff_a).get(items["期限切れの申請"].url)
    assert len(queue.context["rows"]) == 1  # the link shows exactly what the count counts
    assert "処理中の申請（担当者別）" not in items  # a clerk gets no per-clerk breakdown


def test_a_head_of_department_gets_the_per_clerk_breakdown(town_a, late_and_new):
    head = factories.make_staff(town_a, department="総務課", role=Role.APPROVER)
    items = items_of(dashboard(town_a, head))
    assert dict(items["処理中の申請（担当者別）"].by_staff) == {"未割当": 2}
    assert "印鑑登録" not in items


def test_admin_sees_the_whole_town_and_another_town_sees_nothing(town_a, admin_a, staff_b, town_b, late_and_new):
    items = items_of(dashboard(town_a, admin_a))
    assert items["犬の登録"].count == 2 and items["印鑑登録"].count == 1
    assert items["処理中の申請（担当者別）"].count == 3
    assert not [i for i in items_of(dashboard(town_b, staff_b)).values() if "登録" in str(i.label)]


def test_the_dashboard_stays_within_a_bounded_number_of_queries(town_a, admin_a, resident_a,
                                                                 django_assert_max_num_queries):
    procedure = factories.make_procedure(town_a, slug="dog", department="総務課", processing_days=3)
    client = factories.staff_client(admin_a)
    for _ in range(3):
        factories.make_submission(procedure, factories.make_resident(town_a))
    with django_assert_max_num_queries(40):
        few = client.get(factories.town_url(town_a, reverse("staff:dashboard")))
    for index in range(12):
        other = factories.make_procedure(town_a, slug=f"p{index}", department="住民課", processing_days=index + 1)
        factories.make_submission(other, factories.make_resident(town_a))
    with django_assert_max_num_queries(40):
        many = client.get(factories.town_url(town_a, reverse("staff:dashboard")))
    def shown(response):
        return sum(len(section.items) for section in response.context["sections"])

    assert shown(many) == shown(few) + 12


def test_office_days_count_in_the_overdue_figure(town_a, staff_a, resident_a):
    """A submission received on a Friday with a 1-day period is due on Monday, not on Saturday."""
    procedure = factories.make_procedure(town_a, slug="dog", department="総務課", processing_days=1)
    submission = factories.make_submission(procedure, resident_a)
    friday = date(2026, 12, 4)
    with scopes_disabled():
        Submission.objects.filter(pk=submission.pk).update(
            submitted_at=timezone.make_aware(datetime.combine(friday, time(9))))
        submission.refresh_from_db()
    from yakuba.applications import services

    assert services.due_date(submission) == date(2026, 12, 7)


def test_a_failed_import_is_counted_for_its_department_and_listed_by_the_link(town_a, staff_a, staff_a_other):
    from django_scopes import scope

    from yakuba.kernel.accounts.models import Department
    from yakuba.opendata.models import Dataset, Upload, UploadState

    with scope(municipality=town_a):
        dataset = Dataset.objects.create(municipality=town_a, kind="aed", title="AED設置箇所一覧",
                                         department=Department.objects.get(name="総務課"))
        # What a checked file that had errors leaves behind (the import task's result).
        Upload.objects.create(municipality=town_a, dataset=dataset, path="x", original_name="aed.csv",
                              state=UploadState.INVALID, error_count=2)
    item = items_of(dashboard(town_a, staff_a))["取り込みに失敗したファイル"]
    assert item.count == 1 and item.urgency == worklist.OVERDUE
    listed = factories.staff_client(staff_a).get(item.url)
    assert "aed.csv" in listed.content.decode() and [u.dataset for u in listed.context["failed"]] == [dataset]
    assert "取り込みに失敗したファイル" not in items_of(dashboard(town_a, staff_a_other))


def test_todays_bookings_and_notices_taking_replies_link_to_lists_that_show_them(town_a, staff_a, staff_a_other,
                                                                                 resident_a):
    from yakuba.notices.models import ReplyKind

    room = factories.make_room(town_a, department="総務課")
    today_ten = timezone.make_aware(datetime.combine(timezone.localdate(), time(10)))
    factories.make_reservation(room, resident_a, today_ten)
    factories.make_reservation(room, resident_a, today_ten + timedelta(days=3))
    asking = factories.make_notice(town_a, title="出欠のお願い", reply_kind=ReplyKind.YES_NO,
                                   reply_choices=["出席", "欠席"], reply_deadline=timezone.now() + timedelta(days=5))
    factories.make_notice(town_a, title="ただのお知らせ")
    items = items_of(dashboard(town_a, staff_a))
    assert items["今日の施設予約"].count == 1 and items["今日の施設予約"].urgency == worklist.DUE
    day = factories.staff_client(staff_a).get(items["今日の施設予約"].url)
    assert day.context["count"] == 1
    replies = items["返信を受け付けているお知らせ"]
    assert replies.count == 1
    listed = factories.staff_client(staff_a).get(replies.url)
    assert [row["notice"].pk for row in listed.context["rows"]] == [asking.pk]
    other = items_of(dashboard(town_a, staff_a_other))
    assert "今日の施設予約" not in other and "返信を受け付けているお知らせ" not in other
