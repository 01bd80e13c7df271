"""Writing pages: drafts and the second editor, approval by the 所属長, 公開予約 and 掲載期限, versions and restore,
moving in the tree, retiring, 棚卸し; and the translations following the Japanese block by block."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.website.support import cast, data, published
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.website.models import Page, PageVersion, Review, VersionState
from yakuba.website.services import pages

pytestmark = pytest.mark.django_db


def test_a_new_page_is_a_draft_nobody_reads_until_approved(town_a):
    people = cast(town_a)
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk))
        assert page.live is None and page.path == "sodai"
        assert pages.open_version(page).state == VersionState.DRAFT
        assert not pages.public_pages().filter(pk=page.pk).exists()
        pages.submit(people.clerk, page, revision=None)
    with scope(municipality=town_a):
        version = pages.approve(people.head, page)
        page.refresh_from_db()
        assert page.live_id == version.pk and version.state == VersionState.PUBLISHED
        assert pages.public_pages().filter(pk=page.pk).exists()
        assert AuditEntry.objects.filter(action="website.version.approved", object_id=str(page.pk)).exists()


def test_only_the_departments_head_or_admin_approves_and_never_their_own(town_a):
    people = cast(town_a)
    with scope(municipality=town_a):
        page = pages.create_page(people.head, data(people.head))
        pages.submit(people.head, page, revision=None)
        with pytest.raises(Refused, match="承認できるのは"):
            pages.approve(people.clerk, page)
        with pytest.raises(Refused, match="承認できるのは"):
            pages.approve(people.other, page)
        with pytest.raises(Refused, match="自分で書いた版は承認できません"):
            pages.approve(people.head, page)
        assert pages.approve(people.admin, page).state == VersionState.PUBLISHED


def test_the_second_editor_is_told_and_the_first_save_stands(town_a):
    people = cast(town_a)
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk))
        opened = page.revision
        pages.save_draft(people.clerk, page, data(people.clerk, title="一人目の題"), revision=opened)
        with pytest.raises(Refused, match="他の人が保存しました"):
            pages.save_draft(people.admin, page, data(people.admin, title="二人目の題"), revision=opened)
        assert pages.open_version(page).title == "一人目の題"


def test_script_and_javascript_links_never_survive(town_a):
    people = cast(town_a)
    hostile = [{"type": "text", "html": '<p onclick="x()">本文<script>alert(1)</script><iframe src="//e"></iframe>'
                                        '<a href="javascript:alert(1)">リンク</a><img src=x onerror=alert(1)></p>'}]
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk, blocks=hostile))
        html = pages.open_version(page).blocks[0]["html"]
    assert "script" not in html and "onclick" not in html and "iframe" not in html and "javascript" not in html
    assert "onerror" not in html and "本文" in html
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        pages.create_page(people.clerk, data(people.clerk, slug="x2", blocks=[
            {"type": "link", "url": "javascript:alert(1)", "text": "申請する"}]))
    assert "ブロック1" in refused.value.message


def test_scheduled_publishing_and_expiry(town_a):
    people = cast(town_a)
    now = timezone.now()
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk, publish_at=now + timedelta(days=2),
                                                     expires_at=now + timedelta(days=9)))
        pages.submit(people.clerk, page, revision=None)
        version = pages.approve(people.head, page)
        assert version.state == VersionState.APPROVED
        page.refresh_from_db()
        assert page.live is None
        # The approver leaves before the day: the approval, given by who could give it, stands.
        people.head.is_active = False
        people.head.save()
        assert pages.publish_due(now + timedelta(days=1)) == 0
        assert pages.publish_due(now + timedelta(days=2, minutes=1)) == 1
        page.refresh_from_db()
        assert page.live_id == version.pk and page.expires_at == version.expires_at
        assert pages.expired_pages(now + timedelta(days=10)).filter(pk=page.pk).exists()
        assert not pages.expired_pages(now + timedelta(days=3)).filter(pk=page.pk).exists()


def test_expiry_before_publishing_is_refused(town_a):
    people = cast(town_a)
    now = timezone.now()
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        pages.create_page(people.clerk, data(people.clerk, publish_at=now + timedelta(days=2),
                                             expires_at=now + timedelta(days=1)))
    assert "掲載期限は公開の日時より後" in refused.value.errors["expires_at"]


def test_returning_needs_a_reason_and_makes_a_draft_again(town_a):
    people = cast(town_a)
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk))
        pages.submit(people.clerk, page, revision=None)
        with pytest.raises(Refused):
            pages.return_version(people.head, page, "  ")
        version = pages.return_version(people.head, page, "料金の表を入れてください")
        assert version.state == VersionState.RETURNED and version.decision_note == "料金の表を入れてください"
        with pytest.raises(Refused, match="承認待ちではありません"):
            pages.approve(people.head, page)


def test_versions_are_kept_and_an_old_one_restored(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    with scope(municipality=town_a):
        pages.save_draft(people.clerk, page, data(people.clerk, title="粗大ごみ（新）"), revision=None)
        pages.submit(people.clerk, page, revision=None)
        pages.approve(people.head, page)
        page.refresh_from_db()
        assert page.live.title == "粗大ごみ（新）" and page.live.number == 2
        assert PageVersion.objects.get(page=page, number=1).state == VersionState.SUPERSEDED
        restored = pages.restore(people.clerk, page, 1, revision=None)
        assert restored.number == 3 and restored.title == "粗大ごみの出し方" and restored.restored_from == 1
        with pytest.raises(Refused, match="作業中の版があります"):
            pages.restore(people.clerk, page, 1, revision=None)


def test_moving_a_page_under_its_own_child_is_refused(town_a):
    people = cast(town_a)
    top = published(town_a, people.clerk, title="くらし", slug="kurashi", kind="section")
    child = published(town_a, people.clerk, title="ごみ", slug="gomi", kind="section", parent=top)
    grandchild = published(town_a, people.clerk, parent=child)
    with scope(municipality=town_a):
        assert grandchild.path == "kurashi/gomi/sodai"
        with pytest.raises(Refused) as refused:
            pages.move_page(people.clerk, top, grandchild, revision=None)
        assert "そのページ自身やその下" in refused.value.errors["parent"]
        with pytest.raises(Refused):
            pages.move_page(people.clerk, top, top, revision=None)
        other_top = published(town_a, people.clerk, title="子育て", slug="kosodate", kind="section")
        pages.move_page(people.clerk, child, other_top, revision=None)
        grandchild.refresh_from_db()
        assert grandchild.path == "kosodate/gomi/sodai"


def test_retiring_needs_the_children_moved_first_and_is_a_review(town_a):
    people = cast(town_a)
    top = published(town_a, people.clerk, title="くらし", slug="kurashi", kind="section")
    published(town_a, people.clerk, parent=top)
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="下にページがあります"):
            pages.retire(people.clerk, top, "統合したため", revision=None)
        leaf = Page.objects.get(path="kurashi/sodai")
        pages.retire(people.clerk, leaf, "統合したため", revision=None)
        assert not pages.public_pages().filter(pk=leaf.pk).exists()
        assert Review.objects.filter(page=leaf, outcome="retired").exists()


def test_review_sets_the_next_date_and_only_the_owners_review(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    with scope(municipality=town_a):
        Page.objects.filter(pk=page.pk).update(review_due=timezone.localdate() - timedelta(days=1))
        assert list(pages.due_for_review(people.clerk)) == [page]
        assert list(pages.due_for_review(people.other)) == []
        with pytest.raises(Refused):
            pages.review(people.other, page, "confirmed", revision=None)
        pages.review(people.clerk, page, "confirmed", revision=None)
        page.refresh_from_db()
        assert page.review_due > timezone.localdate() + timedelta(days=300)
        assert list(pages.due_for_review(people.clerk)) == []


def test_translations_follow_the_japanese_block_by_block(town_a):
    people = cast(town_a)
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk))
        version = pages.open_version(page)
        english = pages.PageData(**{**data(people.clerk).__dict__, "title_en": "Bulky waste",
                                    "blocks_en": [{"type": "heading", "level": 2, "text": "How"},
                                                  {"type": "text", "html": "<p>Book by phone.</p>"}]})
        pages.save_translations(people.clerk, page, english, revision=None)
        version.refresh_from_db()
        assert version.title_en == "Bulky waste"
        changed = data(people.clerk, blocks=[{"type": "heading", "level": 2, "text": "出し方"},
                                             {"type": "text", "html": "<p>インターネットでも予約できます。</p>"}])
        version = pages.save_draft(people.clerk, page, changed, revision=None)
        assert version.blocks_en[0] == {"type": "heading", "level": 2, "text": "How"}
        assert version.blocks_en[1]["untranslated"] is True and "インターネット" in version.blocks_en[1]["html"]


def test_a_page_of_another_town_cannot_be_a_parent(town_a, town_b):
    people_a, people_b = cast(town_a), cast(town_b)
    parent_b = published(town_b, people_b.clerk, title="くらし", slug="kurashi", kind="section")
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        pages.create_page(people_a.clerk, data(people_a.clerk, parent=parent_b))
    assert "親ページ" in refused.value.errors["parent"]


def test_the_facts_of_a_procedure_are_translated_too_and_kept_while_their_japanese_stands(town_a):
    people = cast(town_a)
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk, details={"who": "町内に住む人", "fee": "無料"}))
        assert pages.detail_words(page.kind, pages.open_version(page).details) == ["who", "fee"]
        english = pages.PageData(**{**data(people.clerk).__dict__, "title_en": "Bulky waste", "details": {
            "who_en": "People living in the town", "fee_en": "Free", "nonsense_en": "dropped"}})
        version = pages.save_translations(people.clerk, page, english, revision=None)
        assert version.details == {"who": "町内に住む人", "fee": "無料", "who_en": "People living in the town",
                                   "fee_en": "Free"}
        changed = data(people.clerk, details={"who": "町内に住む人", "fee": "500円"})
        version = pages.save_draft(people.clerk, page, changed, revision=None)
        assert version.details["who_en"] == "People living in the town" and "fee_en" not in version.details
