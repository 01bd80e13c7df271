"""The no-code form editor and the catalogue entry through HTTP: building, editing, previewing, moving forms."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from tests import factories
from yakuba.applications import editor
from yakuba.applications.models import FormVersion, Procedure, Submission
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.forms.definition import FormDefinition

pytestmark = pytest.mark.django_db


def url(town, name, *args):
    return factories.town_url(town, reverse(f"staff:{name}", args=args))


def draft_of(procedure):
    with scope(municipality=procedure.municipality):
        return FormVersion.objects.get(procedure=procedure, published_at__isnull=True).definition


def names(definition):
    return [f["name"] for page in definition["pages"] for f in page["fields"]]


@pytest.fixture
def procedure(town_a):
    return factories.make_procedure(town_a, slug="dog", title="犬の登録", department="総務課")


@pytest.fixture
def admin(admin_a):
    return factories.staff_client(admin_a)


def add_field(client, town, procedure, page, kind, label=""):
    client.get(url(town, "applications-form", procedure.pk))  # opens the draft
    before = set(names(draft_of(procedure)))
    response = client.post(url(town, "applications-form-field-new", procedure.pk, page), {"type": kind, "label": label})
    assert response.status_code == 302, response.content.decode()[:500]
    (name,) = set(names(draft_of(procedure))) - before
    assert response["Location"].endswith(reverse("staff:applications-form-field", args=[procedure.pk, name]))
    return name


# Catalogue entry ----------------------------------------------------------------------------------------------

def test_admin_creates_a_procedure_then_lands_in_the_editor(town_a, admin, admin_a):
    response = admin.get(url(town_a, "applications-procedure-new"))
    assert response.status_code == 200 and "手続を作る" in response.content.decode()
    with scope(municipality=town_a):
        department = factories.make_department(town_a, "総務課")
        shared = factories.make_department(town_a, "住民課")
    response = admin.post(url(town_a, "applications-procedure-new"), {
        "title": "犬の死亡届", "slug": "dog-death", "summary": "犬が死んだとき", "department": department.pk,
        "shared_with": [shared.pk], "sort_order": 3, "processing_days": 5})
    with scope(municipality=town_a):
        created = Procedure.objects.get(slug="dog-death")
        assert list(created.shared_with.all()) == [shared]
        assert created.current_form is None
        assert AuditEntry.objects.filter(action="applications.procedure.created").count() == 1
    assert response["Location"] == url(town_a, "applications-form", created.pk)
    page = admin.get(url(town_a, "applications-form", created.pk))
    assert page.status_code == 200
    assert "申請者の氏名" in page.content.decode() and "まだ様式を公開していません" in page.content.decode()


def test_catalogue_entry_refuses_a_used_slug_and_keeps_what_was_typed(town_a, admin, procedure):
    other = factories.make_procedure(town_a, slug="seal", title="印鑑登録")
    response = admin.post(url(town_a, "applications-procedure", other.pk), {
        "title": "印鑑登録（変更）", "slug": "dog", "department": other.department_id, "sort_order": 0})
    assert response.status_code == 400
    html = response.content.decode()
    assert "このURL名はすでにほかの手続で使われています。" in html and "印鑑登録（変更）" in html
    ok = admin.post(url(town_a, "applications-procedure", other.pk), {
        "title": "印鑑登録（変更）", "slug": "seal", "department": other.department_id, "sort_order": 0})
    assert ok.status_code == 302
    with scope(municipality=town_a):
        other.refresh_from_db()
        assert other.title == "印鑑登録（変更）"


def test_approver_keeps_the_procedure_in_their_department(town_a, procedure):
    approver = factories.make_staff(town_a, department="総務課", role=Role.APPROVER)
    client = factories.staff_client(approver)
    with scope(municipality=town_a):
        elsewhere = factories.make_department(town_a, "住民課")
    response = client.post(url(town_a, "applications-procedure", procedure.pk), {
        "title": "犬の登録", "slug": "dog", "department": elsewhere.pk, "sort_order": 0})
    assert response.status_code == 400
    with scope(municipality=town_a):
        procedure.refresh_from_db()
        assert procedure.department.name == "総務課"


# Building a form ----------------------------------------------------------------------------------------------

def test_every_question_type_can_be_added_and_edited(town_a, admin, procedure):
    assert admin.get(url(town_a, "applications-form", procedure.pk)).status_code == 200
    added = {kind: add_field(admin, town_a, procedure, 1, kind, f"{kind}の質問") for kind in editor.TYPE_LABELS}
    definition = draft_of(procedure)
    assert FormDefinition.from_dict(definition).pages[1].fields[-1].name == added["group"]
    assert names(definition)[:7] == names(factories.SIMPLE_FORM)  # existing questions keep their names
    for kind, name in added.items():
        page = admin.get(url(town_a, "applications-form-field", procedure.pk, name))
        assert page.status_code == 200, kind
        assert f"{kind}の質問" in page.content.decode()
    choice = editor.find_field(definition, added["choice"])
    assert choice["options"] == [["option_1", "選択肢1"], ["option_2", "選択肢2"]]
    assert editor.find_field(definition, added["group"])["fields"][0]["type"] == "text"
    html = admin.get(url(town_a, "applications-form", procedure.pk)).content.decode()
    assert "選択肢から1つ選ぶ" in html and "くり返し入力（家族など）" in html
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="applications.form.edited").count() == len(added)


def test_editing_a_choice_keeps_option_values_and_sets_limits(town_a, admin, procedure):
    name = add_field(admin, town_a, procedure, 0, "choice", "受け取り方法")
    response = admin.post(url(town_a, "applications-form-field", procedure.pk, name), {
        "label": "受け取り方法（変更）", "help_text": "どちらか選んでください", "required": "on",
        "options": "option_1:窓口で受け取る\n郵送\nmail:メールで受け取る", "condition_field": ""})
    assert response.status_code == 302
    item = editor.find_field(draft_of(procedure), name)
    assert item["label"] == "受け取り方法（変更）" and item["help_text"] == "どちらか選んでください"
    assert item["options"] == [["option_1", "窓口で受け取る"], ["option_3", "郵送"], ["mail", "メールで受け取る"]]
    # The textarea shows values, so editing a label again keeps the value old answers hold.
    page = admin.get(url(town_a, "applications-form-field", procedure.pk, name)).content.decode()
    assert "option_1:窓口で受け取る" in page
    number = add_field(admin, town_a, procedure, 1, "money", "手数料")
    admin.post(url(town_a, "applications-form-field", procedure.pk, number),
               {"label": "手数料", "min": "0", "max": "5000"})
    assert editor.find_field(draft_of(procedure), number)["max"] == 5000
    bad = admin.post(url(town_a, "applications-form-field", procedure.pk, number),
                     {"label": "手数料", "required": "on", "min": "9000", "max": "5000"})
    assert bad.status_code == 400 and "最小値は最大値以下にしてください。" in bad.content.decode()
    empty = admin.post(url(town_a, "applications-form-field", procedure.pk, name), {"label": " ", "options": "a"})
    assert empty.status_code == 400 and "error-summary" in empty.content.decode()
    duplicate = admin.post(url(town_a, "applications-form-field", procedure.pk, name),
                           {"label": "受け取り方法", "options": "a:窓口\na:郵送"})
    assert duplicate.status_code == 400 and "選択肢の値「a」が重複しています。" in duplicate.content.decode()
    assert "a:窓口\na:郵送" in duplicate.content.decode().replace("\r\n", "\n")  # what was typed is kept


def test_condition_is_set_by_label_and_protects_its_source(town_a, admin, procedure):
    answer = add_field(admin, town_a, procedure, 1, "text", "犬種の詳細")
    response = admin.post(url(town_a, "applications-form-field", procedure.pk, answer), {
        "label": "犬種の詳細", "required": "on", "condition_field": "breed", "condition_equals": "雑種、その他"})
    assert response.status_code == 302
    assert editor.find_field(draft_of(procedure), answer)["condition"] == {"field": "breed",
                                                                           "equals": ["mixed", "other"]}
    html = admin.get(url(town_a, "applications-form", procedure.pk)).content.decode()
    assert "「犬種」が「雑種、その他」のときだけ表示" in html
    wrong = admin.post(url(town_a, "applications-form-field", procedure.pk, answer), {
        "label": "犬種の詳細", "condition_field": "breed", "condition_equals": "秋田犬"})
    assert wrong.status_code == 400 and "「秋田犬」は「犬種」の選択肢にありません。" in wrong.content.decode()
    # Deleting the source, or the option a condition uses, is refused with the reason.
    refused = admin.post(url(town_a, "applications-form-field-delete", procedure.pk, "breed"))
    assert refused.status_code == 400
    assert "「犬種（その他）」「犬種の詳細」の表示条件にこの質問が使われているため" in refused.content.decode()
    assert "breed" in names(draft_of(procedure))
    options = admin.post(url(town_a, "applications-form-field", procedure.pk, "breed"),
                         {"label": "犬種", "options": "shiba:柴犬\nother:その他"})
    assert options.status_code == 400
    assert "選択肢「雑種」は「犬種の詳細」の表示条件に使われている" in options.content.decode()
    # Moving a question above the one its condition reads is refused too.
    admin.post(url(town_a, "applications-form-field", procedure.pk, answer), {"label": "犬種の詳細"})
    moved = admin.post(url(town_a, "applications-form-field-move", procedure.pk, "breed_other"), {"step": "-1"})
    assert moved.status_code == 400 and "より後に置く必要があります" in moved.content.decode()


def test_questions_and_pages_move_and_delete(town_a, admin, procedure):
    assert admin.get(url(town_a, "applications-form", procedure.pk)).status_code == 200
    admin.post(url(town_a, "applications-form-field-move", procedure.pk, "address"), {"step": "-1"})
    assert names(draft_of(procedure))[:3] == ["address", "applicant_name", "phone"]
    # Past the page's end a question goes to the next page.
    admin.post(url(town_a, "applications-form-field-move", procedure.pk, "phone"), {"step": "1"})
    definition = draft_of(procedure)
    assert [f["name"] for f in definition["pages"][1]["fields"]][0] == "phone"
    admin.post(url(town_a, "applications-form-field-move", procedure.pk, "phone"), {"page": "0"})
    assert draft_of(procedure)["pages"][0]["fields"][-1]["name"] == "phone"
    response = admin.post(url(town_a, "applications-form-page-new", procedure.pk), {"title": "確認事項"})
    assert response.status_code == 302
    assert [p["title"] for p in draft_of(procedure)["pages"]] == ["申請者", "犬について", "確認事項"]
    admin.post(url(town_a, "applications-form-page-move", procedure.pk, 2), {"step": "-1"})
    assert [p["title"] for p in draft_of(procedure)["pages"]] == ["申請者", "確認事項", "犬について"]
    assert admin.get(url(town_a, "applications-form-page", procedure.pk, 1)).status_code == 200
    admin.post(url(town_a, "applications-form-page", procedure.pk, 1), {"title": "同意"})
    assert draft_of(procedure)["pages"][1]["title"] == "同意"
    empty_title = admin.post(url(town_a, "applications-form-page-new", procedure.pk), {"title": ""})
    assert empty_title.status_code == 400 and "ページの名前を入力してください。" in empty_title.content.decode()
    assert admin.get(url(town_a, "applications-form-page-delete", procedure.pk, 1)).status_code == 200
    assert admin.post(url(town_a, "applications-form-page-delete", procedure.pk, 1)).status_code == 302
    assert len(draft_of(procedure)["pages"]) == 2
    assert admin.get(url(town_a, "applications-form-field-delete", procedure.pk, "photo")).status_code == 200
    admin.post(url(town_a, "applications-form-field-delete", procedure.pk, "photo"))
    assert "photo" not in names(draft_of(procedure))
    last_page = admin.post(url(town_a, "applications-form-page-delete", procedure.pk, 5))
    assert last_page.status_code == 404


def test_group_items_are_added_edited_moved_and_kept_non_empty(town_a, admin, procedure):
    group = add_field(admin, town_a, procedure, 1, "group", "家族")
    response = admin.post(url(town_a, "applications-form-subfield-new", procedure.pk, group),
                          {"type": "date", "label": "生年月日"})
    assert response.status_code == 302
    item = editor.find_field(draft_of(procedure), group)
    assert [f["name"] for f in item["fields"]] == ["text_1", "date_1"]
    page = admin.get(url(town_a, "applications-form-subfield", procedure.pk, group, "date_1"))
    assert page.status_code == 200 and "住民の登録情報から自動で入れる" not in page.content.decode()
    admin.post(url(town_a, "applications-form-subfield", procedure.pk, group, "text_1"), {"label": "氏名"})
    admin.post(url(town_a, "applications-form-field", procedure.pk, group),
               {"label": "家族", "required": "on", "max_items": "5", "item_label": "{n}人目"})
    admin.post(url(town_a, "applications-form-subfield-move", procedure.pk, group, "date_1"), {"step": "-1"})
    item = editor.find_field(draft_of(procedure), group)
    assert [f["label"] for f in item["fields"]] == ["生年月日", "氏名"]
    assert item["max_items"] == 5 and item["item_label"] == "{n}人目"
    admin.post(url(town_a, "applications-form-subfield-delete", procedure.pk, group, "date_1"))
    refused = admin.post(url(town_a, "applications-form-subfield-delete", procedure.pk, group, "text_1"))
    assert refused.status_code == 400 and "くり返し入力には項目が1つ以上必要です。" in refused.content.decode()
    assert admin.get(url(town_a, "applications-form-subfield", procedure.pk, group, "nope")).status_code == 404


def test_the_same_click_adds_one_question(town_a, admin, procedure):
    admin.get(url(town_a, "applications-form", procedure.pk))
    token = "k" * 32
    for _ in range(2):
        admin.post(url(town_a, "applications-form-field-new", procedure.pk, 0), {"type": "text", "_once": token})
    assert names(draft_of(procedure)).count("text_1") == 1 and "text_2" not in names(draft_of(procedure))


# Preview, export, import, publish -----------------------------------------------------------------------------

def test_preview_renders_as_residents_see_it_and_validates_without_saving(town_a, admin, procedure):
    response = admin.get(url(town_a, "applications-form-preview", procedure.pk, 1))
    html = response.content.decode()
    assert response.status_code == 200 and "プレビュー" in html
    assert 'name="dog_name"' in html and "柴犬" in html and 'type="file"' in html
    wrong = admin.post(url(town_a, "applications-form-preview", procedure.pk, 1), {"dog_name": "", "breed": "shiba"})
    assert wrong.status_code == 400
    assert "error-summary" in wrong.content.decode() and 'value="shiba" checked' in wrong.content.decode()
    right = admin.post(url(town_a, "applications-form-preview", procedure.pk, 1), {
        "dog_name": "ポチ", "breed": "shiba", "photo": SimpleUploadedFile("pochi.png", b"x", "image/png")})
    assert right.status_code == 200 and "このページの入力内容に問題はありません" in right.content.decode()
    assert admin.get(url(town_a, "applications-form-preview", procedure.pk, 9)).status_code == 404
    with scope(municipality=town_a):
        assert not Submission.objects.exists()


def test_export_then_import_round_trips(town_a, admin, procedure):
    add_field(admin, town_a, procedure, 0, "multi_choice", "連絡方法")
    exported = admin.get(url(town_a, "applications-form-export", procedure.pk))
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/json")
    assert "dog-v2.json" in exported["Content-Disposition"]
    data = json.loads(exported.content)
    published = json.loads(admin.get(url(town_a, "applications-form-export", procedure.pk) + "?version=1").content)
    assert published == {**factories.SIMPLE_FORM, "title": "犬の登録"}
    assert admin.get(url(town_a, "applications-form-export", procedure.pk) + "?version=7").status_code == 404
    target = factories.make_procedure(town_a, slug="cat", title="猫")
    assert admin.get(url(town_a, "applications-form-import", target.pk)).status_code == 200
    response = admin.post(url(town_a, "applications-form-import", target.pk),
                          {"text": json.dumps(data, ensure_ascii=False)})
    assert response.status_code == 302
    assert draft_of(target) == {**data, "version": 2}
    upload = SimpleUploadedFile("form.json", json.dumps(published).encode(), "application/json")
    assert admin.post(url(town_a, "applications-form-import", target.pk), {"file": upload}).status_code == 302
    assert draft_of(target) == {**published, "version": 2}


def test_import_shows_what_is_wrong_and_keeps_the_text(town_a, admin, procedure):
    broken = json.dumps({"title": "x", "version": 1, "pages": [{"title": "p", "fields": [
        {"name": "a", "type": "text", "label": "A"}, {"name": "a", "type": "text", "label": "B"}]}]})
    response = admin.post(url(town_a, "applications-form-import", procedure.pk), {"text": broken})
    html = response.content.decode()
    assert response.status_code == 400
    assert "様式の定義に誤りがあります" in html and "duplicate field name" in html
    assert "&quot;pages&quot;" in html  # the pasted text is still in the textarea
    not_json = admin.post(url(town_a, "applications-form-import", procedure.pk), {"text": "{nope"})
    assert not_json.status_code == 400 and "JSONとして読み取れません" in not_json.content.decode()
    upload = SimpleUploadedFile("form.json", broken.encode(), "application/json")
    from_file = admin.post(url(town_a, "applications-form-import", procedure.pk), {"file": upload})
    assert from_file.status_code == 400 and "&quot;pages&quot;" in from_file.content.decode()
    nothing = admin.post(url(town_a, "applications-form-import", procedure.pk), {"text": ""})
    assert nothing.status_code == 400 and "JSONを貼り付けるか" in nothing.content.decode()


def test_publishing_makes_a_new_version_and_old_submissions_keep_theirs(town_a, admin, procedure, resident_a):
    submission = factories.make_submission(procedure, resident_a)
    name = add_field(admin, town_a, procedure, 1, "consent", "")
    editor_page = admin.get(url(town_a, "applications-form", procedure.pk)).content.decode()
    assert "公開中の様式から変更があります" in editor_page
    assert admin.get(url(town_a, "applications-form-publish", procedure.pk)).status_code == 405
    response = admin.post(url(town_a, "applications-form-publish", procedure.pk))
    assert response.status_code == 302
    with scope(municipality=town_a):
        procedure.refresh_from_db()
        submission.refresh_from_db()
        assert procedure.current_form.version == 2
        assert name in {f.name for f in procedure.current_form.form.all_fields()}
        assert submission.form_version.version == 1
        assert name not in {f.name for f in submission.form_version.form.all_fields()}
    follow = admin.get(url(town_a, "applications-form", procedure.pk)).content.decode()
    assert "第2版を公開しました" in follow and "公開中の様式と同じ内容です" in follow
    assert "第1版" in follow and "第3版" in follow  # the version list, and the new draft


# Who may edit -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("view, args", [
    ("applications-form", ()), ("applications-procedure", ()), ("applications-form-preview", (0,)),
    ("applications-form-import", ()), ("applications-form-export", ()), ("applications-form-field", ("breed",)),
])
def test_only_admins_and_the_departments_approver_may_edit(town_a, procedure, staff_a, view, args):
    other_approver = factories.make_staff(town_a, department="住民課", role=Role.APPROVER)
    own_approver = factories.make_staff(town_a, department="総務課", role=Role.APPROVER)
    target = url(town_a, view, procedure.pk, *args)
    assert factories.staff_client(staff_a).get(target).status_code == 403
    assert factories.staff_client(other_approver).get(target).status_code == 403
    assert factories.staff_client(own_approver).get(target).status_code == 200


def test_other_departments_approver_cannot_change_anything(town_a, procedure):
    other_approver = factories.staff_client(factories.make_staff(town_a, department="住民課", role=Role.APPROVER))
    response = other_approver.post(url(town_a, "applications-form-field-new", procedure.pk, 0), {"type": "text"})
    assert response.status_code == 403
    assert other_approver.post(url(town_a, "applications-form-publish", procedure.pk)).status_code == 403
    assert other_approver.get(url(town_a, "applications-procedure-new")).status_code == 403
    with scope(municipality=town_a):
        assert not FormVersion.objects.filter(published_at__isnull=True).exists()


def test_other_town_sees_nothing(town_a, town_b, procedure, staff_b):
    assert factories.staff_client(staff_b).get(url(town_a, "applications-form", procedure.pk)).status_code == 403
    foreign = factories.make_procedure(town_b, slug="dog")
    admin_a = factories.staff_client(factories.make_staff(town_a, role=Role.ADMIN))
    assert admin_a.get(url(town_a, "applications-form", foreign.pk)).status_code == 404
    assert admin_a.get(url(town_a, "applications-procedure", foreign.pk)).status_code == 404
