"""ご意見箱's pages: the public form (anonymous and signed in, bad input 400 with the typing kept, the rate limit,
script shown as text), the 受付番号 page, the cached front page and FAQ, and the staff inbox and actions (a 課 sees
its own, a stale answer keeps its typing, reading a sender's contact is audited)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django_scopes import scope

from tests import factories
from tests.voice.opinions_support import cast, send
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.ui.once import FIELD as ONCE
from yakuba.kernel.ui.pagecache import HEADER
from yakuba.voice.models import Opinion, OpinionStatus
from yakuba.voice.services import opinions as services

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('x')</script>"


def url(town, path):
    return factories.town_url(town, path)


def form(people, **fields):
    return {ONCE: fields.pop("once", "once-token-opinion-0001"), "category": people.category().pk,
            "body": "バスを増やしてほしいです。", "consent": "on", **fields}


def test_an_anonymous_resident_sends_and_gets_the_number(client, town_a):
    people = cast(town_a)
    page = client.get(url(town_a, "/voice/opinions/")).content.decode()
    assert "ご意見・ご提案" in page and "お名前（任意）" in page and "プライバシーポリシー" in page
    response = client.post(url(town_a, "/voice/opinions/"), form(people, name="山田", email="y@example.jp",
                                                                 wants_answer="on"))
    assert response.status_code == 302 and response["Location"].endswith("/voice/opinions/sent/")
    with scope(municipality=town_a):
        opinion = Opinion.objects.get()
    assert opinion.name == "山田" and opinion.wants_answer and opinion.resident is None
    done = client.get(response["Location"]).content.decode()
    assert opinion.number in done and "受付番号" in done
    # The same click again: written once.
    again = client.post(url(town_a, "/voice/opinions/"), form(people, once="once-token-opinion-0001"))
    assert again.status_code == 302
    with scope(municipality=town_a):
        assert Opinion.objects.count() == 1


@pytest.mark.parametrize("body", ["", "あ" * 2001])
def test_bad_text_is_400_with_the_typing_kept_and_nothing_saved(client, town_a, body):
    people = cast(town_a)
    response = client.post(url(town_a, "/voice/opinions/"), form(people, body=body, name="山田花子"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "入力内容に問題があります" in page and 'value="山田花子"' in page
    if body:
        assert "2000文字以内" in page and body in page
    with scope(municipality=town_a):
        assert not Opinion.objects.exists()


def test_consent_and_category_are_needed(client, town_a):
    cast(town_a)
    response = client.post(url(town_a, "/voice/opinions/"), {ONCE: "o-1", "body": "意見です。"})
    page = response.content.decode()
    assert response.status_code == 400 and "分類を選んでください" in page and "プライバシーポリシーに同意" in page
    assert "意見です。" in page


def test_a_signed_in_resident_is_not_asked_for_name_and_address(client, town_a, resident_a):
    people = cast(town_a)
    client.force_login(resident_a.user)
    page = client.get(url(town_a, "/voice/opinions/")).content.decode()
    assert "お名前（任意）" not in page and "山田 花子" in page and resident_a.user.email in page
    client.post(url(town_a, "/voice/opinions/"), form(people, wants_answer="on"))
    with scope(municipality=town_a):
        opinion = Opinion.objects.get()
    assert opinion.resident == resident_a and opinion.name == "山田 花子" and opinion.email == resident_a.user.email


def test_too_many_sends_from_one_address_are_refused_with_the_typing_kept(client, town_a, settings):
    settings.YAKUBA_THROTTLE = {"voice.opinion": (2, 600)}
    people = cast(town_a)
    for n in range(2):
        assert client.post(url(town_a, "/voice/opinions/"), form(people, once=f"o-{n}")).status_code == 302
    response = client.post(url(town_a, "/voice/opinions/"), form(people, once="o-9", body="三通目です。"))
    assert response.status_code == 429 and response["Retry-After"]
    page = response.content.decode()
    assert "分ほどたってから" in page and "三通目です。" in page
    with scope(municipality=town_a):
        assert Opinion.objects.count() == 2


def test_script_is_escaped_wherever_it_is_shown(client, town_a):
    people = cast(town_a)
    opinion = send(people, f"{SCRIPT}困っています", name=SCRIPT)
    staff = factories.staff_client(people.clerk)
    page = staff.get(url(town_a, f"/staff/voice/opinions/{opinion.pk}/")).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page
    with scope(municipality=town_a):
        opinion = services.answer(people.clerk, opinion.pk, f"{SCRIPT}回答", revision=opinion.revision)
        services.publish(people.clerk, opinion.pk, f"{SCRIPT}質問", f"{SCRIPT}回答", revision=opinion.revision)
    for path in ("/voice/faq/", "/voice/", "/staff/voice/opinions/?status="):
        shown = (staff if path.startswith("/staff") else client).get(url(town_a, path)).content.decode()
        assert SCRIPT not in shown and "&lt;script&gt;" in shown, path


@pytest.mark.django_db(transaction=True)  # the writes commit: the page cache hears of them as in production
def test_front_page_and_faq_are_cached_and_follow_a_publication(client, town_a):
    cache.clear()
    people = cast(town_a)
    for path in ("/voice/", "/voice/faq/"):
        assert client.get(url(town_a, path))[HEADER] == "miss"
        again = client.get(url(town_a, path))
        assert again[HEADER] == "hit" and "public" in again["Cache-Control"]
    opinion = send(people, "図書館は日曜も開いていますか。")
    with scope(municipality=town_a):
        opinion = services.answer(people.clerk, opinion.pk, "日曜も開いています。", revision=opinion.revision)
        services.publish(people.clerk, opinion.pk, "図書館は日曜も開いていますか。", "日曜も開いています。",
                         revision=opinion.revision)
    for path in ("/voice/", "/voice/faq/"):
        response = client.get(url(town_a, path))
        assert response[HEADER] == "miss" and "日曜も開いています。" in response.content.decode()


def test_front_page_links_the_three_ways_and_the_home_has_the_corner(client, town_a):
    cast(town_a)
    page = client.get(url(town_a, "/voice/")).content.decode()
    assert "ご意見・ご質問を送る" in page
    home = client.get(url(town_a, "/")).content.decode()
    assert "ご意見箱" in home and url(town_a, "/voice/") in home


def test_the_inbox_shows_a_department_its_own_and_the_admin_all(town_a):
    people = cast(town_a)
    mine, theirs = send(people, "企画課へのご意見"), send(people, "住民課への質問です", category="手続き")
    clerk = factories.staff_client(people.clerk)
    page = clerk.get(url(town_a, "/staff/voice/opinions/")).content.decode()
    assert mine.number in page and theirs.number not in page and "ご意見 未回答" in page
    assert clerk.get(url(town_a, f"/staff/voice/opinions/{theirs.pk}/")).status_code == 404
    admin = factories.staff_client(people.admin).get(url(town_a, "/staff/voice/opinions/")).content.decode()
    assert mine.number in admin and theirs.number in admin
    answered = factories.staff_client(people.admin).get(url(town_a, "/staff/voice/opinions/?status=answered"))
    assert mine.number not in answered.content.decode()


def test_reading_an_identified_sender_is_audited(town_a):
    people = cast(town_a)
    anonymous, named = send(people), send(people, "二通目", name="山田", email="y@example.jp")
    clerk = factories.staff_client(people.clerk)
    clerk.get(url(town_a, f"/staff/voice/opinions/{anonymous.pk}/"))
    page = clerk.get(url(town_a, f"/staff/voice/opinions/{named.pk}/")).content.decode()
    assert "y@example.jp" in page
    with scope(municipality=town_a):
        viewed = AuditEntry.objects.filter(action="voice.opinion.viewed")
        assert [entry.object_id for entry in viewed] == [str(named.pk)]


def test_answering_routing_and_publishing_through_the_pages(town_a):
    people = cast(town_a)
    opinion = send(people, "電話090-1234-5678の山田です。ごみの日を教えてください。")
    clerk = factories.staff_client(people.clerk)
    base = url(town_a, f"/staff/voice/opinions/{opinion.pk}/")
    response = clerk.post(base + "answer/", {ONCE: "a-1", "revision": opinion.revision, "answer": "火曜日です。"})
    assert response.status_code == 302
    page = clerk.get(base).content.decode()
    assert "［電話番号］" in page and "よくある質問として公開する" in page
    with scope(municipality=town_a):
        opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.ANSWERED
    response = clerk.post(base + "publish/", {ONCE: "p-1", "revision": opinion.revision,
                                              "faq_question": "ごみの日はいつですか。", "faq_answer": "火曜日です。"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        opinion.refresh_from_db()
    assert opinion.published_at is not None
    response = clerk.post(base + "route/", {ONCE: "r-1", "revision": opinion.revision, "department": "",
                                            "note": "申し送り"})
    assert response.status_code == 400 and "振り分け先の課を選んでください" in response.content.decode()


def test_a_second_answer_on_a_stale_page_is_told_and_keeps_its_typing(town_a):
    people = cast(town_a)
    opinion = send(people)
    base = url(town_a, f"/staff/voice/opinions/{opinion.pk}/")
    first, second = factories.staff_client(people.clerk), factories.staff_client(people.admin)
    assert first.post(base + "answer/", {ONCE: "a-1", "revision": opinion.revision,
                                         "answer": "一人目"}).status_code == 302
    response = second.post(base + "answer/", {ONCE: "a-2", "revision": opinion.revision, "answer": "二人目の回答"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "ほかの職員が先に" in page and "二人目の回答" in page
    with scope(municipality=town_a):
        assert Opinion.objects.get(pk=opinion.pk).answer == "一人目"


def test_categories_page_is_the_admins(town_a):
    people = cast(town_a)
    path = url(town_a, "/staff/voice/opinion-categories/")
    assert factories.staff_client(people.clerk).get(path).status_code == 403
    admin = factories.staff_client(people.admin)
    assert "DX・デジタル化について" in admin.get(path).content.decode()
    response = admin.post(path, {ONCE: "c-1", "name": "ご意見・ご提案", "department": people.clerk.department_id,
                                 "active": "on"})
    assert response.status_code == 400 and "同じ名前の分類" in response.content.decode()
    response = admin.post(path, {ONCE: "c-2", "name": "子育て", "department": people.clerk.department_id,
                                 "active": "on"})
    assert response.status_code == 302
