"""The kernel's one way to act from a view: once per token, one transaction, a refusal shown where the user is."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from yakuba.kernel.refusal import NON_FIELD, Refused
from yakuba.kernel.ui import once
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary
from yakuba.kernel.ui.models import UsedFormToken

pytestmark = pytest.mark.django_db


def _post(data: dict[str, str] | None = None, path: str = "/t/10382/staff/thing/"):
    request = RequestFactory().post(path, data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(request)]


class NameForm(forms.Form):
    title = forms.CharField(label="件名")
    body = forms.CharField(label="本文", required=False)
    secret = forms.CharField(required=False, widget=forms.HiddenInput)


def test_refused_from_one_message_several_or_fields():
    assert Refused("だめです").messages == ["だめです"] and Refused("だめです").errors == {NON_FIELD: "だめです"}
    several = Refused(["一つ目", "二つ目"])
    assert several.messages == ["一つ目", "二つ目"] and str(several) == "一つ目 二つ目"
    fields = Refused({"title": "件名が長すぎます", NON_FIELD: "締切を過ぎています"})
    assert fields.errors["title"] == "件名が長すぎます"
    assert fields.messages == ["件名が長すぎます", "締切を過ぎています"]
    assert Refused([]).messages == [] and Refused([]).errors == {}


def test_act_once_does_the_action_once_per_token_and_redirects_with_the_message():
    token = once.new_token()
    calls = []
    for _ in range(2):
        request = _post({once.FIELD: token})
        response = act_once(request, lambda: calls.append(1) or "saved", done=lambda result: f"{result}しました",
                            back="/done/")
        assert response.status_code == 302 and response["Location"] == "/done/"
        said = _said(request)
    assert calls == [1]
    assert said == [("info", "この操作はすでに受け付けています。")]
    assert UsedFormToken.objects.filter(token=token).count() == 1


def test_a_refusal_rolls_the_token_back_so_the_user_can_send_again():
    token = once.new_token()

    def refuse() -> None:
        UsedFormToken.objects.create(token="written-before-the-refusal-0000")
        raise Refused({"title": "件名を入力してください"})

    request = _post({once.FIELD: token})
    response = act_once(request, refuse, done="済", back="/done/",
                        refused=lambda error: HttpResponse(error.message, status=400))
    assert response.status_code == 400 and response.content.decode() == "件名を入力してください"
    assert not UsedFormToken.objects.exists()  # neither the token nor the half-done write
    second = act_once(_post({once.FIELD: token}), lambda: "ok", done="済", back="/done/")
    assert second.status_code == 302


def test_with_a_form_the_reasons_go_on_its_fields_and_the_view_renders_it_again():
    form = NameForm({"title": "お知らせ", "body": "", "secret": "x"})
    assert form.is_valid()
    refusal = Refused({"title": "同じ件名があります", "secret": "隠れた欄の理由", NON_FIELD: "全体の理由"})
    request = _post({once.FIELD: once.new_token()})
    assert act_once(request, lambda: (_ for _ in ()).throw(refusal), done="済", back="/", form=form) is None
    assert form.errors["title"] == ["同じ件名があります"]
    assert form.non_field_errors() == ["隠れた欄の理由", "全体の理由"]
    summary = error_summary(form)
    assert summary[0] == {"id": "", "label": "", "message": "隠れた欄の理由"}
    assert {"id": "id_title", "label": "件名", "message": "同じ件名があります"} in summary


def test_without_a_form_or_page_a_refusal_is_said_and_the_user_goes_back():
    request = _post({once.FIELD: once.new_token()})
    response = act_once(request, lambda: (_ for _ in ()).throw(Refused(["一つ目", "二つ目"])), done="済",
                        back="/list/")
    assert response["Location"] == "/list/"
    assert _said(request) == [("error", "一つ目"), ("error", "二つ目")]


def test_error_summary_of_a_refusal_alone_and_of_an_invalid_form():
    assert error_summary(refused=Refused(["一つ目", "二つ目"])) == [
        {"id": "", "label": "", "message": "一つ目"}, {"id": "", "label": "", "message": "二つ目"}]
    form = NameForm({"title": "", "body": "x"})
    assert not form.is_valid()
    assert error_summary(form, labels={"title": "お知らせの件名"}) == [
        {"id": "id_title", "label": "お知らせの件名", "message": form.errors["title"][0]}]
    assert error_summary(NameForm()) == []


def test_attempt_reports_what_came_of_it():
    token = once.new_token()
    assert attempt(_post({once.FIELD: token}), lambda: 5).result == 5
    assert attempt(_post({once.FIELD: token}), lambda: 5).repeated
    refused = attempt(_post({once.FIELD: once.new_token()}), lambda: (_ for _ in ()).throw(Refused("no")))
    assert refused.refused is not None and not refused.done


def test_add_refusal_maps_a_services_field_names_to_the_forms():
    form = NameForm({"title": "x"})
    form.is_valid()
    add_refusal(form, Refused({"件名": "長すぎます"}), field_of={"件名": "title"}.get)
    assert form.errors["title"] == ["長すぎます"]


def test_several_reasons_without_fields_stay_separate_on_the_form():
    form = NameForm({"title": "x"})
    form.is_valid()
    add_refusal(form, Refused(["一つ目", "二つ目"]))
    assert form.non_field_errors() == ["一つ目", "二つ目"]
    assert [item["message"] for item in error_summary(form)] == ["一つ目", "二つ目"]


def test_a_repeated_click_goes_to_again_when_back_needs_the_result():
    token = once.new_token()
    first = act_once(_post({once.FIELD: token}), lambda: 7, done="済", back=lambda pk: f"/thing/{pk}/", again="/list/")
    assert first["Location"] == "/thing/7/"
    request = _post({once.FIELD: token})
    second = act_once(request, lambda: 8, done="済", back=lambda pk: f"/thing/{pk}/", again="/list/",
                      repeated="もう受け付けました")
    assert second["Location"] == "/list/" and _said(request) == [("info", "もう受け付けました")]


def test_field_of_also_places_a_reason_given_without_a_field():
    form = NameForm({"title": "x"})
    form.is_valid()
    add_refusal(form, Refused("読み取れません"), field_of=lambda _name: "body")
    assert form.errors["body"] == ["読み取れません"]
