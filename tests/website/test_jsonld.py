"""The JSON-LD of each kind of page, read back from the rendered HTML and checked against the schema.org vocabulary:
every node's type is one the page kind calls for, it carries the properties Google's structured-data documentation
requires (or, for types without a rich result, those that make it useful), and every property it uses is one
schema.org defines for its type (no schema.org vocabulary file is available offline: the table below is taken from
schema.org's type pages, properties inherited from Thing, CreativeWork, Organization, Place included)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.website.public_support import make_page
from yakuba.website import jsonld
from yakuba.website.models import PageKind

pytestmark = pytest.mark.django_db

THING = {"@type", "@id", "name", "description", "url", "image", "alternateName", "sameAs", "potentialAction",
         "mainEntityOfPage", "identifier"}
CREATIVE_WORK = THING | {"inLanguage", "dateModified", "datePublished", "author", "publisher", "headline", "isPartOf",
                         "hasPart", "breadcrumb", "mainEntity", "about"}
ORGANIZATION = THING | {"telephone", "email", "address", "parentOrganization", "logo", "areaServed"}
PLACE = THING | {"address", "geo", "telephone", "openingHours", "photo", "publicAccess"}
# type: (properties schema.org defines for it, properties required here)
VOCABULARY: dict[str, tuple[set[str], set[str]]] = {
    "GovernmentService": (THING | {"provider", "serviceOperator", "areaServed", "audience", "availableChannel",
                                   "offers", "serviceType", "jurisdiction"},
                          {"name", "description", "provider", "serviceOperator", "areaServed", "url"}),
    "FAQPage": (CREATIVE_WORK, {"mainEntity"}),
    "Question": (CREATIVE_WORK | {"acceptedAnswer"}, {"name", "acceptedAnswer"}),
    "Answer": (CREATIVE_WORK | {"text"}, {"text"}),
    "Event": (THING | {"startDate", "endDate", "location", "organizer", "eventStatus", "eventAttendanceMode", "offers"},
              {"name", "startDate", "location"}),
    "Place": (PLACE, {"name"}),
    "CivicStructure": (PLACE, {"name", "address"}),
    "GovernmentOrganization": (ORGANIZATION, {"name"}),
    "Organization": (ORGANIZATION, {"name"}),
    "NewsArticle": (CREATIVE_WORK, {"headline", "datePublished", "author", "publisher"}),
    "CollectionPage": (CREATIVE_WORK, {"name", "url"}),
    "WebPage": (CREATIVE_WORK, {"name", "url"}),
    "WebSite": (CREATIVE_WORK, {"name", "url"}),
    "BreadcrumbList": (THING | {"itemListElement"}, {"itemListElement"}),
    "ListItem": (THING | {"position", "item"}, {"position", "name", "item"}),
    "PostalAddress": (THING | {"streetAddress", "addressRegion", "addressLocality", "addressCountry", "postalCode"},
                      {"addressCountry"}),
    "GeoCoordinates": (THING | {"latitude", "longitude"}, {"latitude", "longitude"}),
    "AdministrativeArea": (PLACE, {"name"}),
    "Audience": (THING | {"audienceType"}, {"audienceType"}),
    "ServiceChannel": (THING | {"serviceUrl", "serviceLocation", "servicePhone", "availableLanguage"}, {"name"}),
    "Offer": (THING | {"price", "priceCurrency"}, set()),
    "ApplyAction": (THING | {"target"}, {"target"}),
    "ReserveAction": (THING | {"target"}, {"target"}),
}


def graph_of(html: str) -> list[dict]:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org"
    return data["@graph"]


def check(node: dict, path: str = "") -> None:
    """Every typed node in `node`: a known type, only its properties, its required ones present."""
    kind = node.get("@type")
    if kind is not None:
        known, required = VOCABULARY[kind]
        assert set(node) <= known | {"@id"}, f"{path}{kind}: not schema.org properties {set(node) - known}"
        assert required <= {name for name, value in node.items() if value not in (None, "", [])}, (
            f"{path}{kind}: missing {required - set(node)}")
    for name, value in node.items():
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, dict):
                check(inner, f"{path}{kind}.{name}>")


def page_graph(client, town, path: str) -> list[dict]:
    response = client.get(f"{town.path_prefix}/site/{path}/")
    assert response.status_code == 200
    nodes = graph_of(response.content.decode())
    for node in nodes:
        check(node)
    return nodes


def main(nodes: list[dict]) -> dict:
    return nodes[0]


@pytest.fixture
def section(town_a):
    return make_page(town_a, "kurashi", kind=PageKind.SECTION, title="くらし・手続き", summary="暮らしの手続き")


def test_a_procedure_is_a_government_service_with_its_online_channel(client, town_a, section):
    factories.make_procedure(town_a, slug="jidoteate", title="児童手当の申請")
    make_page(town_a, "jidoteate", parent=section, kind=PageKind.PROCEDURE, title="児童手当",
              summary="中学生までの子を養育する方に支給します。", department="住民課",
              details={"procedure": "jidoteate", "who": "子を養育する方", "fee": "無料", "where": "役場1階 住民課"})
    nodes = page_graph(client, town_a, "kurashi/jidoteate")
    service = main(nodes)
    assert service["@type"] == "GovernmentService" and service["name"] == "児童手当"
    assert service["serviceOperator"]["name"] == "群馬県下仁田町 住民課"
    assert service["provider"] == {"@id": "http://testserver/t/10382/#town"}
    online = service["availableChannel"][0]
    assert online["serviceUrl"] == "http://testserver/t/10382/procedures/jidoteate/"
    assert service["potentialAction"]["target"] == online["serviceUrl"]
    assert service["offers"]["description"] == "無料" and service["audience"]["audienceType"] == "子を養育する方"
    crumbs = next(node for node in nodes if node["@type"] == "BreadcrumbList")["itemListElement"]
    assert [item["name"] for item in crumbs] == ["群馬県下仁田町", "くらし・手続き", "児童手当"]
    assert [item["position"] for item in crumbs] == [1, 2, 3]
    town = next(node for node in nodes if node.get("@id", "").endswith("#town"))
    assert town["@type"] == "GovernmentOrganization" and town["telephone"] == "0274-82-2111"


def test_a_procedure_without_a_description_is_not_complete(town_a):
    facts = jsonld.Facts(kind=PageKind.PROCEDURE, url="https://x/site/a/", title="児童手当", summary="", blocks=[],
                         details={}, town=town_a, town_url="https://x/", department=None, published=None,
                         modified=None)
    assert jsonld.missing(jsonld.main_node(facts)) == ["GovernmentService.description"]
    assert not jsonld.complete(facts)


def test_faq_is_an_faq_page_with_questions_and_answers(client, town_a):
    make_page(town_a, "faq", kind=PageKind.FAQ, title="ごみのよくある質問", blocks=[
        {"type": "faq", "question": "粗大ごみはどう出しますか",
         "answer": "<p>事前に<strong>申込み</strong>が必要です。</p>"},
        {"type": "faq", "question": "収集日はいつですか", "answer": "<p>地区ごとに決まっています。</p>"}])
    page = main(page_graph(client, town_a, "faq"))
    assert page["@type"] == "FAQPage"
    assert [q["name"] for q in page["mainEntity"]] == ["粗大ごみはどう出しますか", "収集日はいつですか"]
    assert page["mainEntity"][0]["acceptedAnswer"]["text"] == "事前に申込みが必要です。"


def test_an_event_has_its_dates_place_and_status(client, town_a):
    make_page(town_a, "matsuri", kind=PageKind.EVENT, title="下仁田ねぎ祭り", summary="ねぎの即売と料理の祭り",
              details={"starts": "2026-11-23T10:00:00+09:00", "ends": "2026-11-23T15:00:00+09:00",
                       "place": "下仁田町総合運動公園", "address": "下仁田町下仁田100", "latitude": "36.2123",
                       "longitude": "138.7890", "fee": "入場無料"})
    event = main(page_graph(client, town_a, "matsuri"))
    assert event["@type"] == "Event" and event["startDate"] == "2026-11-23T10:00:00+09:00"
    assert event["endDate"] == "2026-11-23T15:00:00+09:00"
    assert event["location"]["name"] == "下仁田町総合運動公園"
    assert event["location"]["address"]["streetAddress"] == "下仁田町下仁田100"
    assert event["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 36.2123, "longitude": 138.789}
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["organizer"]["@type"] == "GovernmentOrganization"


def test_a_facility_is_a_civic_structure_from_its_booking_record(client, town_a):
    room = factories.make_room(town_a, facility="下仁田町文化会館")
    from django_scopes import scope

    with scope(municipality=town_a):
        facility = room.facility
        facility.address, facility.latitude, facility.longitude = "下仁田町下仁田200", 36.2, 138.8
        facility.phone, facility.opening_hours = "0274-82-3000", "Tu-Su 09:00-21:00"
        facility.save()
    make_page(town_a, "bunka", kind=PageKind.FACILITY, title="下仁田町文化会館", summary="ホールと会議室",
              details={"facility": facility.slug})
    place = main(page_graph(client, town_a, "bunka"))
    assert place["@type"] == "CivicStructure" and place["address"]["streetAddress"] == "下仁田町下仁田200"
    assert place["geo"]["latitude"] == 36.2 and place["telephone"] == "0274-82-3000"
    assert place["openingHours"] == "Tu-Su 09:00-21:00"
    assert place["potentialAction"]["@type"] == "ReserveAction"


def test_a_department_is_a_government_organization_of_the_town(client, town_a):
    make_page(town_a, "somu", kind=PageKind.DEPARTMENT, title="総務課", details={"phone": "0274-82-2111",
                                                                              "email": "somu@example.jp"})
    organisation = main(page_graph(client, town_a, "somu"))
    assert organisation["@type"] == "GovernmentOrganization"
    assert organisation["telephone"] == "0274-82-2111" and organisation["email"] == "somu@example.jp"
    assert organisation["parentOrganization"] == {"@id": "http://testserver/t/10382/#town"}


def test_an_article_is_a_news_article_with_its_dates_and_author(client, town_a):
    page = make_page(town_a, "oshirase", kind=PageKind.ARTICLE, title="年末年始の窓口", department="総務課",
                     published_at=timezone.now() - timedelta(days=2))
    from tests.website.public_support import new_version

    new_version(page, summary="12月29日から1月3日まで閉庁します。")
    article = main(page_graph(client, town_a, "oshirase"))
    assert article["@type"] == "NewsArticle" and article["headline"] == "年末年始の窓口"
    assert article["datePublished"] < article["dateModified"]
    assert article["author"]["name"] == "群馬県下仁田町 総務課"


def test_a_section_is_a_collection_of_its_pages(client, town_a, section):
    make_page(town_a, "gomi", parent=section, title="ごみ")
    collection = main(page_graph(client, town_a, "kurashi"))
    assert collection["@type"] == "CollectionPage"
    assert collection["hasPart"] == [{"@type": "WebPage", "name": "ごみ",
                                      "url": "http://testserver/t/10382/site/kurashi/gomi/"}]


def test_the_site_index_is_the_towns_website(client, town_a, section):
    nodes = graph_of(client.get(f"{town_a.path_prefix}/site/").content.decode())
    for node in nodes:
        check(node)
    assert [node["@type"] for node in nodes] == ["WebSite", "GovernmentOrganization"]


def test_the_script_escapes_what_could_end_it(town_a):
    html = jsonld.script([{"@type": "WebPage", "name": "</script><!-- & -->"}])
    assert "</script><!--" not in html and html.count("</script>") == 1
    assert json.loads(html.removeprefix('<script type="application/ld+json">').removesuffix("</script>"))[
        "@graph"][0]["name"] == "</script><!-- & -->"


def test_a_department_page_describes_the_department_the_editor_chose(client, town_a):
    from django_scopes import scope

    from yakuba.kernel.accounts.models import Department

    zeimu = factories.make_department(town_a, "税務課")
    with scope(municipality=town_a):
        Department.objects.filter(pk=zeimu.pk).update(phone="0274-82-2113")
    make_page(town_a, "zeimu", kind=PageKind.DEPARTMENT, title="税務課", department="総務課",
              details={"department": str(zeimu.pk), "place": "役場2階", "hours": "8時30分から17時15分"})
    organisation = main(page_graph(client, town_a, "zeimu"))
    assert organisation["name"] == "群馬県下仁田町 税務課" and organisation["telephone"] == "0274-82-2113"
    assert organisation["address"]["streetAddress"] == "役場2階"
    body = client.get(f"{town_a.path_prefix}/site/zeimu/").content.decode()
    assert "8時30分から17時15分" in body and 'href="tel:0274-82-2113"' in body


def test_an_article_is_dated_by_its_publication_day_and_an_event_names_its_organizer(client, town_a):
    make_page(town_a, "kouhou", kind=PageKind.ARTICLE, title="広報しもにた12月号", details={"date": "2026-12-01"})
    article = main(page_graph(client, town_a, "kouhou"))
    assert article["datePublished"].startswith("2026-12-01T00:00:00")
    make_page(town_a, "marathon", kind=PageKind.EVENT, title="こんにゃくマラソン",
              details={"starts": "2026-10-04T09:00:00+09:00", "place": "下仁田町役場前", "organizer": "実行委員会"})
    event = main(page_graph(client, town_a, "marathon"))
    assert event["organizer"] == {"@type": "Organization", "name": "実行委員会"}
