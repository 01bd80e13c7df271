"""The PII guard: each kind of personal data found and redacted, and ordinary municipal text left alone."""

from __future__ import annotations

import pytest

from yakuba.kernel.pii import check_digit, find, fold, redact, valid_my_number


def kinds(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.text) for finding in find(text)]


def my_number(body: str) -> str:
    """A 12-digit number with the check digit of the official algorithm computed for `body`."""
    return body + str(check_digit(body))


def wrong(number: str) -> str:
    """The same number with a check digit that is not valid."""
    return number[:11] + str((int(number[11]) + 1) % 10)


# ---------------------------------------------------------------- 個人番号 and 住民票コード

def test_check_digit_follows_the_ministry_formula():
    # Worked by hand: 9,8,3,2,0,5,6,7,3,2,1 × weights 6,5,4,3,2,7,6,5,4,3,2 (Qn from the right) = 238;
    # 238 % 11 = 7, so the check digit is 11 − 7 = 4.
    assert check_digit("98320567321") == 4
    body = "98320567321"
    total = sum(int(d) * w for d, w in zip(body, [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2], strict=True))
    assert check_digit(body) == (0 if total % 11 <= 1 else 11 - total % 11)
    assert check_digit("00000000000") == 0  # remainder 0
    assert check_digit("00000000006") == 0  # 6 × 2 = 12, remainder 1
    assert check_digit("00000000001") == 9  # 1 × 2 = 2, remainder 2
    assert valid_my_number("983205673214")
    assert not valid_my_number("983205673210")


@pytest.mark.parametrize("body", ["12345678901", "35623012383", "60777679361", "00000000000", "99999999999"])
def test_a_valid_my_number_is_found_in_every_spelling(body):
    number = my_number(body)
    grouped = f"{number[:4]} {number[4:8]} {number[8:]}"
    hyphenated = f"{number[:4]}-{number[4:8]}-{number[8:]}"
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for spelling in (number, grouped, hyphenated, full_width):
        assert kinds(f"提出された番号は{spelling}です。") == [("my_number", spelling)]


def test_twelve_digits_with_a_wrong_check_digit_are_not_a_my_number():
    number = wrong(my_number("35623012383"))
    assert not valid_my_number(number)
    assert kinds(f"受付番号 {number} で照会してください。") == []
    assert kinds("手数料は123456789012円です。") == []  # 123456789012 has an invalid check digit


def test_a_labelled_my_number_is_redacted_even_when_mistyped():
    number = wrong(my_number("60777679361"))
    assert kinds(f"マイナンバー：{number}") == [("my_number", number)]
    assert kinds(f"個人番号 {number[:4]} {number[4:8]} {number[8:]} と記入") == [
        ("my_number", f"{number[:4]} {number[4:8]} {number[8:]}")]


def test_a_card_number_is_not_read_as_a_my_number():
    number = my_number("12345678901")
    assert kinds(f"カード番号 {number[:4]} {number[4:8]} {number[8:]} 3456") == []


def test_a_resident_code_is_redacted_when_labelled_only():
    assert kinds("住民票コード：52813490276（本人確認済）") == [("resident_code", "52813490276")]
    assert kinds("住民票コードの変更請求。旧コード 61027384950") == [("resident_code", "61027384950")]
    assert kinds("追跡番号 52813490277 でお問い合わせください。") == []


# ---------------------------------------------------------------- phones, email

@pytest.mark.parametrize("phone", [
    "0274-82-2111", "(0274)82-2111", "0274(82)2111", "090-1234-5678", "080 9876 5432", "07012345678",
    "050-3000-1234", "0120-123-456", "0800-123-4567", "+81-90-1234-5678", "+81 274 82 2111", "03-5555-1234",
    "０９０－１１１１－２２２２",
])
def test_phone_numbers(phone):
    assert kinds(f"連絡先 {phone} まで") == [("phone", phone)]


def test_public_office_numbers_are_redacted_too():
    redacted, _ = redact("下仁田町役場 総務課（代表）0274-82-2111")
    assert redacted == "下仁田町役場 総務課（代表）［電話番号］"


@pytest.mark.parametrize("text", ["消費者ホットライン188", "内線215", "2024-04-01", "0274-82", "12-3456-7890",
                                  "人口6,412人、世帯数3,105"])
def test_numbers_that_are_not_phone_numbers(text):
    assert kinds(text) == []


def test_email_addresses_ascii_and_full_width():
    assert kinds("返信は hanako.sato+town@example.ne.jp へ") == [("email", "hanako.sato+town@example.ne.jp")]
    assert kinds("ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ") == [("email", "ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ")]
    assert kinds("https://www.town.shimonita.lg.jp/ をご覧ください") == []


# ---------------------------------------------------------------- birth dates

@pytest.mark.parametrize(("text", "date"), [
    ("生年月日：昭和50年3月3日、受付日：令和8年4月1日", "昭和50年3月3日"),
    ("母（昭和12年8月15日生）の介護認定", "昭和12年8月15日"),
    ("平成2年5月10日生まれの佐藤です。", "平成2年5月10日"),
    ("西暦1990年7月7日生まれ", "西暦1990年7月7日"),
    ("生年月日 S25.4.12 の方", "S25.4.12"),
    ("ご主人は1945/03/10生まれです", "1945/03/10"),
    ("誕生日：5月5日", "5月5日"),
    ("令和元年5月1日生まれ", "令和元年5月1日"),
    ("昭和42年生の男性から相談", "昭和42年"),
])
def test_birth_dates_with_birth_context(text, date):
    assert ("birth_date", date) in kinds(text)


@pytest.mark.parametrize("text", [
    "令和8年4月1日から受付を開始します。",
    "この条例は、令和8年4月1日から施行する。",
    "昭和36年4月2日以降に生まれた方は、65歳から老齢基礎年金が支給されます。",
    "平成17年4月2日から平成18年4月1日生まれの方を対象に式典を開催します。",
    "令和8年4月1日生まれの子から、出産祝い金を増額します。",
    "生年月日欄は和暦で記入してください（例：昭和60年1月1日）。",
    "選挙の投票日は令和8年7月12日（日）です。",
])
def test_ordinary_dates_are_not_birth_dates(text):
    assert kinds(text) == []


# ---------------------------------------------------------------- addresses

@pytest.mark.parametrize("address", [
    "群馬県甘楽郡下仁田町大字下仁田682", "下仁田町下仁田123-4", "〒370-2601 群馬県甘楽郡下仁田町大字下仁田682",
    "東京都世田谷区桜丘2丁目5番8号", "前橋市大手町1丁目1番1号", "甘楽町大字白倉1395番地2", "静岡県駿東郡小山町藤曲57-2",
    "〒377-0424", "中之条町大字中之条町1091",
])
def test_addresses_with_a_house_number(address):
    assert kinds(f"住所：{address}") == [("address", address)]


def test_an_address_label_is_not_part_of_the_address():
    assert kinds("現住所下仁田町下仁田123-4") == [("address", "下仁田町下仁田123-4")]


@pytest.mark.parametrize("text", [
    "下仁田町", "群馬県", "所在地：群馬県甘楽郡下仁田町", "下仁田町大字下仁田地内で工事", "市町村10団体と県が共同で",
    "地区3か所に拠点を設ける", "下仁田町の人口は6,412人", "令和8年4月1日 下仁田町\n\n1 はじめに",
])
def test_place_names_and_counts_are_not_addresses(text):
    assert kinds(text) == []


# ---------------------------------------------------------------- names

@pytest.mark.parametrize(("text", "names"), [
    ("山田太郎様から電話があった。", ["山田太郎"]),
    ("甘楽町の小林氏と面談", ["小林"]),
    ("中之条町の田中一郎です", ["田中一郎"]),
    ("総務課の渡辺が対応しました", ["渡辺"]),
    ("申請者：高橋 花子（タカハシ ハナコ）", ["高橋 花子", "タカハシ ハナコ"]),
    ("氏名：ジョン・スミス", ["ジョン・スミス"]),
    ("四十物様へ", ["四十物"]),
    ("鏑木 様", ["鏑木"]),
    ("佐藤次長と打ち合わせ", ["佐藤"]),
    ("長女 千葉 舞", ["千葉 舞"]),
    ("担当：総務課 清水", ["清水"]),
    ("代表者：代表取締役 後藤 誠", ["後藤 誠"]),
])
def test_names_of_people(text, names):
    assert [found for kind, found in kinds(text) if kind == "name"] == names


@pytest.mark.parametrize("text", [
    "下仁田ネギの販売", "荒船山と妙義山", "小幡地区の祭り", "中之条の四万温泉", "山田川の改修工事",
    "佐藤建設株式会社と契約", "中島公園の桜", "お客様、皆様、利用者様、保護者様、農協さん", "ご主人様",
    "住民課環境係", "トヨタ様", "NTTさん", "事業者への周知広\t報", "総務課長と企画課長が出席した",
])
def test_places_departments_and_common_nouns_are_not_names(text):
    assert kinds(text) == []


# ---------------------------------------------------------------- bank accounts

@pytest.mark.parametrize(("text", "accounts"), [
    ("群馬銀行下仁田支店 普通 1234567", ["1234567"]),
    ("口座番号：7654321（普通）", ["7654321"]),
    ("当座預金 0456789", ["0456789"]),
    ("(当)0123456 にお振込みください", ["0123456"]),
    ("ゆうちょ銀行 10180-23456781", ["10180-23456781"]),
    ("ゆうちょ銀行 記号：10340 番号：87654321", ["10340", "87654321"]),
])
def test_bank_accounts(text, accounts):
    assert [found for kind, found in kinds(text) if kind == "bank_account"] == accounts


def test_the_account_holder_after_the_number_is_a_name():
    assert kinds("普通 3456789 ハヤシ マサル") == [("bank_account", "3456789"), ("name", "ハヤシ マサル")]


def test_ordinary_numbers_are_not_accounts():
    assert kinds("普通交付税の算定額は2,345,678千円") == []
    assert kinds("普通は3日で届きます") == []


# ---------------------------------------------------------------- redact, statute text, robustness

def test_redact_replaces_each_finding_with_a_placeholder_naming_its_kind():
    number = my_number("79748562291")
    text = (f"申請者：山田 太郎（昭和50年1月1日生）、住所：群馬県甘楽郡下仁田町大字下仁田355、電話 090-1234-5678、"
            f"メール taro@example.jp、個人番号 {number}、住民票コード 52813490276、普通 2345678")
    redacted, findings = redact(text)
    assert redacted == ("申請者：［氏名］（［生年月日］生）、住所：［住所］、電話 ［電話番号］、"
                        "メール ［メールアドレス］、個人番号 ［個人番号］、"
                        "住民票コード ［住民票コード］、普通 ［口座番号］")
    assert [f.kind for f in findings] == ["name", "birth_date", "address", "phone", "email", "my_number",
                                          "resident_code", "bank_account"]
    assert all(text[f.start:f.end] == f.text for f in findings)


def test_findings_are_sorted_and_do_not_overlap():
    text = "〒370-2601 群馬県甘楽郡下仁田町大字小幡682 小幡 様 0274-82-2111 小幡さん"
    findings = find(text)
    assert findings == sorted(findings, key=lambda f: f.start)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


def test_statute_and_notice_text_is_left_alone():
    text = ("第十二条　町長は、前条の規定による申請があったときは、速やかに審査しなければならない。"
            "２　前項の審査は、地方自治法第二百四十四条の二第三項の規定による。手数料は一件につき三百円とする。"
            "附則　この条例は、令和8年4月1日から施行する。")
    assert redact(text) == (text, [])


def test_fold_keeps_every_offset():
    text = "０９０－１２３４　ＡＢＣ＠ｅｘ．ｊｐ"
    assert len(fold(text)) == len(text)
    assert fold(text) == "090-1234 ABC@ex.jp"


def test_empty_and_very_long_text():
    assert find("") == []
    assert redact("　") == ("　", [])
    long_text = "ア" * 20000 + "0" * 20000 + "山田太郎様 090-1234-5678"
    assert kinds(long_text) == [("name", "山田太郎"), ("phone", "090-1234-5678")]
