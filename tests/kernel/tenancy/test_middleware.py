import pytest
from django.urls import get_script_prefix
from django_scopes import ScopeError, scope, scopes_disabled

from tests import factories
from yakuba.kernel.accounts.models import Department, Resident
from yakuba.kernel.tenancy.models import MunicipalityHost


def test_town_home_by_path_prefix(client, town_a):
    factories.make_department(town_a, "総務課")
    response = client.get("/t/10382/")
    assert response.status_code == 200
    assert "下仁田町" in response.content.decode()
    assert response.wsgi_request.municipality == town_a
    # reverse() inside the request produced prefixed links
    assert 'href="/t/10382/accounts/login/"' in response.content.decode()
    assert get_script_prefix() == "/"  # restored after the request


def test_six_digit_code_in_the_prefix_works_too(client, town_a):
    assert client.get("/t/103829/").status_code == 200


def test_prefix_without_trailing_slash_redirects(client, town_a):
    response = client.get("/t/10382")
    assert response.status_code == 302
    assert response["Location"] == "/t/10382/"


def test_town_home_by_host_name(client, town_a):
    MunicipalityHost.objects.create(municipality=town_a, host="Shimonita.Example.JP")
    response = client.get("/", HTTP_HOST="shimonita.example.jp")
    assert response.status_code == 200
    assert response.wsgi_request.municipality == town_a
    assert 'href="/accounts/login/"' in response.content.decode()


def test_unknown_host_gets_a_japanese_404(client, town_a):
    response = client.get("/", HTTP_HOST="unknown.example.jp")
    assert response.status_code == 404
    assert "unknown.example.jp" in response.content.decode()
    assert "登録されていません" in response.content.decode()


def test_unknown_code_and_bad_check_digit_get_clear_messages(client, town_a):
    response = client.get("/t/99999/")
    assert response.status_code == 404
    assert "登録されていません" in response.content.decode()
    response = client.get("/t/103820/")
    assert response.status_code == 404
    assert "検査数字が正しくありません" in response.content.decode()


def test_inactive_town_is_not_served(client, town_a):
    town_a.is_active = False
    town_a.save()
    assert client.get("/t/10382/").status_code == 404


def test_platform_index_lists_towns(client, town_a, town_b):
    response = client.get("/")
    assert response.status_code == 200
    assert "/t/10382/" in response.content.decode()
    assert "/t/10384/" in response.content.decode()


def test_tenant_query_outside_a_scope_raises(town_a):
    factories.make_department(town_a)
    with pytest.raises(ScopeError):
        list(Department.objects.all())
    with pytest.raises(ScopeError):
        Resident.objects.filter(family_name="山田").count()


def test_scoped_query_sees_only_its_own_town(town_a, town_b):
    factories.make_resident(town_a, family_name="下仁田")
    factories.make_resident(town_b, family_name="甘楽")
    with scope(municipality=town_a):
        assert [r.family_name for r in Resident.objects.all()] == ["下仁田"]
    with scope(municipality=town_b):
        assert [r.family_name for r in Resident.objects.all()] == ["甘楽"]
    with scopes_disabled():
        assert Resident.objects.count() == 2


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
