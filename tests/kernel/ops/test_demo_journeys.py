"""Every staff journey the README's demo walkthrough names works for the clerk it names: the page is not empty.

JOURNEYS mirrors README.md (「Trying the demo」 and the systems table's 「try it」 column); change both together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from tests import factories
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.tenancy.models import Municipality

# (journey, clerk, staff URL name, query, what must not be empty in the page's context)
JOURNEYS: list[tuple[str, str, str, str, Callable[[Any], bool]]] = [
    ("申請の処理", "fukushi@shimonita.demo", "staff:applications-queue", "",
     lambda c: c["page"].paginator.count > 0),
    ("申請の処理（住民税務課）", "juumin@shimonita.demo", "staff:applications-queue", "",
     lambda c: c["page"].paginator.count > 0),
    ("予約の管理", "kyouiku@shimonita.demo", "staff:reservations-day", "", lambda c: len(c["groups"]) > 0),
    ("お知らせの配信", "soumu@shimonita.demo", "staff:notices", "", lambda c: len(c["rows"]) > 0),
    ("避難所の状況", "soumu@shimonita.demo", "staff:shelters", "", lambda c: len(c["items"]) > 0 and c["may_edit"]),
    ("DX推進計画 今年度の課のやること", "soumu@shimonita.demo", "staff:plan-todo", "",
     lambda c: len(c["items"]) > 0),
    ("オープンデータ", "soumu@shimonita.demo", "staff:opendata", "", lambda c: len(c["items"]) > 0),
    ("例規・文書検索", "soumu@shimonita.demo", "staff:assistant-search", "?q=公民館の使用料の減免&kind=legal",
     lambda c: c["result"] is not None and len(c["result"].hits) > 0),
    ("職員用トップ（今日の仕事）", "soumu@shimonita.demo", "staff:dashboard", "",
     lambda c: len(c["sections"]) > 0),
    ("電子決裁 代決できる起案", "kacho@shimonita.demo", "staff:approvals-inbox", "",
     lambda c: len(c["deputising"]) > 0),
    ("収受簿", "kensetsu@shimonita.demo", "staff:approvals-incoming", "", lambda c: c["page"].paginator.count > 0),
    ("文書分類表", "kacho@shimonita.demo", "staff:approvals-classes", "",
     lambda c: c["page"].paginator.count > 0 and c["may_manage"]),
    ("保存期間満了", "kacho@shimonita.demo", "staff:approvals-retention", "", lambda c: len(c["volumes"]) > 0),
    ("収納日報", "kaikei@shimonita.demo", "staff:payments-daily", "", lambda c: c["provider"] == "fake"),
    ("災害モード", "kacho@shimonita.demo", "staff:disaster", "", lambda c: c["may_switch"]),
    ("勤怠 上限に近い時間外", "soumu@shimonita.demo", "staff:attendance-today", "",
     lambda c: len(c["near"]) > 0 and c["balance"] is not None),
    ("課の勤怠", "kacho@shimonita.demo", "staff:attendance-department", "", lambda c: len(c["near"]) > 0),
    ("全庁の月次締め", "kacho@shimonita.demo", "staff:attendance-town", "", lambda c: len(c["rows"]) > 0),
    ("打刻端末", "kacho@shimonita.demo", "staff:attendance-devices", "", lambda c: len(c["devices"]) > 0),
    ("勤務パターン", "kacho@shimonita.demo", "staff:attendance-patterns", "", lambda c: len(c["patterns"]) > 0),
]


@pytest.mark.parametrize(("journey", "email", "name", "query", "filled"), JOURNEYS, ids=[j[0] for j in JOURNEYS])
def test_the_named_clerk_sees_a_non_empty_page(demo_for_module, db, journey, email, name, query, filled):
    with scopes_disabled():
        staff = Staff.objects.select_related("user").get(user__email=email)
        town = Municipality.objects.get(code="103829")
    response = factories.staff_client(staff).get(factories.town_url(town, reverse(name)) + query)
    assert response.status_code == 200, journey
    assert filled(response.context), f"{journey}: {email} sees an empty page"


def test_every_department_of_every_demo_town_has_a_clerk(demo_for_module, db):
    from yakuba.kernel.accounts.models import Department, Role

    with scopes_disabled():
        for department in Department.objects.select_related("municipality"):
            clerks = Staff.objects.filter(department=department, role=Role.STAFF, is_active=True)
            assert clerks.exists(), f"{department.municipality} {department} has no demo clerk"
