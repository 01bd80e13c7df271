"""The editor and the staff pages: blocks added and moved before saving, bad input (400, the message, the typing
kept), the second editor, an image without alt text stopped before approval, a 20 MB image, approval by the 所属長,
versions with their diff, moving under a child, 棚卸し; and what staff of another 課 may not do."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from PIL import Image

from tests import factories
from tests.website.support import cast, published
from yakuba.kernel.ui.once import FIELD as ONCE
from yakuba.website.models import Asset, Page, VersionState
from yakuba.website.services import pages

pytestmark = pytest.mark.django_db


def url(town, path):
    return factories.town_url(town, path)


def form(**overrides):
    data = {ONCE: f"once-{timezone.now().timestamp()}", "title": "児童手当の申請", "summary": "子どもを育てる人へ。",
            "kind": "procedure", "slug": "jidou-teate", "blocks-total": "2",
            "blocks-0-type": "heading", "blocks-0-level": "2", "blocks-0-text": "対象となる人",
            "blocks-1-type": "text", "blocks-1-html": "<p>中学生までの子どもを育てている人</p>"}
    return {**data, **overrides}


def png(size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    out.seek(0)
    out.name = "gomi.png"
    return out


def test_creating_a_page_with_bad_input_keeps_the_typing(town_a):
    people = cast(town_a)
    client = factories.staff_client(people.clerk)
    response = client.post(url(town_a, "/staff/website/new/"), form(
        title="", slug="児童手当", department=str(people.clerk.department_id),
        **{"blocks-1-html": "<p>本文は残る<script>alert(1)</script></p>"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "タイトル" in page and "URLの名前は半角の英小文字" in page
    assert "本文は残る" in page and "<script>alert(1)" not in page
    with scope(municipality=town_a):
        assert not Page.objects.exists()


def test_blocks_are_added_moved_and_removed_before_saving(town_a):
    people = cast(town_a)
    client = factories.staff_client(people.clerk)
    response = client.post(url(town_a, "/staff/website/new/"), form(op="add-faq",
                                                                    department=str(people.clerk.department_id)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ブロック3：よくある質問" in page and 'value="3"' in page and "中学生までの子ども" in page
    response = client.post(url(town_a, "/staff/website/new/"), form(op="down-0",
                                                                    department=str(people.clerk.department_id)))
    page = response.content.decode()
    assert page.index("ブロック1：本文") < page.index("ブロック2：見出し")
    with scope(municipality=town_a):
        assert not Page.objects.exists()


def test_save_submit_approve_and_publish(town_a):
    people = cast(town_a)
    client = factories.staff_client(people.clerk)
    response = client.post(url(town_a, "/staff/website/new/"), form(department=str(people.clerk.department_id)))
    assert response.status_code == 302
    with scope(municipality=town_a):
        page = Page.objects.get(path="jidou-teate")
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/submit/"), {ONCE: "s1",
                                                                                      "revision": page.revision})
    assert response.status_code == 302
    head = factories.staff_client(people.head)
    assert "児童手当の申請" in head.get(url(town_a, "/staff/website/approvals/")).content.decode()
    decision = head.get(url(town_a, f"/staff/website/pages/{page.pk}/decide/")).content.decode()
    assert "追加：" in decision and "対象となる人" in decision
    response = head.post(url(town_a, f"/staff/website/pages/{page.pk}/decide/"), {ONCE: "d1", "decision": "approve"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        page.refresh_from_db()
        assert page.live is not None and page.live.state == VersionState.PUBLISHED


def test_an_image_without_alt_text_stops_the_page_before_approval(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    client = factories.staff_client(people.clerk)
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/files/"), {ONCE: "u1", "file": png()})
    assert response.status_code == 302
    with scope(municipality=town_a):
        asset = Asset.objects.get(page=page)
        page.refresh_from_db()
    assert (asset.width, asset.height) == (40, 30)
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/"), form(
        slug="sodai", department=str(people.clerk.department_id), revision=page.revision, **{
            "blocks-total": "3", "blocks-2-type": "image", "blocks-2-asset": str(asset.uuid), "blocks-2-alt": ""}))
    assert response.status_code == 302
    with scope(municipality=town_a):
        page.refresh_from_db()
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/submit/"), {ONCE: "s2",
                                                                                      "revision": page.revision})
    assert response.status_code == 400
    assert "代替テキスト" in response.content.decode()
    with scope(municipality=town_a):
        assert pages.open_version(page).state == VersionState.DRAFT


def test_a_20_mb_image_is_refused_with_its_size(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    big = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * (20 * 1024 * 1024))
    big.name = "huge.png"
    response = factories.staff_client(people.clerk).post(url(town_a, f"/staff/website/pages/{page.pk}/files/"),
                                                         {ONCE: "u2", "file": big})
    assert response.status_code == 400
    assert "ファイルが大きすぎます" in response.content.decode()
    with scope(municipality=town_a):
        assert not Asset.objects.exists()


def test_an_image_keeps_no_camera_or_location_data(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {2: (35.0, 40.0, 0.0)}
    Image.new("RGB", (64, 48), "blue").save(photo, "JPEG", exif=exif.tobytes())
    photo.seek(0)
    photo.name = "photo.jpg"
    with scope(municipality=town_a):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from yakuba.kernel.files.uploads import private_storage
        from yakuba.website.services import assets

        asset = assets.upload(people.clerk, page, SimpleUploadedFile("photo.jpg", photo.getvalue(), "image/jpeg"))
        with private_storage().open(asset.path) as stored, Image.open(stored) as image:
            assert not image.getexif()


def test_the_second_editor_is_told_and_keeps_the_typing(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    opened = page.revision
    first = factories.staff_client(people.clerk)
    second = factories.staff_client(people.admin)
    base = form(slug="sodai", department=str(people.clerk.department_id), revision=opened)
    assert first.post(url(town_a, f"/staff/website/pages/{page.pk}/"), {**base, "title": "一人目"}).status_code == 302
    response = second.post(url(town_a, f"/staff/website/pages/{page.pk}/"), {**base, ONCE: "x2", "title": "二人目"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "他の人が保存しました" in text and 'value="二人目"' in text


def test_staff_of_another_department_read_but_do_not_edit(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    other = factories.staff_client(people.other)
    response = other.get(url(town_a, f"/staff/website/pages/{page.pk}/"))
    assert response.status_code == 200 and "編集できるのは担当課の職員と情報担当です" in response.content.decode()
    response = other.post(url(town_a, f"/staff/website/pages/{page.pk}/"), form(slug="sodai"))
    assert response.status_code == 403
    with scope(municipality=town_a):
        page.refresh_from_db()
        assert page.live.title == "粗大ごみの出し方"
    assert other.get(url(town_a, f"/staff/website/pages/{page.pk}/manage/")).status_code == 404
    assert other.get(url(town_a, "/staff/website/approvals/")).status_code == 403


def test_versions_show_what_changed_and_restore(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    with scope(municipality=town_a):
        from tests.website.support import data

        pages.save_draft(people.clerk, page, data(people.clerk, title="粗大ごみ（改）"), revision=None)
        pages.submit(people.clerk, page, revision=None)
        pages.approve(people.head, page)
        page.refresh_from_db()
    client = factories.staff_client(people.clerk)
    text = client.get(url(town_a, f"/staff/website/pages/{page.pk}/versions/")).content.decode()
    assert "削除：" in text and "粗大ごみの出し方" in text and "追加：" in text and "粗大ごみ（改）" in text
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/versions/1/restore/"),
                           {ONCE: "r1", "revision": page.revision})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert pages.open_version(page).title == "粗大ごみの出し方"


def test_moving_under_its_own_child_is_refused_with_a_message(town_a):
    people = cast(town_a)
    top = published(town_a, people.clerk, title="くらし", slug="kurashi", kind="section")
    child = published(town_a, people.clerk, parent=top)
    response = factories.staff_client(people.clerk).post(url(town_a, f"/staff/website/pages/{top.pk}/move/"), {
        ONCE: "m1", "parent": str(child.pk), "revision": top.revision})
    assert response.status_code == 400
    assert "そのページ自身やその下" in response.content.decode()


def test_reviews_list_the_departments_due_pages(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk)
    with scope(municipality=town_a):
        Page.objects.filter(pk=page.pk).update(review_due=timezone.localdate() - timedelta(days=3))
        page.refresh_from_db()
    client = factories.staff_client(people.clerk)
    assert "粗大ごみの出し方" in client.get(url(town_a, "/staff/website/reviews/")).content.decode()
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/review/"),
                           {ONCE: "v1", "outcome": "confirmed", "revision": page.revision})
    assert response.status_code == 302
    assert "棚卸しの時期が来たページはありません" in client.get(url(town_a, "/staff/website/reviews/")).content.decode()


def test_translation_page_requires_every_block(town_a):
    people = cast(town_a)
    with scope(municipality=town_a):
        from tests.website.support import data

        page = pages.create_page(people.clerk, data(people.clerk))
    client = factories.staff_client(people.clerk)
    assert client.get(url(town_a, f"/staff/website/pages/{page.pk}/translate/")).status_code == 200
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/translate/"), {
        ONCE: "t1", "revision": page.revision, "title_en": "Bulky waste", "en-0-text": "How to", "en-1-html": ""})
    assert response.status_code == 400
    assert "ブロック2" in response.content.decode() and 'value="How to"' in response.content.decode()
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/translate/"), {
        ONCE: "t2", "revision": page.revision, "title_en": "Bulky waste", "en-0-text": "How to",
        "en-1-html": "<p>Book by phone.</p>"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        version = pages.open_version(page)
        assert version.title_en == "Bulky waste" and version.blocks_en[1]["html"] == "<p>Book by phone.</p>"


def test_an_english_reader_sees_the_translated_facts_and_the_rest_marked_japanese(town_a):
    people = cast(town_a)
    page = published(town_a, people.clerk, details={"who": "町内に住む人", "fee": "無料"})
    with scope(municipality=town_a):
        from tests.website.support import data

        pages.save_draft(people.clerk, page, data(people.clerk, details={"who": "町内に住む人", "fee": "無料"}),
                         revision=None)
        page.refresh_from_db()
    client = factories.staff_client(people.clerk)
    text = client.get(url(town_a, f"/staff/website/pages/{page.pk}/translate/")).content.decode()
    assert 'name="en-detail-who"' in text and 'name="easy-detail-fee"' in text
    response = client.post(url(town_a, f"/staff/website/pages/{page.pk}/translate/"), {
        ONCE: "t3", "revision": page.revision, "title_en": "Bulky waste", "en-0-text": "How to",
        "en-1-html": "<p>Book by phone.</p>", "en-detail-who": "People living in the town"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        pages.submit(people.clerk, page, revision=None)
        pages.approve(people.head, page)
    from django.test import Client

    reader = Client()
    reader.cookies["yakuba_language"] = "en"
    html = reader.get(url(town_a, "/site/sodai/")).content.decode()
    assert "<dd>People living in the town</dd>" in html
    assert '<dd lang="ja">無料</dd>' in html
