"""手数料 set in a procedure's editor page: each shape of fee schedule, bad input refused with typing kept, and the fee
residents then see on the procedure page and before submitting."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from tests import factories
from yakuba.applications import fee_editor, fees
from yakuba.applications import payments as application_payments
from yakuba.applications.demo import form_data
from yakuba.applications.demo.catalogue import PROCEDURES
from yakuba.kernel.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

FORM = {"pages": [{"title": "請求", "fields": [
    {"name": "certificate", "type": "choice", "label": "証明書", "required": True,
     "options": [["juminhyo", "住民票の写し"], ["koseki", "戸籍謄本"]]},
    {"name": "count", "type": "number", "label": "通数", "required": True, "min": 1, "max": 10},
    {"name": "items", "type": "group", "label": "品目", "min_items": 1, "max_items": 5, "fields": [
        {"name": "item", "type": "choice", "label": "品目", "options": [["bicycle", "自転車"], ["futon", "布団"]]},
        {"name": "quantity", "type": "number", "label": "数量", "min": 1, "max": 10}]},
]}]}


@pytest.fixture
def procedure(town_a):
    return factories.make_procedure(town_a, slug="fees", title="手数料のある手続", department="総務課", definition=FORM)


@pytest.fixture
def admin(admin_a):
    return factories.staff_client(admin_a)


def _edit_url(town, procedure):
    return town.path_prefix + reverse("staff:applications-procedure", args=[procedure.pk])


def _entry(procedure, **fee):
    return {"title": procedure.title, "slug": procedure.slug, "department": procedure.department_id,
            "sort_order": 0, **fee}


def _schedule(town, procedure):
    with scope(municipality=town):
        procedure.refresh_from_db()
        return procedure.fee_schedule


@pytest.mark.parametrize(("inputs", "expected"), [
    ({"fee_kind": ""}, {}),
    ({"fee_kind": "free"}, {"yen": 0}),
    ({"fee_kind": "fixed", "fee_yen": "3000"}, {"yen": 3000}),
    ({"fee_kind": "unit", "fee_yen": "300", "fee_per": "count", "fee_postage": "110"},
     {"yen": 300, "per": "count", "postage": 110, "online": False}),
    ({"fee_kind": "unit", "fee_yen": "300", "fee_per": "count", "fee_postage": "110", "fee_online": "on"},
     {"yen": 300, "per": "count", "postage": 110, "online": True}),
    ({"fee_kind": "choice", "fee_choice": "certificate", "fee_prices": "住民票の写し:300\nkoseki：４５０円",
      "fee_per": "count", "fee_online": "on"},
     {"choice": "certificate", "yen": {"juminhyo": 300, "koseki": 450}, "per": "count", "online": True}),
    ({"fee_kind": "choice", "fee_choice": "items.item", "fee_prices": "自転車:500\n布団:300",
      "fee_per": "items.quantity", "fee_online": "on", "fee_tickets": "on"},
     {"group": "items", "choice": "item", "per": "quantity", "yen": {"bicycle": 500, "futon": 300},
      "online": True, "tickets": True}),
    ({"fee_kind": "fixed", "fee_yen": "500", "fee_online": "on", "fee_revenue": "13-02-03"},
     {"yen": 500, "online": True, "revenue": "13-02-03"}),
])
def test_the_editor_sets_each_shape_of_fee(town_a, admin, procedure, inputs, expected):
    response = admin.post(_edit_url(town_a, procedure), _entry(procedure, **inputs))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert _schedule(town_a, procedure) == expected
    page = admin.get(_edit_url(town_a, procedure)).content.decode()
    assert re.search(rf'name="fee_kind" value="{inputs["fee_kind"]}"[^>]*checked', page)
    with scope(municipality=town_a):
        changed = AuditEntry.objects.filter(action="applications.procedure.fee_changed", object_id=str(procedure.pk))
        assert [entry.data for entry in changed] == ([] if expected == {} else [{"from": {}, "to": expected}])


def test_the_editor_shows_a_saved_schedule_again_as_it_was_typed(town_a, admin, procedure):
    with scope(municipality=town_a):
        procedure.fee_schedule = {"group": "items", "choice": "item", "per": "quantity",
                                  "yen": {"bicycle": 500, "futon": 300}, "online": True, "tickets": True}
        procedure.save()
    page = admin.get(_edit_url(town_a, procedure)).content.decode()
    assert "自転車:500\n布団:300" in page
    assert '<option value="items.item" selected>' in page and '<option value="items.quantity" selected>' in page
    # Saving the page untouched keeps the schedule.
    inputs = {"fee_kind": "choice", "fee_choice": "items.item", "fee_prices": "自転車:500\n布団:300",
              "fee_per": "items.quantity", "fee_online": "on", "fee_tickets": "on"}
    assert admin.post(_edit_url(town_a, procedure), _entry(procedure, **inputs)).status_code == 302
    with scope(municipality=town_a):
        assert not AuditEntry.objects.filter(action="applications.procedure.fee_changed").exists()


@pytest.mark.parametrize(("inputs", "message", "kept"), [
    ({"fee_kind": "fixed", "fee_yen": ""}, "金額を入力してください。", None),
    ({"fee_kind": "fixed", "fee_yen": "-5"}, "0", 'value="-5"'),
    ({"fee_kind": "unit", "fee_yen": "300"}, "数に応じた手数料には、掛ける数の質問を選んでください。", 'value="300"'),
    ({"fee_kind": "unit", "fee_yen": "300", "fee_per": "nope"}, "正しく選択してください", 'value="300"'),
    ({"fee_kind": "choice", "fee_choice": "certificate", "fee_prices": "冷蔵庫:500"},
     "「冷蔵庫」は「証明書」の選択肢にありません。", "冷蔵庫:500"),
    ({"fee_kind": "choice", "fee_choice": "certificate", "fee_prices": "住民票の写し 300"},
     "1行に1つ「選択肢:金額」の形で入力してください。", "住民票の写し 300"),
    ({"fee_kind": "choice", "fee_choice": "certificate", "fee_prices": "住民票の写し:300\njuminhyo:200"},
     "の金額が2回入力されています。", "juminhyo:200"),
    ({"fee_kind": "choice", "fee_choice": "certificate", "fee_prices": ""},
     "選択肢ごとの金額を1つ以上入力してください。", None),
    ({"fee_kind": "choice", "fee_choice": "items.item", "fee_prices": "自転車:500", "fee_per": "count"},
     "掛ける数の質問は、選択肢の質問と同じくり返し入力の中から選んでください。", "自転車:500"),
    ({"fee_kind": "fixed", "fee_yen": "500", "fee_tickets": "on"},
     "処理券を発行するには、「オンラインで支払える」も選んでください。", 'value="500"'),
    ({"fee_kind": "", "fee_postage": "110"},
     "郵送料やオンラインでの支払いを設定するときは、手数料の決め方を選んでください。", 'value="110"'),
    ({"fee_kind": "fixed", "fee_yen": "500", "fee_revenue": "99-99-99"},  # a code no app registered
     "正しく選択してください", 'value="500"'),
])
def test_the_editor_refuses_a_bad_fee_with_a_message_and_keeps_the_typing(town_a, admin, procedure, inputs,
                                                                           message, kept):
    with scope(municipality=town_a):
        procedure.fee_schedule = {"yen": 100}
        procedure.save()
    response = admin.post(_edit_url(town_a, procedure), _entry(procedure, **inputs))
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and "入力内容に問題があります" in page
    if kept:
        assert kept in page
    assert _schedule(town_a, procedure) == {"yen": 100}


def test_residents_see_the_fee_on_the_procedure_page_and_before_submitting(town_a, resident_a, procedure):
    from yakuba.applications import services

    with scope(municipality=town_a):
        procedure.fee = "1点につき品目ごとの手数料"
        procedure.fee_schedule = {"group": "items", "choice": "item", "per": "quantity",
                                  "yen": {"bicycle": 500, "futon": 300}, "online": True, "tickets": True}
        procedure.save()
    client = Client()
    page = client.get(town_a.path_prefix + reverse("applications:procedure", args=[procedure.slug])).content.decode()
    assert "自転車: 500円" in page and "布団: 300円" in page and "それぞれ「数量」の数を掛けた金額です。" in page
    assert "申請のあと、手数料をオンラインで支払えます。" in page and "処理券番号をお知らせします" in page
    with scope(municipality=town_a):
        draft = services.start_draft(procedure, resident_a)
        services.save_page(draft, 0, {"certificate": "juminhyo", "count": "1", "items": [
            {"item": "bicycle", "quantity": "2"}, {"item": "futon", "quantity": "1"}]})
    client.force_login(resident_a.user)
    check = client.get(town_a.path_prefix + reverse("applications:check", args=[draft.public_id]))
    assert check.status_code == 200
    assert "1,300円" in check.content.decode() and "オンラインで支払えます" in check.content.decode()


def test_fee_types_count_the_procedures_payable_online(town_a):
    for slug, schedule in [("postal", {"yen": 300, "per": "count", "postage": 110}),  # older data: postal = online
                           ("gomi", {"yen": 500, "online": True}), ("counter", {"yen": 3000}),
                           ("postal-by-order", {"yen": 300, "postage": 110, "online": False}),
                           ("free", {"yen": 0}), ("unset", {})]:
        factories.make_procedure(town_a, slug=slug, fee_schedule=schedule)
    kind = application_payments.payments.kind_of(application_payments.SUBMISSION)
    with scope(municipality=town_a):
        assert kind is not None and kind.fee_types is not None and kind.fee_types() == (2, 4)


def test_fee_schedules_with_groups_online_and_tickets():
    schedule = {"group": "items", "choice": "item", "per": "quantity", "yen": {"bicycle": 500, "futon": 300},
                "online": True, "tickets": True}
    fees.check_schedule(schedule)
    rows = {"items": [{"item": "bicycle", "quantity": 2}, {"item": "futon", "quantity": 1}]}
    assert fees.amount(schedule, rows) == 1300 and fees.units(schedule, rows) == 3
    assert fees.amount(schedule, {"items": [{"item": "sofa", "quantity": 1}]}) is None  # no price: staff tell
    assert fees.amount(schedule, {}) is None
    assert fees.items(schedule, rows) == [("bicycle", 2, 1000), ("futon", 1, 300)]
    assert fees.items({"choice": "c", "yen": {"a": 1}}, {"c": ""}) == [] and fees.items({"yen": 5}, {}) == []
    assert fees.fields(schedule) == ["items", "items.item", "items.quantity"]
    assert fees.payable_online(schedule) and fees.payable_online({"yen": 300, "postage": 110})
    assert not fees.payable_online({"yen": 300, "postage": 110, "online": False})
    assert not fees.payable_online({"yen": 300}) and not fees.payable_online({})
    for bad in ({"yen": 500, "tickets": True}, {"yen": 500, "online": "yes"}, {"yen": 500, "group": "items"},
                {"yen": 500, "group": 3, "per": "n"}, {"yen": 500, "revenue": ""}, {"yen": 500, "revenue": 7}):
        with pytest.raises(fees.ScheduleError):
            fees.check_schedule(bad)


def test_the_demo_sodai_gomi_prices_every_item_of_its_form_and_is_paid_online():
    item = next(p for p in PROCEDURES if p.slug == "sodai-gomi")
    fees.check_schedule(item.fee_schedule)
    known = fee_editor.questions([form_data(item.form)])
    assert all(name in known or name == "items" for name in fees.fields(item.fee_schedule))
    options = {value for value, _label in known["items.item"].options}
    assert options == set(item.fee_schedule["yen"]) and fees.payable_online(item.fee_schedule)
    assert item.fee_schedule["tickets"] is True and "店" not in item.documents.replace("処理券番号", "")
