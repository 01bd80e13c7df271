"""Search of kept documents: by a word found only inside a scan's OCR text, by number, 件名, dates, 課 and kind, one
town's documents only, paginated."""

from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scope

from tests import factories
from tests.approvals.filing_support import make_class
from yakuba.approvals.models import DocumentKind
from yakuba.approvals.services import search
from yakuba.approvals.services.filing import file_record


def _keep(town, department, number, title, text, dated=date(2026, 6, 1), kind=DocumentKind.DECIDED_PAPER,
          code="01-05-03"):
    with scope(municipality=town):
        return file_record(kind=kind, title=title, department=factories.make_department(town, department),
                           document_class=make_class(town, code), dated=dated, actor=None, number=number, text=text)


@pytest.fixture
def kept(town_a, town_b):
    return {
        "letter": _keep(town_a, "建設水道課", "R8収受第3号", "要望書", "町道三号線の馬山橋付近の舗装",
                        kind=DocumentKind.RECEIVED),
        "contract": _keep(town_a, "総務課", "下総第10号", "業務委託契約の締結について", "庁舎清掃の委託",
                          dated=date(2026, 4, 10)),
        "old": _keep(town_a, "総務課", "下総第5号", "馬山地区の照会（回答）", "回答します", dated=date(2025, 5, 1)),
        "other_town": _keep(town_b, "総務課", "甘総第1号", "甘楽の文書", "馬山橋の話"),
    }


@pytest.mark.django_db
def test_a_word_only_inside_the_scanned_text_finds_the_letter(town_a, kept):
    with scope(municipality=town_a):
        found = list(search.find(town_a, search.Query(words="馬山橋")))
        assert found == [kept["letter"]]  # not town B's document with the same word
        assert "馬山橋" in search.snippet(found[0], "馬山橋")


@pytest.mark.django_db
def test_number_title_words_dates_department_and_kind(town_a, kept):
    with scope(municipality=town_a):
        def titles(**query):
            return {r.title for r in search.find(town_a, search.Query(**query))}

        assert titles(words="下総第10号") == {"業務委託契約の締結について"}
        assert titles(words="下総第１０号") == {"業務委託契約の締結について"}  # full-width digits
        assert titles(words="馬山") == {"要望書", "馬山地区の照会（回答）"}
        assert titles(words="馬山　回答") == {"馬山地区の照会（回答）"}  # every word must match
        assert titles(words="馬山", date_from=date(2026, 4, 1)) == {"要望書"}
        assert titles(date_to=date(2026, 3, 31)) == {"馬山地区の照会（回答）"}
        assert titles(department=kept["letter"].department) == {"要望書"}
        assert titles(kind=DocumentKind.RECEIVED) == {"要望書"}
        assert titles(words="存在しない言葉") == set()


@pytest.mark.django_db
def test_the_search_page_is_paginated_and_checks_dates(town_a, staff_a, kept):
    for n in range(35):
        _keep(town_a, "総務課", f"下総第{100 + n}号", f"通知{n}", "庁内の通知")
    client = factories.staff_client(staff_a)
    first = client.get("/t/10382/staff/approvals/search/", {"q": "通知"})
    body = first.content.decode()
    assert first.status_code == 200 and "35 件" in body and "1 / 2 ページ" in body
    assert "2 / 2 ページ" in client.get("/t/10382/staff/approvals/search/", {"q": "通知", "page": 2}).content.decode()
    bad = client.get("/t/10382/staff/approvals/search/", {"q": "x", "date_from": "昨日"})
    assert bad.status_code == 400 and "2026-04-01 の形" in bad.content.decode()
    assert "甘楽の文書" not in client.get("/t/10382/staff/approvals/search/", {"q": "馬山橋"}).content.decode()
