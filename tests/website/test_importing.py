"""移行: saved pages of an old site read, checked and created as drafts; bad files refused with the reason, nothing
half-saved."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from tests import factories
from tests.website.checks_support import PNG, make_page, make_zip, old_page
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.website.models import Asset, ImportRun, Page, PageVersion
from yakuba.website.services import importing


@pytest.fixture
def clerk(town_a):
    return factories.make_staff(town_a, department="総務課", role=Role.ADMIN)


def _run(town, clerk, files, *, base_url="https://www.town.example.jp/", parent=None, listing=None, confirm=True):
    with scope(municipality=town):
        run = importing.start(clerk, make_zip(files), department=clerk.department, parent=parent, base_url=base_url,
                              listing=listing)
        importing.check(run)
        run.refresh_from_db()
        if confirm and importing.counts(run)["ready"]:
            importing.confirm(clerk, run)
            run = importing.run_import(run.pk)
        return run


def _entry(run, file):
    return next(entry for entry in run.report if entry["file"] == file)


def test_a_utf8_page_becomes_a_draft_with_its_title_body_and_date(town_a, clerk):
    run = _run(town_a, clerk, {"kurashi/gomi/index.html": old_page(), "kurashi/inu.html": old_page("犬の登録")})
    assert run.imported == 2 and run.finished_at is not None
    with scope(municipality=town_a):
        page = Page.objects.get(imported_from="https://www.town.example.jp/kurashi/gomi/index.html")
        version = PageVersion.objects.get(page=page)
        assert (page.slug, page.path, page.kind, page.live_id) == ("gomi", "gomi", "general", None)
        assert page.review_due.isoformat() == __import__("django.utils.timezone").utils.timezone.localdate(
        ).isoformat()
        assert (version.number, version.state, version.title) == (1, "draft", "ごみの出し方")  # 「｜下仁田町」 gone
        assert version.details == {"date": "2024-03-01"}
        text = str(version.blocks)
        assert "燃えるごみ" in text and "くらし" not in text and "役場" not in text and "track" not in text
        assert AuditEntry.objects.filter(action="website.import.finished").exists()


@pytest.mark.parametrize("codec, declared", [("cp932", "Shift_JIS"), ("cp932", ""), ("euc_jp", "EUC-JP"),
                                             ("euc_jp", "")])
def test_shift_jis_and_euc_jp_pages_are_read_without_mojibake(town_a, clerk, codec, declared):
    extra = "①②" if codec == "cp932" else ""  # NEC special characters: Windows' Shift_JIS only
    html = old_page("犬の登録と狂犬病予防注射", f"<p>生後91日以上の犬は登録してください。{extra}</p>",
                    charset=declared or "x")
    if not declared:
        html = html.replace('<meta charset="x">', "")
    run = _run(town_a, clerk, {"inu.html": html.encode(codec)})
    assert run.imported == 1, run.report
    with scope(municipality=town_a):
        version = PageVersion.objects.get()
    assert version.title == "犬の登録と狂犬病予防注射"
    assert "生後91日以上の犬は登録してください。" in str(version.blocks)


def test_broken_shift_jis_is_refused_naming_the_file_and_byte_and_nothing_is_created(town_a, clerk):
    data = old_page("犬の登録", charset="Shift_JIS").encode("cp932")
    at = data.index("犬".encode("cp932"))
    broken = data[:at] + b"\x82\xff" + data[at + 2:]
    run = _run(town_a, clerk, {"ok.html": old_page(), "bad/inu.html": broken}, confirm=False)
    entry = _entry(run, "bad/inu.html")
    assert entry["state"] == "refused"
    assert "bad/inu.html" in entry["error"] and f"{at} バイト目" in entry["error"]
    assert _entry(run, "ok.html")["state"] == "ready"
    with scope(municipality=town_a):
        assert not Page.objects.exists()


def test_scripts_frames_handlers_and_javascript_links_are_gone(town_a, clerk):
    body = ('<p onclick="steal()">受付は<a href="javascript:alert(1)">窓口</a>です。</p>'
            '<iframe src="https://evil.example/"></iframe><script>alert(1)</script>'
            '<p><img src="x.png" onerror="alert(1)" alt="地図"><a href="../form.pdf" onmouseover="x()">申請書</a></p>')
    run = _run(town_a, clerk, {"a/page.html": old_page(body=body)})
    with scope(municipality=town_a):
        blocks = str(PageVersion.objects.get().blocks)
    for bad in ("onclick", "javascript:", "iframe", "script", "alert", "onerror", "onmouseover", "evil"):
        assert bad not in blocks
    assert "https://www.town.example.jp/form.pdf" in blocks  # a relative link made absolute
    assert any("x.png" in note for note in _entry(run, "a/page.html")["notes"])  # image not in the ZIP


def test_an_image_in_the_zip_becomes_a_file_of_the_page(town_a, clerk):
    body = '<p>地図です。</p><p><img src="img/map.png" alt="役場の地図"></p>'
    _run(town_a, clerk, {"a/page.html": old_page(body=body), "a/img/map.png": PNG})
    with scope(municipality=town_a):
        asset = Asset.objects.get()
        image = next(block for block in PageVersion.objects.get().blocks if block["type"] == "image")
    assert (asset.content_type, asset.width, image["asset"], image["alt"]) == ("image/png", 2, str(asset.uuid),
                                                                               "役場の地図")


def test_headings_are_relevelled_to_start_at_h2(town_a, clerk):
    body = "<h3>対象</h3><p>町民</p><h4>詳細</h4><p>本文</p><h6>注</h6><p>注記</p>"
    _run(town_a, clerk, {"p.html": old_page(body=body)})
    with scope(municipality=town_a):
        levels = [block["level"] for block in PageVersion.objects.get().blocks if block["type"] == "heading"]
    assert levels == [2, 3, 4]


def test_the_list_gives_urls_and_duplicates_are_refused(town_a, clerk):
    listing = (b"url,file\nhttps://old.example.jp/a.html,a.html\nhttps://old.example.jp/a.html,b.html\n"
               b"https://old.example.jp/c.html,missing.html\n")
    run = _run(town_a, clerk, {"a.html": old_page("A"), "b.html": old_page("B"), "urls.csv": listing.decode()},
               base_url="", confirm=False)
    assert _entry(run, "a.html")["state"] == "ready"
    assert "2回" in _entry(run, "b.html")["error"]
    assert "ZIPの中にありません" in _entry(run, "missing.html")["error"]


def test_a_url_imported_before_is_refused(town_a, clerk):
    _run(town_a, clerk, {"a.html": old_page()})
    again = _run(town_a, clerk, {"a.html": old_page()}, confirm=False)
    assert "すでに取り込んであります" in _entry(again, "a.html")["error"]


def test_not_html_and_empty_pages_are_refused(town_a, clerk):
    run = _run(town_a, clerk, {"a.html": b"%PDF-1.4 binary\x00\x01", "b.html": old_page(body="", updated=""),
                               "c.html": old_page()}, confirm=False)
    assert "HTMLファイルではありません" in _entry(run, "a.html")["error"]
    assert "本文が見つかりません" in _entry(run, "b.html")["error"]
    assert importing.counts(run)["ready"] == 1


def test_slugs_are_unique_under_the_parent(town_a, clerk):
    parent = make_page(town_a, clerk, path="kurashi", title="くらし")
    make_page(town_a, clerk, path="kurashi/gomi", title="既存", parent=parent)
    _run(town_a, clerk, {"gomi/index.html": old_page("A"), "x/gomi.html": old_page("B")}, parent=parent)
    with scope(municipality=town_a):
        paths = sorted(Page.objects.filter(parent=parent).values_list("path", flat=True))
    assert paths == ["kurashi/gomi", "kurashi/gomi-2", "kurashi/gomi-3"]


def _zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_with_paths_outside_itself_is_refused(town_a, clerk):
    data = _zip_bytes([("a.html", old_page()), ("../../etc/passwd.html", old_page())])
    with scope(municipality=town_a), pytest.raises(Refused, match="ZIPの外"):
        importing.start(clerk, SimpleUploadedFile("a.zip", data), department=clerk.department, parent=None,
                        base_url="https://old.example.jp/")
    with scope(municipality=town_a):
        assert not ImportRun.objects.exists()


def test_a_zip_bomb_is_refused(town_a, clerk):
    data = _zip_bytes([("a.html", old_page()), ("bomb.html", b"\0" * (50 * 1024 * 1024))])
    assert len(data) < 200_000
    with scope(municipality=town_a), pytest.raises(Refused, match="極端に大きく"):
        importing.start(clerk, SimpleUploadedFile("a.zip", data), department=clerk.department, parent=None,
                        base_url="https://old.example.jp/")


def test_a_zip_over_the_limit_and_not_a_zip_are_refused(town_a, clerk, settings):
    settings.WEBSITE_IMPORT_MAX_MB = 1
    with scope(municipality=town_a), pytest.raises(Refused, match="上限 1 MB"):
        importing.start(clerk, SimpleUploadedFile("a.zip", b"PK" + bytes(2 * 1024 * 1024)),
                        department=clerk.department, parent=None, base_url="https://old.example.jp/")
    with scope(municipality=town_a), pytest.raises(Refused, match="ZIPファイルとして読めません"):
        importing.start(clerk, SimpleUploadedFile("a.zip", b"not a zip"), department=clerk.department, parent=None,
                        base_url="https://old.example.jp/")


def test_too_many_files_are_refused(town_a, clerk, monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILES", 3)
    data = _zip_bytes([(f"{n}.html", "x") for n in range(4)])
    with scope(municipality=town_a), pytest.raises(Refused, match="多すぎます"):
        importing.start(clerk, SimpleUploadedFile("a.zip", data), department=clerk.department, parent=None,
                        base_url="https://old.example.jp/")


def test_only_the_information_officer_imports(town_a, staff_a):
    with scope(municipality=town_a), pytest.raises(Refused, match="情報担当"):
        importing.start(staff_a, make_zip({"a.html": old_page()}), department=staff_a.department, parent=None,
                        base_url="https://old.example.jp/")


def test_a_failure_rolls_the_whole_run_back_and_says_so(town_a, clerk, monkeypatch):
    calls = []
    real = importing.create_page

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "create_page", failing)
    run = _run(town_a, clerk, {"a.html": old_page("A"), "b.html": old_page("B")})
    assert importing.phase(run) == "failed" and run.imported == 0
    assert all("何も保存していません" in entry["error"] for entry in run.report)
    with scope(municipality=town_a):
        assert not Page.objects.exists() and not PageVersion.objects.exists()


def test_a_run_is_confirmed_once(town_a, clerk):
    run = _run(town_a, clerk, {"a.html": old_page()})
    with scope(municipality=town_a), pytest.raises(Refused):
        importing.confirm(clerk, run)


@pytest.mark.parametrize("text, expected", [
    ("更新日：2024年3月1日", "2024-03-01"), ("掲載日 令和6年3月1日", "2024-03-01"), ("更新日:2024/03/01", "2024-03-01"),
    ("最終更新日 平成31年4月30日", "2019-04-30"), ("令和元年5月1日更新", None), ("イベントは2024年3月1日", None)])
def test_dates(text, expected):
    found = importing._find_date(text)
    assert (found.isoformat() if found else None) == expected


def test_site_suffix_is_the_part_most_titles_share():
    assert importing.site_suffix(["ごみ｜下仁田町", "犬の登録｜下仁田町", "トップ"]) == "｜下仁田町"
    assert importing.site_suffix(["A - B", "C - D"]) == ""


@pytest.mark.parametrize("url, slug", [("https://a.jp/kurashi/gomi/index.html", "gomi"),
                                       ("https://a.jp/soshiki/1234.html", "1234"), ("https://a.jp/", "page"),
                                       ("https://a.jp/%E3%81%94%E3%81%BF.html", "page"),
                                       ("https://a.jp/Kurashi/Gomi_Dashi.php", "gomi_dashi")])
def test_slug_of(url, slug):
    assert importing.slug_of(url) == slug


def test_a_failure_while_checking_ends_the_run_and_says_so(town_a, clerk, monkeypatch):
    monkeypatch.setattr(importing, "prepare", lambda *args: 1 / 0)
    run = _run(town_a, clerk, {"a.html": old_page()}, confirm=False)
    assert run.finished_at is not None and importing.phase(run) == "cancelled"
    assert "ZeroDivisionError" in run.report[0]["error"]
