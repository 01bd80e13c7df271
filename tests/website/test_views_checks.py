"""The staff pages of アクセシビリティ点検 and 移行: who may open them, the report's filters, and the import's
check-then-confirm flow (small runs in the request, large ones by tasks)."""

from __future__ import annotations

import pytest
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.website.checks_support import make_page, make_zip, old_page
from yakuba.kernel.accounts.models import Role
from yakuba.website import tasks
from yakuba.website.models import ImportRun, Page, PageVersion
from yakuba.website.services import importing

REPORT = "/t/10382/staff/website/checks/"
IMPORT = "/t/10382/staff/website/import/"


@pytest.fixture
def admin(town_a):
    return factories.make_staff(town_a, department="企画課", role=Role.ADMIN)


def test_the_report_lists_pages_with_findings_linked_to_each_page(town_a, staff_a, staff_a_other):
    make_page(town_a, staff_a, path="gomi", title="ごみの出し方", blocks=[{"type": "image", "asset": "x", "alt": ""}])
    make_page(town_a, staff_a_other, path="zei", title="町税", blocks=[{"type": "text", "html": "<p>赤字の部分</p>"}])
    response = factories.staff_client(staff_a).get(REPORT)
    body = response.content.decode()
    assert response.status_code == 200
    assert "ごみの出し方" in body and "町税" not in body  # only the staff member's 課
    assert "画像に代替テキストがありません" in body and "画像の代替テキストがない" in body


def test_the_information_officer_filters_by_department_and_severity(town_a, staff_a, staff_a_other, admin):
    make_page(town_a, staff_a, path="gomi", title="ごみの出し方", blocks=[{"type": "image", "asset": "x", "alt": ""}])
    make_page(town_a, staff_a_other, path="zei", title="町税", blocks=[{"type": "text", "html": "<p>赤字の部分</p>"}])
    client = factories.staff_client(admin)
    body = client.get(REPORT).content.decode()
    assert "ごみの出し方" in body and "町税" in body
    body = client.get(REPORT, {"severity": "error"}).content.decode()
    assert "ごみの出し方" in body and "町税" not in body
    body = client.get(REPORT, {"department": staff_a_other.department_id}).content.decode()
    assert "ごみの出し方" not in body and "町税" in body


def test_the_report_over_many_pages_reads_pages_and_versions_in_one_query(town_a, admin, django_assert_max_num_queries):
    for n in range(30):
        make_page(town_a, admin, path=f"p{n}", title=f"ページ{n}", blocks=[{"type": "image", "asset": "x", "alt": ""}])
    client = factories.staff_client(admin)
    client.get(REPORT)
    with django_assert_max_num_queries(12):  # the session, the staff member, the menus … and one for the pages
        assert client.get(REPORT).status_code == 200


def test_import_is_for_the_information_officer(town_a, staff_a):
    assert factories.staff_client(staff_a).get(IMPORT).status_code == 403


def test_a_small_import_is_checked_then_confirmed(town_a, admin, django_capture_on_commit_callbacks):
    client = factories.staff_client(admin)
    assert client.get(IMPORT).status_code == 200
    files = {"kurashi/gomi.html": old_page(), "bad.html": old_page("壊れ", charset="Shift_JIS").encode("cp932")[:-40]
             + b"\x82\xff" + b"</body></html>"}
    response = client.post(IMPORT, {"archive": make_zip(files), "base_url": "https://www.town.example.jp/",
                                    "department": admin.department_id})
    assert response.status_code == 302
    with scope(municipality=town_a):
        run = ImportRun.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "取り込めるページ 1 件、取り込めないページ 1 件" in page and "問題のない1件を取り込む" in page
    assert "bad.html の" in page and "バイト目" in page
    with scope(municipality=town_a):
        assert not Page.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # a small run is created right after the click commits
        confirmed = client.post(f"{IMPORT}{run.pk}/confirm/")
    assert confirmed.status_code == 302
    with scope(municipality=town_a):
        assert PageVersion.objects.get().title == "ごみの出し方"
    assert "1 件のページを下書きとして取り込みました" in client.get(f"{IMPORT}{run.pk}/").content.decode()
    again = client.post(f"{IMPORT}{run.pk}/confirm/")
    assert again.status_code == 400 and "すでに始まっているか" in again.content.decode()


def test_a_refused_zip_is_told_with_the_typing_kept(town_a, admin):
    client = factories.staff_client(admin)
    response = client.post(IMPORT, {"archive": make_zip({"../x.html": old_page()}),
                                    "base_url": "https://www.town.example.jp/", "department": admin.department_id})
    body = response.content.decode()
    assert response.status_code == 400 and "ZIPの外を指す" in body and 'value="https://www.town.example.jp/"' in body
    response = client.post(IMPORT, {"base_url": "ftp://x", "department": admin.department_id})
    assert response.status_code == 400 and "ZIPファイルを選んでください" in response.content.decode()
    with scope(municipality=town_a):
        assert not ImportRun.objects.exists()


def test_a_run_can_be_ended_without_importing(town_a, admin):
    client = factories.staff_client(admin)
    client.post(IMPORT, {"archive": make_zip({"a.html": old_page()}), "base_url": "https://old.example.jp/",
                         "department": admin.department_id})
    with scope(municipality=town_a):
        run = ImportRun.objects.get()
    assert client.post(f"{IMPORT}{run.pk}/cancel/").status_code == 302
    with scope(municipality=town_a):
        run.refresh_from_db()
        assert importing.phase(run) == "cancelled" and not Page.objects.exists()


def test_a_large_import_runs_as_tasks(town_a, admin, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(importing, "INLINE_FILES", 2)
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    client = factories.staff_client(admin)
    files = {f"p{n}.html": old_page(f"ページ{n}") for n in range(5)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT, {"archive": make_zip(files), "base_url": "https://old.example.jp/",
                             "department": admin.department_id})
    with scope(municipality=town_a):
        run = ImportRun.objects.get()
    assert DBTaskResult.objects.filter(task_path__endswith="tasks.check_import").count() == 1
    assert "ファイルを確かめています（0 / 5 件）" in client.get(f"{IMPORT}{run.pk}/").content.decode()
    assert tasks.check_import.call(run.pk) == "checked"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{IMPORT}{run.pk}/confirm/")
    assert DBTaskResult.objects.filter(task_path__endswith="tasks.import_pages").count() == 1
    assert "取り込んでいます" in client.get(f"{IMPORT}{run.pk}/").content.decode()
    assert tasks.import_pages.call(run.pk) == "done"
    assert tasks.import_pages.call(run.pk) == "done"  # a retry creates nothing twice
    with scope(municipality=town_a):
        assert Page.objects.count() == 5


def test_runs_of_another_town_are_not_found(town_a, town_b, admin):
    other = factories.make_staff(town_b, role=Role.ADMIN)
    with scope(municipality=town_b):
        run = importing.start(other, make_zip({"a.html": old_page()}), department=other.department, parent=None,
                              base_url="https://old.example.jp/")
    assert factories.staff_client(admin).get(f"{IMPORT}{run.pk}/").status_code == 404
