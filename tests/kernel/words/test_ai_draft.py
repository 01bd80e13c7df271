"""「AIで下書き」: the texts without a translation go to the configured endpoint after the PII guard, what is sent is
audited, the answers are stored as drafts residents never see; staff's own translations are never overwritten."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.assistant.conftest import completion, stub  # noqa: F401  (the local chat-completions stub)
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.words import services, tasks
from yakuba.kernel.words.models import State, Translation

pytestmark = pytest.mark.django_db
KIND = "applications.procedure"


@pytest.fixture
def ai(settings, stub):  # noqa: F811
    settings.AI_BASE_URL = stub.url
    settings.AI_MODEL = "stub-model"
    settings.AI_API_KEY = ""
    settings.AI_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def dog(town_a):
    return factories.make_procedure(
        town_a, slug="dog", department="総務課",
        summary="問い合わせは担当の山田太郎（電話 0274-82-2111、yamada@example.jp）まで。")


def answer_each(request):
    sent = json.loads(request["json"]["messages"][1]["content"])
    return completion(json.dumps({key: f"EN({value[:10]})" for key, value in sent.items()}, ensure_ascii=False))


def test_drafts_after_the_pii_guard_and_never_shown(town_a, staff_a, dog, stub, ai):  # noqa: F811
    stub.reply = answer_each
    with scope(municipality=town_a):
        services.save_record(municipality=town_a, staff=staff_a, kind=KIND, key=str(dog.pk), check=True,
                             entries=[services.Entry("title", "en", "Dog licence")])
    stored = tasks.draft.call(town_a.pk, KIND, str(dog.pk), "en", staff_a.user.pk)
    assert stored > 5
    [request] = stub.requests
    sent = request["json"]["messages"][1]["content"]
    assert "0274-82-2111" not in sent and "yamada@example.jp" not in sent and "山田太郎" not in sent
    # the procedure's name was translated by staff already: only the form's own title (the same words) is sent
    assert list(json.loads(sent).values()).count("犬の登録") == 1
    with scope(municipality=town_a):
        assert Translation.objects.get(field="title").text == "Dog licence"
        drafts = Translation.objects.filter(state=State.DRAFT)
        assert drafts.count() == stored and all(row.machine for row in drafts)
    with scopes_disabled():
        sent_entry = AuditEntry.objects.get(action="words.draft.ai_sent")
    assert sent_entry.data["texts"] == stored and sent_entry.data["redactions"]
    client = Client()
    client.cookies["yakuba_language"] = "en"
    body = client.get(f"/t/10382/procedures/{dog.slug}/").content.decode()
    assert "EN(" not in body  # drafts are never shown to residents


def test_button_queues_the_task_and_a_failure_is_audited(town_a, staff_a, dog, stub, ai, django_capture_on_commit_callbacks):  # noqa: F811,E501
    stub.reply = lambda request: (500, b"{}")
    client = factories.staff_client(staff_a)
    page = f"/t/10382/staff/words/{KIND}/{dog.pk}/"
    assert "AIで下書き" in client.get(page).content.decode()
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page + "draft/", {"language": "easy"})
    assert response.status_code == 302
    [queued] = DBTaskResult.objects.filter(task_path__endswith="words.tasks.draft")
    assert queued.args_kwargs["args"] == [town_a.pk, KIND, str(dog.pk), "easy", staff_a.user.pk]
    assert tasks.draft.call(town_a.pk, KIND, str(dog.pk), "easy", staff_a.user.pk) == 0
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="words.draft.ai_failed").exists()
        assert AuditEntry.objects.filter(action="words.draft.requested").exists()
        assert not Translation.objects.exists()


def test_no_button_without_ai(town_a, staff_a, dog):
    client = factories.staff_client(staff_a)
    response = client.post(f"/t/10382/staff/words/{KIND}/{dog.pk}/draft/", {"language": "en"}, follow=True)
    assert "文章生成のAIが設定されていない" in response.content.decode()
