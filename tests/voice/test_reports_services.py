"""通報 through its services: a report filed with a photo keeps no location or camera data, a place outside the
town and a category of another town are refused with nothing saved, nearby open reports are found, the staff's
status, answer, merge and hide, and the reporter is mailed once per change."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scope

from tests import factories
from tests.voice.reports_support import (
    IMMEDIATE_TASKS,
    SHIMONITA,
    file_report,
    has_gps,
    heic_bytes,
    jpeg_bytes,
    make_categories,
    road_staff,
)
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.refusal import Refused
from yakuba.voice.models import Report, ReportEvent, ReportPhoto, ReportStatus
from yakuba.voice.services import reports as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats(town_a):
    return make_categories(town_a)


def test_a_report_with_a_heic_photo_keeps_no_gps_in_the_stored_photo(town_a, cats,
                                                                     django_capture_on_commit_callbacks):
    pending = f"voice/reports/pending/{town_a.pk}"
    before = set(private_storage().listdir(pending)[1]) if private_storage().exists(pending) else set()
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(town_a, cats["streetlight"], photos=[heic_bytes(*SHIMONITA), jpeg_bytes(*SHIMONITA)])
    with scope(municipality=town_a):
        photos = list(ReportPhoto.objects.filter(report=report))
        assert len(photos) == 2
        for photo in photos:
            with private_storage().open(photo.path, "rb") as handle:
                assert not has_gps(handle.read())
        assert report.number and report.status == ReportStatus.RECEIVED
        assert ReportEvent.objects.filter(report=report).count() == 1
        assert AuditEntry.objects.filter(action="voice.report.submitted", object_id=str(report.pk)).exists()
    # The stash (the photo as read, before the report was sent) is gone once committed.
    assert set(private_storage().listdir(pending)[1]) <= before  # earlier tests' unsent drafts may remain


def test_the_location_read_from_a_photo_is_offered(town_a):
    stashed = services.stash_photo(town_a, factories_upload(heic_bytes(36.2, 138.79), "IMG_0001.HEIC"))
    assert (round(stashed.latitude or 0, 4), round(stashed.longitude or 0, 4)) == (36.2, 138.79)


def factories_upload(data, name):
    from tests.voice.reports_support import upload

    return upload(data, name, "image/heic")


def test_a_place_outside_the_town_is_refused_and_nothing_is_saved(town_a, cats):
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.check_report(town_a, cats["road"], latitude="35.6812", longitude="139.7671",
                              description="穴があります。", answers={"kind": "hole"})
    assert "町内の場所を選んでください" in refused.value.errors["latitude"]
    with scope(municipality=town_a):
        assert not Report.objects.exists()


def test_a_category_of_another_town_is_refused(town_a, town_b, cats):
    other = make_categories(town_b)["road"]
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.check_report(town_a, other, latitude="36.2123", longitude="138.7878", description="穴")
    assert "category" in refused.value.errors


def test_required_questions_and_text_are_checked(town_a, cats):
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.check_report(town_a, cats["streetlight"], latitude="", longitude="", description="  ",
                              answers={}, email="not-an-address")
    errors = refused.value.errors
    assert {"latitude", "description", "email", "q_state"} <= set(errors)


def test_nearby_open_reports_of_the_same_category_within_50_m(town_a, cats):
    near = file_report(town_a, cats["streetlight"])
    file_report(town_a, cats["road"])  # another category
    file_report(town_a, cats["streetlight"], lat=SHIMONITA[0] + 0.002)  # about 220 m north
    with scope(municipality=town_a):
        found = services.nearby(cats["streetlight"], SHIMONITA[0] + 0.0003, SHIMONITA[1])  # about 33 m
    assert found == [near]


def test_me_too_counts_once_per_visitor(town_a, cats):
    report = file_report(town_a, cats["streetlight"])
    with scope(municipality=town_a):
        assert services.support(report, "visitor-1") is True
        assert services.support(report, "visitor-1") is False
        assert services.support(report, "visitor-2") is True
        report.refresh_from_db()
        assert report.supporters == 2


def test_done_needs_a_public_answer_and_the_reporter_is_mailed_once(town_a, cats, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    report = file_report(town_a, cats["streetlight"], email="taro@example.jp")
    staff = road_staff(town_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            services.set_status(staff, report, ReportStatus.DONE, answer=" ")
        assert "answer" in refused.value.errors
        with django_capture_on_commit_callbacks(execute=True):
            services.set_status(staff, report, ReportStatus.IN_PROGRESS, revision=report.revision)
        report.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.set_status(staff, report, ReportStatus.DONE, answer="電球を交換しました。",
                                revision=report.revision)
        report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.closed_at is not None
    assert report.public_answer == "電球を交換しました。"
    assert len(mail.outbox) == 2
    assert "対応済" in mail.outbox[1].subject and "電球を交換しました。" in mail.outbox[1].body


def test_a_stale_revision_loses(town_a, cats):
    report = file_report(town_a, cats["streetlight"])
    staff = road_staff(town_a)
    with scope(municipality=town_a):
        shown = report.revision
        services.set_status(staff, report, ReportStatus.IN_PROGRESS, revision=shown)
        with pytest.raises(Refused) as refused:
            services.hide(staff, report, "顔が写っている", revision=shown)
        assert "ほかの職員が先に" in refused.value.message


def test_staff_of_another_department_may_not_act(town_a, cats):
    report = file_report(town_a, cats["streetlight"])
    other = factories.make_staff(town_a, department="福祉課")
    with scope(municipality=town_a), pytest.raises(Refused):
        services.set_status(other, report, ReportStatus.IN_PROGRESS)


def test_merge_carries_the_me_toos_and_tells_the_reporter(town_a, cats, settings,
                                                          django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    original = file_report(town_a, cats["streetlight"])
    duplicate = file_report(town_a, cats["streetlight"], email="hanako@example.jp")
    staff = road_staff(town_a)
    with scope(municipality=town_a):
        services.support(duplicate, "v1")
        duplicate.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.merge(staff, duplicate, original)
        original.refresh_from_db()
        duplicate.refresh_from_db()
        assert duplicate.duplicate_of == original and not duplicate.public
        assert original.supporters == 2  # the +1 and the duplicate's reporter
        with pytest.raises(Refused):
            services.merge(staff, original, original)
    assert original.number in mail.outbox[0].body


def test_hide_needs_a_reason(town_a, cats):
    report = file_report(town_a, cats["streetlight"])
    staff = road_staff(town_a, role=Role.ADMIN)
    with scope(municipality=town_a):
        with pytest.raises(Refused):
            services.hide(staff, report, "")
        services.hide(staff, report, "車のナンバーが写っている")
        report.refresh_from_db()
    assert report.hidden and not report.public


def test_open311_keys_are_kept_hashed(town_a):
    admin = factories.make_staff(town_a, role=Role.ADMIN)
    with scope(municipality=town_a):
        client, key = services.create_client(admin, "市民アプリ")
        assert client.key_hash != key and key not in str(client.as_dict())
        assert services.client_for_key(town_a, key) == client
        services.set_client_active(admin, client, False)
        assert services.client_for_key(town_a, key) is None


def test_the_photo_of_a_draft_never_sent_is_deleted_once_no_draft_can_use_it(town_a, settings,
                                                                               django_capture_on_commit_callbacks):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from yakuba.voice.tasks_reports import drop_stale_photo

    with django_capture_on_commit_callbacks(execute=True):
        stashed = services.stash_photo(town_a, factories_upload(jpeg_bytes(*SHIMONITA), "IMG_0002.JPG"))
    queued = DBTaskResult.objects.get(task_path="yakuba.voice.tasks_reports.drop_stale_photo")
    assert queued.args_kwargs["args"] == [stashed.path]
    # Not before every draft that may hold the photo has expired.
    assert queued.run_after > timezone.now() + timezone.timedelta(seconds=services.DRAFT_SECONDS)
    assert private_storage().exists(stashed.path)
    drop_stale_photo.call(stashed.path)
    assert not private_storage().exists(stashed.path)
