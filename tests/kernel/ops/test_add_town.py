import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yakuba.kernel.tenancy.models import Municipality


@pytest.mark.django_db
def test_add_town_with_a_host(client):
    out = io.StringIO()
    call_command("add_town", "１０３８２９", "下仁田町", "しもにたまち", "群馬県", "--host", "Shimonita.Example.JP",
                 stdout=out)
    assert "/t/10382/" in out.getvalue()
    town = Municipality.objects.get(code="103829")
    assert list(town.hosts.values_list("host", flat=True)) == ["shimonita.example.jp"]
    assert client.get("/", HTTP_HOST="shimonita.example.jp").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code, message", [("103820", "検査数字"), ("1038", "6桁"), ("103829x", "6桁")])
def test_add_town_refuses_bad_codes(code, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_town", code, "下仁田町", "しもにたまち", "群馬県")
    assert not Municipality.objects.exists()


@pytest.mark.django_db
def test_add_town_refuses_an_unknown_prefecture():
    with pytest.raises(CommandError, match="prefecture"):
        call_command("add_town", "103829", "下仁田町", "しもにたまち", "群馬")
