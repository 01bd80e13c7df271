"""A clerk edits a 手続き案内 on a 360 px phone: uploads a photo, adds it as an image block and forgets its alt text;
the editor stops the page before approval and says why; with the alt text it goes to the 所属長, who approves it;
residents then read it with its JSON-LD, and the assistant answers from it and cites it. axe-core on every page."""

from __future__ import annotations

import io
import json

import pytest
from django_scopes import scope
from PIL import Image

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from tests.support.tasks import run_worker
from tests.website.support import published
from yakuba.kernel.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 60)).save(out, "PNG")
    return out.getvalue()


def _click(page, name: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=name, exact=True).click()


def test_a_clerk_edits_a_procedure_page_on_a_phone_and_the_head_approves_it(live_server, browser, phone):
    town = factories.make_town()
    clerk = factories.make_staff(town, department="子育て支援課")
    head = factories.make_staff(town, department="子育て支援課", role=Role.APPROVER)
    page = published(town, clerk, title="児童手当", slug="jidou-teate", kind="procedure",
                     summary="中学生までの子どもを育てている人に手当を支給します。", blocks=[
                         {"type": "heading", "level": 2, "text": "支給額"},
                         {"type": "text",
                          "html": "<p>3歳未満は月額15,000円、3歳から中学生までは月額10,000円です。</p>"}])
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, clerk)
    phone.goto(f"{base}/staff/website/pages/{page.pk}/")
    assert_accessible(phone)

    phone.locator("#id_file").set_input_files({"name": "madoguchi.png", "mimeType": "image/png", "buffer": _png()})
    _click(phone, "登録する")
    assert "madoguchi.png を登録しました" in phone.locator("main").inner_text()
    _click(phone, "画像を追加")
    block = phone.locator("fieldset", has_text="ブロック3：画像")
    assert phone.evaluate("document.activeElement.id") == "id_blocks-2-asset"
    block.get_by_label("画像", exact=True).select_option(label="madoguchi.png")
    _click(phone, "下書きを保存")
    assert "下書きを保存しました" in phone.locator("main").inner_text()
    assert "代替テキスト" in phone.locator("#findings").inner_text()
    assert_accessible(phone)

    _click(phone, "承認に回す")
    summary = phone.locator(".error-summary")
    assert "アクセシビリティの点検で直すところがあります" in summary.inner_text()
    assert "代替テキスト" in summary.inner_text()
    assert_accessible(phone)

    phone.get_by_label("代替テキスト（画像が見えない人に伝える内容）").fill("役場1階の子育て支援課の窓口")
    _click(phone, "下書きを保存")
    _click(phone, "承認に回す")
    assert "承認に回しました" in phone.locator("main").inner_text()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP")
    approver = context.new_page()
    approver.console_errors = []
    log_in_staff(approver, base, head)
    approver.goto(f"{base}/staff/website/approvals/")
    assert_accessible(approver)
    with approver.expect_navigation():
        approver.get_by_role("link", name="児童手当").click()
    assert "追加：" in approver.locator(".site-diff").inner_text()
    assert_accessible(approver)
    _click(approver, "承認して公開する")
    assert "承認し、公開しました" in approver.locator("main").inner_text()
    context.close()

    resident = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP")
    reader = resident.new_page()
    reader.console_errors = []
    reader.goto(f"{base}/site/jidou-teate/")
    assert reader.locator("img[alt='役場1階の子育て支援課の窓口']").count() == 1
    data = [json.loads(s) for s in reader.locator("script[type='application/ld+json']").all_text_contents()]
    types = {item.get("@type") for found in data for item in (found.get("@graph", [found]))}
    assert "GovernmentService" in types
    assert_accessible(reader)

    run_worker()  # the assistant reads the published page (its ingest runs as a task)
    reader.goto(f"{base}/assistant/")
    reader.locator("#id_q").fill("児童手当は3歳未満でいくらですか")
    with reader.expect_navigation():
        reader.locator("form.as-ask button[type=submit]").click()
    latest = reader.locator("#latest")
    assert "15,000円" in latest.inner_text()
    assert latest.locator("a[href*='/site/jidou-teate/']").count() >= 1
    assert_accessible(reader)
    resident.close()
    with scope(municipality=town):
        page.refresh_from_db()
        assert page.live.number == 2
