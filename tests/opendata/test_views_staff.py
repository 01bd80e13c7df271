"""Staff pages of オープンデータ through HTTP: the list (with 自動生成 and the refresh for 情報担当), a dataset with its
rows, versions and uploads, the row form made from the schema (refusals keep the typing, 400), publishing (a refusal
lists the rows to fix), imports checked by the task (line-level problems, Shift_JIS, the old layout), the template,
the settings, and who may do what (other department 403, town B 404)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from tests import factories
from tests.opendata.conftest import csv_text, valid_row
from tests.support.tasks import run_worker
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.ui import once
from yakuba.opendata import definitions
from yakuba.opendata.models import Dataset, Origin, Row, Upload, UploadState, Version
from yakuba.opendata.services import editing

pytestmark = pytest.mark.django_db


def url(town, name: str, *args) -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args))


def row_post(kind: str, values: dict[str, str]) -> dict[str, str]:
    """The row form's POST data: its fields are named c<index of the column>."""
    names = definitions.get(kind).names  # type: ignore[union-attr]
    return {**{f"c{names.index(name)}": value for name, value in values.items()}, once.FIELD: once.new_token()}


def form_values(kind: str, town, **values: str) -> dict[str, str]:
    row = valid_row(kind, town, **values)
    return {k: v for k, v in row.items() if k not in ("全国地方公共団体コード", "地方公共団体名")}


def add_row(town, staff, dataset, **values: str) -> Row:
    with scope(municipality=town):
        return editing.save_row(staff, dataset, None, valid_row(dataset.kind, town, **values))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# The list -----------------------------------------------------------------------------------------------------------

def test_the_list_shows_every_dataset_with_its_state(town_a, staff_a, aed):
    add_row(town_a, staff_a, aed, ID="1", 名称="下仁田町役場")
    with scope(municipality=town_a):
        editing.publish(staff_a, aed)
    add_row(town_a, staff_a, aed, ID="2")
    response = factories.staff_client(staff_a).get(url(town_a, "opendata"))
    assert response.status_code == 200
    page = text(response)
    for defn in definitions.definitions():  # made for the town on the first visit
        assert reverse("staff:opendata-dataset", args=[defn.kind]) in page, defn.kind
    assert "公開中 第1版" in page and "未公開" in page and "2 件" in page and "総務課" in page
    assert "自動生成" in page
    assert "自動生成のデータを今すぐ更新" not in page  # 情報担当 only


def test_it_admin_refreshes_the_generated_datasets(town_a, admin_a, staff_a, aed):
    add_row(town_a, staff_a, aed, ID="1")
    with scope(municipality=town_a):
        editing.publish(staff_a, aed)
    client = factories.staff_client(admin_a)
    assert "自動生成のデータを今すぐ更新" in text(client.get(url(town_a, "opendata")))
    response = client.post(url(town_a, "opendata-refresh"), {once.FIELD: once.new_token()}, follow=True)
    assert "新しい版: 1 件" in text(response)  # オープンデータ一覧 now lists the AED dataset
    with scope(municipality=town_a):
        listing = Dataset.objects.get(kind="opendata-list")
        assert listing.versions.get().origin == Origin.GENERATED
    again = client.post(url(town_a, "opendata-refresh"), {once.FIELD: once.new_token()}, follow=True)
    assert "変更はありませんでした" in text(again)


def test_only_the_it_admin_may_refresh(town_a, staff_a):
    assert factories.staff_client(staff_a).post(url(town_a, "opendata-refresh"),
                                                {once.FIELD: once.new_token()}).status_code == 403


# A dataset ----------------------------------------------------------------------------------------------------------

def test_the_dataset_page_shows_rows_source_versions_and_actions(town_a, staff_a, aed):
    row = add_row(town_a, staff_a, aed, ID="AED-1", 名称="下仁田町役場")
    with scope(municipality=town_a):
        editing.publish(staff_a, aed, note="初版")
    response = factories.staff_client(staff_a).get(url(town_a, "opendata-dataset", "aed"))
    assert response.status_code == 200
    page = text(response)
    defn = definitions.get("aed")
    assert defn.source["title"] in page and defn.source["url"] in page
    assert f"{len(defn.columns)} 列" in page
    assert "AED-1" in page and "下仁田町役場" in page and "群馬県甘楽郡下仁田町大字下仁田682" in page
    for link in (reverse("staff:opendata-row", args=["aed", row.pk]), reverse("staff:opendata-row-new", args=["aed"]),
                 reverse("staff:opendata-import", args=["aed"]), reverse("staff:opendata-template", args=["aed"]),
                 reverse("staff:opendata-publish", args=["aed"]), reverse("opendata:download-version",
                                                                         args=["aed", 1, "geojson"])):
        assert link in page, link
    assert "第1版" in page and "初版" in page and "画面で編集" in page
    assert reverse("staff:opendata-settings", args=["aed"]) not in page  # 情報担当 only


def test_the_rows_are_paginated_by_fifty(town_a, staff_a, aed):
    with scope(municipality=town_a):
        Row.objects.bulk_create([Row(municipality=town_a, dataset=aed, key=f"K{i:03}", position=i,
                                     data=valid_row("aed", town_a, ID=f"K{i:03}")) for i in range(1, 56)])
    client = factories.staff_client(staff_a)
    first = text(client.get(url(town_a, "opendata-dataset", "aed")))
    assert "K050" in first and "K051" not in first and "1 / 2 ページ" in first
    second = text(client.get(url(town_a, "opendata-dataset", "aed") + "?page=2"))
    assert "K055" in second and "K050" not in second


def test_another_department_sees_the_dataset_but_may_not_change_it(town_a, staff_a, staff_a_other, aed):
    row = add_row(town_a, staff_a, aed, ID="1")
    client = factories.staff_client(staff_a_other)
    page = text(client.get(url(town_a, "opendata-dataset", "aed")))
    assert "編集できるのは担当課の職員と情報担当です" in page
    assert reverse("staff:opendata-row-new", args=["aed"]) not in page
    assert reverse("staff:opendata-publish", args=["aed"]) not in page
    for name, args in (("opendata-row-new", ["aed"]), ("opendata-row", ["aed", row.pk]),
                       ("opendata-row-delete", ["aed", row.pk]), ("opendata-import", ["aed"])):
        assert client.get(url(town_a, name, *args)).status_code == 403, name
    token = {once.FIELD: once.new_token()}
    assert client.post(url(town_a, "opendata-publish", "aed"), token).status_code == 403
    assert client.post(url(town_a, "opendata-row-delete", "aed", row.pk), token).status_code == 403
    assert client.post(url(town_a, "opendata-row-new", "aed"),
                       row_post("aed", form_values("aed", town_a, ID="9"))).status_code == 403
    with scope(municipality=town_a):
        assert Row.objects.count() == 1 and not Version.objects.exists()


def test_a_generated_dataset_is_read_only_and_says_where_it_comes_from(town_a, admin_a):
    client = factories.staff_client(admin_a)
    page = text(client.get(url(town_a, "opendata-dataset", "events")))
    assert "講座" in page and reverse("staff:reservations-courses") in page
    assert reverse("staff:opendata-row-new", args=["events"]) not in page
    assert reverse("staff:opendata-import", args=["events"]) not in page
    facilities = text(client.get(url(town_a, "opendata-dataset", "public-facilities")))
    assert "予約の施設管理" in facilities
    assert client.get(url(town_a, "opendata-row-new", "events")).status_code == 403
    assert client.get(url(town_a, "opendata-import", "events")).status_code == 403


def test_unknown_kinds_and_town_bs_objects_are_not_found(town_a, staff_a, aed, aed_b, staff_b, town_b):
    with scope(municipality=town_b):
        row_b = editing.save_row(staff_b, aed_b, None, valid_row("aed", town_b, ID="B1"))
        upload_b = editing.receive(staff_b, aed_b, SimpleUploadedFile("aed.csv", b"x"))
    client = factories.staff_client(staff_a)
    assert client.get(url(town_a, "opendata-dataset", "no-such-kind")).status_code == 404
    assert client.get(url(town_a, "opendata-row", "aed", row_b.pk)).status_code == 404
    assert client.post(url(town_a, "opendata-row-delete", "aed", row_b.pk),
                       {once.FIELD: once.new_token()}).status_code == 404
    assert client.get(url(town_a, "opendata-upload", upload_b.public_id)).status_code == 404
    # town B's staff have no rights in town A at all
    assert factories.staff_client(staff_b).get(url(town_a, "opendata-dataset", "aed")).status_code == 403


# The row form -------------------------------------------------------------------------------------------------------

def test_the_row_form_is_made_from_the_schema(town_a, staff_a, aed):
    response = factories.staff_client(staff_a).get(url(town_a, "opendata-row-new", "aed"))
    assert response.status_code == 200
    page = response.content.decode()
    names = definitions.get("aed").names
    assert f'name="c{names.index("全国地方公共団体コード")}"' not in page
    assert f'name="c{names.index("地方公共団体名")}"' not in page
    latitude = re.search(rf'<input[^>]*name="c{names.index("緯度")}"[^>]*>', page)
    assert latitude is not None and 'inputmode="decimal"' in latitude.group(0)
    assert re.search(r'<label for="id_c3">名称<span class="field__required">必須</span>', page)
    assert "AED設置場所の建物等の名称を記載" in page and "例: ○○市役所" in page
    assert "<legend>所在地と位置（緯度・経度）</legend>" in page and "<legend>連絡先</legend>" in page
    assert 'name="_once"' in page
    # 所在地_全国地方公共団体コード is asked, optional, and filled in when left empty
    assert f"空欄なら下仁田町のコード（{town_a.code}）が入ります" in page


def test_fixed_value_columns_are_selects(town_a, staff_a):
    with scope(municipality=town_a):
        sites = Dataset.objects.create(municipality=town_a, kind="evacuation-sites", title="指定緊急避難場所一覧",
                                       department=Department.objects.get(name="総務課"))
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "opendata-row-new", "evacuation-sites")).content.decode()
    names = definitions.get("evacuation-sites").names
    flag = re.search(rf'<select[^>]*name="c{names.index("災害種別_地震")}"[^>]*>(.*?)</select>', page, re.S)
    assert flag is not None
    assert re.findall(r'<option value="([^"]*)"', flag.group(1)) == ["", "1"] and "該当する" in flag.group(1)
    values = form_values("evacuation-sites", town_a, ID="1", 電話番号="0274-82-2111", 災害種別_地震="1")
    response = client.post(url(town_a, "opendata-row-new", "evacuation-sites"), row_post("evacuation-sites", values))
    assert response.status_code == 302
    with scope(municipality=town_a):
        data = Row.objects.get(dataset=sites).data
        assert (data["災害種別_地震"], data["災害種別_洪水"]) == ("1", "")


def test_a_row_is_added_and_changed(town_a, staff_a, aed):
    client = factories.staff_client(staff_a)
    response = client.post(url(town_a, "opendata-row-new", "aed"),
                           row_post("aed", form_values("aed", town_a, ID="AED-9", 名称="下仁田町公民館")))
    assert response.status_code == 302 and response["Location"].endswith("#rows")
    with scope(municipality=town_a):
        row = Row.objects.get(dataset=aed)
        assert row.key == "AED-9" and row.data["全国地方公共団体コード"] == town_a.code
        assert row.data["地方公共団体名"] == "下仁田町"
    edit = client.get(url(town_a, "opendata-row", "aed", row.pk))
    assert 'value="下仁田町公民館"' in edit.content.decode()
    response = client.post(url(town_a, "opendata-row", "aed", row.pk),
                           row_post("aed", form_values("aed", town_a, ID="AED-9", 名称="下仁田町体育館")))
    assert response.status_code == 302
    with scope(municipality=town_a):
        row.refresh_from_db()
        assert row.data["名称"] == "下仁田町体育館"
        assert AuditEntry.objects.filter(action="opendata.row_changed").count() == 1


def test_a_refused_row_keeps_the_typing_with_errors_on_the_fields(town_a, staff_a, aed):
    add_row(town_a, staff_a, aed, ID="1")
    values = form_values("aed", town_a, ID="1", 名称="", 緯度="138.7886", 経度="36.2124", 備考="入力中のメモ")
    response = factories.staff_client(staff_a).post(url(town_a, "opendata-row-new", "aed"), row_post("aed", values))
    assert response.status_code == 400
    page = text(response)
    assert 'class="error-summary"' in page and "「名称」を入力してください。" in page
    assert "入力中のメモ" in page and 'value="138.7886"' in page
    names = definitions.get("aed").names
    assert f'href="#id_c{names.index("名称")}"' in page
    # the form passed; the service's refusals land on their fields
    values["名称"] = "下仁田町役場"
    response = factories.staff_client(staff_a).post(url(town_a, "opendata-row-new", "aed"), row_post("aed", values))
    assert response.status_code == 400
    page = text(response)
    assert "入れ替わっていませんか" in page and "既に使われています" in page
    assert f'href="#id_c{names.index("緯度")}"' in page and f'href="#id_c{names.index("ID")}"' in page
    with scope(municipality=town_a):
        assert Row.objects.count() == 1


def test_a_row_is_deleted_after_confirmation(town_a, staff_a, aed):
    row = add_row(town_a, staff_a, aed, ID="1", 名称="下仁田町役場")
    client = factories.staff_client(staff_a)
    confirm = client.get(url(town_a, "opendata-row-delete", "aed", row.pk))
    assert confirm.status_code == 200 and "下仁田町役場" in text(confirm) and 'name="_once"' in text(confirm)
    with scope(municipality=town_a):
        assert Row.objects.filter(pk=row.pk).exists()
    response = client.post(url(town_a, "opendata-row-delete", "aed", row.pk), {once.FIELD: once.new_token()})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert not Row.objects.filter(pk=row.pk).exists()


# Publishing ---------------------------------------------------------------------------------------------------------

def test_publishing_makes_a_version_once(town_a, staff_a, aed):
    add_row(town_a, staff_a, aed, ID="1")
    client = factories.staff_client(staff_a)
    data = {"note": "初版", once.FIELD: once.new_token()}
    response = client.post(url(town_a, "opendata-publish", "aed"), data, follow=True)
    assert "第1版として公開しました" in text(response)
    client.post(url(town_a, "opendata-publish", "aed"), data)  # the same form again
    with scope(municipality=town_a):
        version = Version.objects.get(dataset=aed)
        assert version.note == "初版" and version.origin == Origin.FORM


def test_a_refused_publication_lists_the_rows_to_fix(town_a, staff_a, aed):
    add_row(town_a, staff_a, aed, ID="1")
    with scope(municipality=town_a):
        kept = editing.publish(staff_a, aed)
        bad = Row.objects.create(municipality=town_a, dataset=aed, key="2", position=2,
                                 data=valid_row("aed", town_a, ID="2", 緯度="99"))
    response = factories.staff_client(staff_a).post(url(town_a, "opendata-publish", "aed"),
                                                    {"note": "5月の更新", once.FIELD: once.new_token()})
    assert response.status_code == 400
    page = text(response)
    assert "公開できませんでした" in page and "1 件の問題があるため公開できません" in page
    assert "直すところ（1 件）" in page and "3行目" in page and "「緯度」" in page and "日本の範囲外" in page
    assert reverse("staff:opendata-row", args=["aed", bad.pk]) in page
    assert 'value="5月の更新"' in page
    with scope(municipality=town_a):
        assert list(Version.objects.filter(dataset=aed)) == [kept]


def test_publishing_nothing_is_refused(town_a, staff_a, aed):
    response = factories.staff_client(staff_a).post(url(town_a, "opendata-publish", "aed"),
                                                    {once.FIELD: once.new_token()})
    assert response.status_code == 400 and "公開する行がありません" in text(response)


# Imports ------------------------------------------------------------------------------------------------------------

def send(client, town, kind: str, content: bytes, name: str = "aed.csv", note: str = ""):
    return client.post(url(town, "opendata-import", kind),
                       {"file": SimpleUploadedFile(name, content), "note": note, once.FIELD: once.new_token()})


def imported(client, town, response) -> tuple[Upload, str]:
    """Run the queued check, then read the upload page the import redirected to."""
    assert response.status_code == 302, response.content.decode()[:2000]
    run_worker()
    page = client.get(response["Location"])
    assert page.status_code == 200
    public_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    with scope(municipality=town):
        return Upload.objects.get(public_id=public_id), text(page)


def test_the_import_page_explains_what_is_accepted(town_a, staff_a, aed):
    page = text(factories.staff_client(staff_a).get(url(town_a, "opendata-import", "aed")))
    assert "UTF-8 または Shift_JIS" in page and "20MB" in page and "推奨データセット" in page
    assert 'enctype="multipart/form-data"' in page and 'name="_once"' in page


@pytest.mark.django_db(transaction=True)
def test_a_shift_jis_file_is_imported_and_published(town_a, staff_a, aed):
    client = factories.staff_client(staff_a)
    rows = [valid_row("aed", town_a, ID=str(i), 名称=f"下仁田町施設{i}") for i in (1, 2)]
    response = send(client, town_a, "aed", csv_text("aed", rows).encode("cp932"), note="4月の更新")
    upload, page = imported(client, town_a, response)
    assert upload.state == UploadState.PUBLISHED
    assert "公開しました" in page and "Shift_JIS" in page and "いまの定義どおり" in page
    assert reverse("opendata:download-version", args=["aed", 1, "csv"]) in page
    with scope(municipality=town_a):
        assert list(Row.objects.filter(dataset=aed).values_list("key", flat=True)) == ["1", "2"]
        assert Version.objects.get(dataset=aed).note == "4月の更新"


@pytest.mark.django_db(transaction=True)
def test_an_old_layout_file_is_mapped(town_a, staff_a, aed):
    client = factories.staff_client(staff_a)
    old = ("都道府県コード又は市区町村コード,NO,名称,住所,緯度,経度\r\n"
           f"{town_a.code},1,下仁田町役場,群馬県甘楽郡下仁田町大字下仁田682,36.2124,138.7886\r\n")
    upload, page = imported(client, town_a, send(client, town_a, "aed", old.encode("utf-8")))
    assert upload.state == UploadState.PUBLISHED and upload.legacy
    assert "推奨データセット」の列構成を、いまの列に対応づけました" in page and "UTF-8" in page
    with scope(municipality=town_a):
        assert Row.objects.get(dataset=aed).data["所在地_連結表記"] == "群馬県甘楽郡下仁田町大字下仁田682"


@pytest.mark.django_db(transaction=True)
def test_a_file_with_a_wrong_column_is_invalid(town_a, staff_a, aed):
    client = factories.staff_client(staff_a)
    upload, page = imported(client, town_a, send(client, town_a, "aed", "名前,場所\r\nA,B\r\n".encode()))
    assert upload.state == UploadState.INVALID
    assert "直すところ" in page and "何も公開していません" in page and "前の版がそのまま公開" in page


@pytest.mark.django_db(transaction=True)
def test_line_level_problems_are_listed_and_nothing_is_published(town_a, town_b, staff_a, aed):
    add_row(town_a, staff_a, aed, ID="old")
    with scope(municipality=town_a):
        kept = editing.publish(staff_a, aed)
    rows = [valid_row("aed", town_a, ID="1"),
            valid_row("aed", town_a, ID="1"),  # line 3: duplicate ID
            valid_row("aed", town_a, ID="3", 緯度="138.7886", 経度="36.2124"),  # line 4: swapped
            valid_row("aed", town_a, ID="4", 全国地方公共団体コード=town_b.code)]  # line 5: another town
    client = factories.staff_client(staff_a)
    upload, page = imported(client, town_a, send(client, town_a, "aed", csv_text("aed", rows).encode()))
    assert upload.state == UploadState.INVALID and upload.error_count == 3
    assert "直すところ（3 件）" in page
    assert re.search(r"3行目 「ID」: 「ID」が 2 行目と重複しています", page)
    assert re.search(r"4行目 「緯度」: 緯度「138.7886」と経度「36.2124」が入れ替わっていませんか", page)
    assert re.search(rf"5行目 「全国地方公共団体コード」: 全国地方公共団体コード「{town_b.code}」は", page)
    assert "何も公開していません" in page
    with scope(municipality=town_a):
        assert list(Version.objects.filter(dataset=aed)) == [kept]
        assert list(Row.objects.filter(dataset=aed).values_list("key", flat=True)) == ["old"]


def test_a_pending_upload_reloads_itself(town_a, staff_a, aed):
    client = factories.staff_client(staff_a)
    response = send(client, town_a, "aed", csv_text("aed", [valid_row("aed", town_a, ID="1")]).encode())
    page = text(client.get(response["Location"]))  # the task has not run
    assert '<meta http-equiv="refresh" content="3">' in page and "確かめています" in page
    assert "読み込み直す" in page


def test_a_too_big_file_is_refused_at_once(town_a, staff_a, aed):
    big = "ID,名称\r\n".encode() + b"x" * (21 * 1024 * 1024)
    response = send(factories.staff_client(staff_a), town_a, "aed", big, note="大きいファイル")
    assert response.status_code == 400
    page = text(response)
    assert "ファイルが大きすぎます（21MB）" in page and 'href="#id_file"' in page
    assert 'value="大きいファイル"' in page and 'aria-invalid="true"' in page
    with scope(municipality=town_a):
        assert not Upload.objects.exists()


def test_a_missing_or_wrong_file_is_refused(town_a, staff_a, aed):
    client = factories.staff_client(staff_a)
    missing = client.post(url(town_a, "opendata-import", "aed"), {once.FIELD: once.new_token()})
    assert missing.status_code == 400 and "ファイルを選んでください" in text(missing)
    wrong = send(client, town_a, "aed", b"%PDF-1.4", name="aed.pdf")
    assert wrong.status_code == 400 and "CSV（.csv）か Excel（.xlsx）" in text(wrong)


def test_the_template_is_the_definitions_header(town_a, staff_a, aed):
    response = factories.staff_client(staff_a).get(url(town_a, "opendata-template", "aed"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").strip() == ",".join(definitions.get("aed").names)


# Settings -----------------------------------------------------------------------------------------------------------

def test_the_it_admin_changes_a_datasets_settings(town_a, admin_a, staff_a_other, aed):
    client = factories.staff_client(admin_a)
    assert reverse("staff:opendata-settings", args=["aed"]) in text(client.get(url(town_a, "opendata-dataset",
                                                                                  "aed")))
    with scope(municipality=town_a):
        other = Department.objects.get(name="住民課")
    page = client.get(url(town_a, "opendata-settings", "aed"))
    assert page.status_code == 200 and "住民課" in text(page)
    bad = client.post(url(town_a, "opendata-settings", "aed"), {"title": "", "description": "入力中の説明",
                                                                  "licence": "CC0-1.0", "department": other.pk,
                                                                  once.FIELD: once.new_token()})
    assert bad.status_code == 400 and "データセット名を入力してください" in text(bad) and "入力中の説明" in text(bad)
    response = client.post(url(town_a, "opendata-settings", "aed"), {
        "title": "AED（自動体外式除細動器）の設置場所", "description": "町内のAED", "licence": "CC0-1.0",
        "department": other.pk, once.FIELD: once.new_token()})
    assert response.status_code == 302
    with scope(municipality=town_a):
        aed.refresh_from_db()
        assert (aed.title, aed.licence, aed.department) == ("AED（自動体外式除細動器）の設置場所", "CC0-1.0", other)
        assert AuditEntry.objects.filter(action="opendata.dataset_changed").exists()
        assert editing.may_edit(staff_a_other, aed)


def test_only_the_it_admin_changes_settings(town_a, staff_a, aed):
    client = factories.staff_client(staff_a)
    assert client.get(url(town_a, "opendata-settings", "aed")).status_code == 403
    assert client.post(url(town_a, "opendata-settings", "aed"), {"title": "x", "licence": "CC0-1.0",
                                                                 once.FIELD: once.new_token()}).status_code == 403
