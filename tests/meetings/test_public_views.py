"""Residents' meeting pages: public meetings only, the pack once published, cached through the kernel."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.meetings.support import make_committee
from yakuba.meetings.models import Meeting, MeetingState

pytestmark = pytest.mark.django_db


def test_public_meetings_are_listed_and_closed_ones_are_not(town_a):
    open_one = make_committee(town_a)
    closed = make_committee(town_a, name="庁議", department="総務課", public=False)
    page = Client().get(factories.town_url(town_a, "/meetings/")).content.decode()
    assert open_one.meeting.title in page and closed.meeting.title not in page
    assert Client().get(factories.town_url(town_a, f"/meetings/{open_one.meeting.uuid}/")).status_code == 200
    assert Client().get(factories.town_url(town_a, f"/meetings/{closed.meeting.uuid}/")).status_code == 404


def test_a_meeting_of_another_town_is_not_found(town_a, town_b):
    committee = make_committee(town_b)
    assert Client().get(factories.town_url(town_a, f"/meetings/{committee.meeting.uuid}/")).status_code == 404


@pytest.mark.django_db(transaction=True)  # the writes commit: caches hear of them as in production
def test_the_page_follows_changes_to_the_meeting(town_a):
    committee = make_committee(town_a)
    address = factories.town_url(town_a, f"/meetings/{committee.meeting.uuid}/")
    first = Client().get(address)
    assert "public" in first["Cache-Control"]
    with scope(municipality=town_a):
        meeting = Meeting.objects.get(pk=committee.meeting.pk)
        meeting.title = "令和8年第4回 総務常任委員会（日程変更）"
        meeting.save()
    assert "日程変更" in Client().get(address).content.decode()


def test_a_cancelled_meeting_without_a_pack_is_gone(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a):
        Meeting.objects.filter(pk=committee.meeting.pk).update(state=MeetingState.CANCELLED, held_at=timezone.now())
    assert Client().get(factories.town_url(town_a, f"/meetings/{committee.meeting.uuid}/")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_published_pack_is_one_cached_page_for_anonymous_readers_until_withdrawn(town_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.meetings.support import pdf_bytes
    from yakuba.meetings.services import meetings, pack

    committee = make_committee(town_a)
    with scope(municipality=town_a):
        document = pack.add_document(committee.meeting, committee.item, "資料1 補正予算書",
                                     SimpleUploadedFile("a.pdf", pdf_bytes(2)), committee.clerk.user)
        meetings.publish_pack(committee.clerk, committee.meeting)
    viewer = factories.town_url(town_a, f"/meetings/{committee.meeting.uuid}/pack/{document.pk}/?page=2")
    listing = factories.town_url(town_a, f"/meetings/{committee.meeting.uuid}/pack/")
    for address in (listing, viewer):
        first = Client().get(address)
        assert first.status_code == 200 and "public" in first["Cache-Control"]
        assert "資料1 補正予算書" in first.content.decode()
        assert Client().get(address)["X-Page-Cache"] == "hit"
    with scope(municipality=town_a):
        meetings.publish_pack(committee.clerk, committee.meeting, publish=False)
    for address in (listing, viewer):
        assert Client().get(address).status_code == 302  # to the login: members only again
