"""「AIで下書き」 on a page's translation page: the words go to the configured endpoint after the PII guard, the
drafts prefill the page for staff to check and are never shown to residents; a failing endpoint is said."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from tests import factories
from tests.assistant.conftest import completion, stub  # noqa: F401  (the local chat-completions stub)
from tests.website.support import cast, data
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.ui.once import FIELD as ONCE
from yakuba.website import tasks
from yakuba.website.services import pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def ai(settings, stub):  # noqa: F811
    settings.AI_BASE_URL = stub.url
    settings.AI_MODEL = "stub-model"
    settings.AI_API_KEY = ""
    settings.AI_TIMEOUT_SECONDS = 5
    return settings


def answer_each(request):
    sent = json.loads(request["json"]["messages"][1]["content"])
    system = request["json"]["messages"][0]["content"]
    mark = "EN" if "English" in system else "やさしい"
    return completion(json.dumps({key: value.replace("電話で", f"{mark}:") if "<p>" in value else f"{mark}({value})"
                                  for key, value in sent.items()}, ensure_ascii=False))


def test_drafts_prefill_the_translation_page_after_the_pii_guard(town_a, stub, ai):  # noqa: F811
    stub.reply = answer_each
    people = cast(town_a)
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk, summary="担当 山田太郎 電話 0274-82-2111",
                                                    details={"fee": "1個500円"}, blocks=[
                                                        {"type": "heading", "level": 2, "text": "出し方"},
                                                        {"type": "text", "html": "<p>電話で予約します。</p>"}]))
    client = factories.staff_client(people.clerk)
    assert "AIで下書き" in client.get(factories.town_url(town_a, f"/staff/website/pages/{page.pk}/translate/")
                                    ).content.decode()
    with scope(municipality=town_a):
        page.refresh_from_db()
        response = client.post(factories.town_url(town_a, f"/staff/website/pages/{page.pk}/translate/draft/"),
                               {ONCE: "ai1", "revision": page.revision})
    assert response.status_code == 302
    with scope(municipality=town_a):
        version_id = page.versions.get().pk
    assert tasks.machine_draft.call(version_id, people.clerk.user.pk) is True
    sent = "".join(r["json"]["messages"][1]["content"] for r in stub.requests)
    assert "0274-82-2111" not in sent and "山田太郎" not in sent
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="words.draft.ai_sent").count() == 2
    text = client.get(factories.town_url(town_a, f"/staff/website/pages/{page.pk}/translate/")).content.decode()
    assert "AIが作った下書きを入れています" in text and "EN(出し方)" in text and "EN:予約します" in text
    assert 'value="EN(1個500円)"' in text
    with scope(municipality=town_a):
        version = pages.open_version(page)
        assert version.title_en == "" and version.blocks_en == []  # nothing is a translation until staff save it


def test_a_failing_endpoint_is_said_on_the_page(town_a, stub, ai):  # noqa: F811
    stub.reply = lambda request: (500, b'{"error": "down"}')
    people = cast(town_a)
    with scope(municipality=town_a):
        page = pages.create_page(people.clerk, data(people.clerk))
        assert pages.machine_draft(page.versions.get().pk) is False
    text = factories.staff_client(people.clerk).get(
        factories.town_url(town_a, f"/staff/website/pages/{page.pk}/translate/")).content.decode()
    assert "AIの下書きを作れませんでした" in text
