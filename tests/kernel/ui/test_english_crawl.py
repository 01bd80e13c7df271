"""Every resident and staff page in English: no server error, and no page chrome left in Japanese.

"Chrome" is what the templates write, not the town's content: a heading, label, button, table header, legend, link
or the page title whose whole text is one of our own Japanese messages (a msgid of the English catalogue) was not
translated, either because it is not marked for translation or because the page did not switch language. Content
the town wrote in Japanese only (a procedure's name, a facility) is not a msgid and is left to the content fields.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.test import Client

from tests import factories
from tests.kernel.accounts import test_role_sweep
from tests.kernel.ui import test_private_pages as private
from tests.sweep import routes
from yakuba.kernel.accounts.models import Role

objects_a = test_role_sweep.objects_a

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CHROME = "//title | //h1 | //h2 | //h3 | //label | //button | //th | //legend | //nav//a | //footer//a | //header//a"
# Messages kept in Japanese on purpose in English: the language switcher names Japanese in its own script.
KEPT = {"日本語", "やさしい日本語", "言語"}
# Content the crawl's own data wrote in Japanese that happens to equal a message: the sweep's group 「団体」,
# lottery 「抽選」 and group category 「区分」 (tests/kernel/accounts/test_role_sweep.py); the factory notice
# 「お知らせ」, form page 「申請者」 and fields 「氏名」「住所」「電話番号」 (tests/factories.py). The open data row
# form's labels are the column names of the 自治体標準オープンデータセット (名称, 緯度, 経度, 郵便番号, 団体名),
# the national vocabulary, which has no English names. The sweep's 通報 category 「その他」
# (tests/voice/reports_support.py) and its survey's options 「ホームページ」「ご意見」 (tests/voice/sweep_surveys.py).
CONTENT = {"お知らせ", "団体", "抽選", "区分", "申請者", "氏名", "住所", "電話番号",
           "名称", "緯度", "経度", "郵便番号", "団体名", "その他", "ホームページ", "ご意見"}


def _catalogue() -> set[str]:
    path = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    return {msgid.strip() for msgid, msgstr in catalogue.items()
            if isinstance(msgid, str) and "\x04" not in msgid and JAPANESE.search(msgid) and "%" not in msgid
            and msgstr and msgstr.strip() != msgid.strip()} - KEPT - CONTENT


def _untranslated(html: str, messages: set[str]) -> list[str]:
    found = []
    for element in lxml.html.fromstring(html).xpath(CHROME):
        text = " ".join(element.text_content().split())
        if text in messages:
            found.append(text)
    return found


def _crawl(client: Client, paths: list[tuple[str, str]]) -> tuple[list[tuple[str, object]], int]:
    messages = _catalogue()
    problems: list[tuple[str, object]] = []
    pages = 0
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for name, path in paths:
        response = client.get(path)
        if response.status_code >= 500:
            problems.append((name, response.status_code))
        elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            pages += 1
            assert response["Content-Language"] == "en", name
            left = _untranslated(response.content.decode(), messages)
            if left:
                problems.append((name, left))
    return problems, pages


@pytest.mark.django_db
def test_every_resident_page_in_english(town_a, resident_a, objects_a):
    client = Client()
    client.force_login(resident_a.user)
    values = private._resident_values(town_a, resident_a)
    paths = [(r.name, town_a.path_prefix + private._resident_path(r, values)) for r in routes()
             if not r.is_staff and r.name not in private.SIGN_OUT]
    problems, pages = _crawl(client, paths)
    assert problems == [], problems
    assert pages > 30


@pytest.mark.django_db
def test_every_public_page_in_english_for_a_visitor(town_a, resident_a, objects_a):
    values = private._resident_values(town_a, resident_a)
    paths = [(r.name, town_a.path_prefix + private._resident_path(r, values)) for r in routes() if not r.is_staff]
    problems, pages = _crawl(Client(), paths)
    assert problems == [], problems
    assert pages > 15


@pytest.mark.django_db
def test_every_staff_page_in_english(town_a, objects_a):
    client = factories.staff_client(factories.make_staff(town_a, role=Role.ADMIN))
    paths = [(r.name, town_a.path_prefix + test_role_sweep._path(r, objects_a)) for r in routes()
             if r.is_staff and r.name not in private.SIGN_OUT]
    problems, pages = _crawl(client, paths)
    assert problems == [], problems
    assert pages > 80
