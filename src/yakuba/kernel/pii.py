"""The PII guard: finds personal data in Japanese text (names of people, addresses, phone numbers, email, birth
dates, 個人番号 with a valid check digit, 住民票コード, bank accounts) and redacts it before anything leaves the
platform.

Rules, not a model: regular expressions over the text with full-width characters folded one for one (so spans
stay those of the original), and MeCab (UniDic) for the names of people. Every phone number and every address
with a house number is redacted, a town hall's as well as a resident's: the guard cannot tell them apart and
the model does not need them. 住民票コード is only recognised when labelled (its check-digit rule is set by a
ministry notice this module does not rely on)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from yakuba.kernel.search.text import tagger

PLACEHOLDERS = {
    "name": "［氏名］",
    "address": "［住所］",
    "phone": "［電話番号］",
    "email": "［メールアドレス］",
    "birth_date": "［生年月日］",
    "my_number": "［個人番号］",
    "resident_code": "［住民票コード］",
    "bank_account": "［口座番号］",
}
# When two findings overlap, the more specific kind wins (a number labelled 個人番号 is not a phone number;
# 大字小幡 inside an address is not a surname).
PRIORITY = ("my_number", "resident_code", "bank_account", "email", "phone", "birth_date", "address", "name")


@dataclass(frozen=True)
class Finding:
    kind: str  # "name", "address", "phone", "email", "birth_date", "my_number", "resident_code", "bank_account"
    start: int
    end: int
    text: str


def find(text: str) -> list[Finding]:
    """Personal data in `text`, in order, not overlapping."""
    if not text:
        return []
    folded = fold(text)
    candidates = [
        *_my_numbers(folded), *_resident_codes(folded), *_bank_accounts(folded), *_emails(folded),
        *_phones(folded), *_birth_dates(folded), *_addresses(folded), *_names(text, folded),
    ]
    return [Finding(kind, start, end, text[start:end]) for kind, start, end in _resolve(candidates)]


def redact(text: str) -> tuple[str, list[Finding]]:
    """`text` with each finding replaced by a placeholder naming its kind (［氏名］, ［電話番号］, …)."""
    findings = find(text)
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position:finding.start])
        parts.append(PLACEHOLDERS[finding.kind])
        position = finding.end
    parts.append(text[position:])
    return "".join(parts), findings


# ---------------------------------------------------------------- folding and resolving

Span = tuple[str, int, int]  # kind, start, end

_FOLD_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII → ASCII
_FOLD_TABLE.update({0x3000: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D, 0x2014: 0x2D,
                    0x2015: 0x2D, 0x2212: 0x2D, 0xFE63: 0x2D})


def fold(text: str) -> str:
    """Full-width digits, letters and signs as ASCII, dashes as "-", one character for one (spans carry over)."""
    return text.translate(_FOLD_TABLE)


def _resolve(candidates: Iterable[Span]) -> list[Span]:
    """Overlapping spans of one kind united; then, by kind priority, spans that overlap nothing kept so far."""
    by_kind: dict[str, list[Span]] = {}
    for span in candidates:
        by_kind.setdefault(span[0], []).append(span)
    kept: list[Span] = []
    for kind in PRIORITY:
        for span in _united(by_kind.get(kind, [])):
            if not any(span[1] < other[2] and other[1] < span[2] for other in kept):
                kept.append(span)
    return sorted(kept, key=lambda span: span[1])


def _united(spans: list[Span]) -> list[Span]:
    united: list[Span] = []
    for kind, start, end in sorted(spans, key=lambda span: (span[1], span[2])):
        if united and start < united[-1][2]:
            united[-1] = (kind, united[-1][1], max(end, united[-1][2]))
        else:
            united.append((kind, start, end))
    return united


def _labelled(folded: str, start: int, labels: re.Pattern[str], window: int = 16) -> bool:
    """Whether a label (住民票コード, マイナンバー, …) closely precedes `start`, with no other number between."""
    before = folded[max(0, start - window):start]
    ends = [label.end() for label in labels.finditer(before)]
    return bool(ends) and not re.search(r"\d{4}", before[ends[-1]:])


# ---------------------------------------------------------------- numbers

DASH = "[-ー]"
SEPARATOR = r"[ \-ー]"
# Not part of a longer number, nor of a card number grouped 4-4-4-4.
MY_NUMBER = re.compile(rf"(?<![\d-])(?<!\d )\d{{4}}{SEPARATOR}?\d{{4}}{SEPARATOR}?\d{{4}}"
                       rf"(?![\d-])(?!{SEPARATOR}\d{{4}})")
MY_NUMBER_LABEL = re.compile(r"マイナンバー|個人番号")
RESIDENT_CODE = re.compile(r"(?<![\d-])\d{11}(?![\d-])")
RESIDENT_CODE_LABEL = re.compile(r"住民票コード|住基コード")


def check_digit(digits: str) -> int:
    """The check digit of an 11-digit 個人番号 body (平成26年総務省令第85号 第5条)."""
    total = 0
    for n, char in enumerate(reversed(digits), start=1):
        total += int(char) * (n + 1 if n <= 6 else n - 5)
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def valid_my_number(number: str) -> bool:
    digits = re.sub(r"\D", "", fold(number))
    return len(digits) == 12 and check_digit(digits[:11]) == int(digits[11])


def _my_numbers(folded: str) -> Iterator[Span]:
    for match in MY_NUMBER.finditer(folded):
        if valid_my_number(match.group()) or _labelled(folded, match.start(), MY_NUMBER_LABEL):
            yield "my_number", match.start(), match.end()


def _resident_codes(folded: str) -> Iterator[Span]:
    for match in RESIDENT_CODE.finditer(folded):
        if _labelled(folded, match.start(), RESIDENT_CODE_LABEL, window=30):
            yield "resident_code", match.start(), match.end()


BANK = re.compile(
    r"(?:口座番号|普通預金|当座預金|総合口座|普通|当座|\(普\)|\(当\)|（普）|（当）)\s*(?:口座)?\s*(?:番号)?\s*[:は]?\s*"
    r"(?P<number>\d{6,8})(?!\d)")
YUCHO = re.compile(rf"(?<!\d)1\d{{4}}{DASH}\d{{7,8}}(?![\d-])")
YUCHO_PARTS = re.compile(r"記号\s*[:は]?\s*(?P<symbol>1\d{4})(?!\d)[\s、,]*番号\s*[:は]?\s*"
                         r"(?P<number>\d{7,8})(?!\d)")
YUCHO_LABEL = re.compile(r"ゆうちょ|郵便貯金|記号")


# The account holder's name in katakana right after the number (「普通 3456789 ハヤシ マサル」).
HOLDER = re.compile(r"\s*(?:名義人?\s*[:]?\s*)?(?P<name>[ァ-ヴーｦ-ﾟ]{2,}\s[ァ-ヴーｦ-ﾟ]{1,})")


def _bank_accounts(folded: str) -> Iterator[Span]:
    for match in BANK.finditer(folded):
        number = match.group("number")
        if len(number) == 7 or match.group().startswith("口座番号"):
            yield "bank_account", match.start("number"), match.end("number")
            yield from _holder(folded, match.end("number"))
    for match in YUCHO.finditer(folded):
        if _labelled(folded, match.start(), YUCHO_LABEL, window=24):
            yield "bank_account", match.start(), match.end()
            yield from _holder(folded, match.end())
    for match in YUCHO_PARTS.finditer(folded):
        yield "bank_account", match.start("symbol"), match.end("symbol")
        yield "bank_account", match.start("number"), match.end("number")


def _holder(folded: str, end: int) -> Iterator[Span]:
    holder = HOLDER.match(folded, end)
    if holder:
        yield "name", holder.start("name"), holder.end("name")


PHONE = re.compile(
    rf"""(?<![\d+\-.])(?:
        \+81[ -]?(?:\(0\))?\d{{1,4}}[ -]?\d{{1,4}}[ -]?\d{{3,4}}
      | \(0\d{{1,4}}\)[ ]?\d{{1,4}}{DASH}?\d{{3,4}}
      | 0\d{{1,4}}\(\d{{1,4}}\)\d{{3,4}}
      | 0\d{{1,4}}[ ]?{DASH}[ ]?\d{{1,4}}[ ]?{DASH}[ ]?\d{{3,4}}
      | 0\d{{1,4}}[ ]\d{{1,4}}[ ]\d{{3,4}}
      | 0\d{{9,10}}
    )(?![\d]|-\d)""",
    re.VERBOSE,
)


def valid_phone(number: str) -> bool:
    """Japanese numbering: 10 digits (fixed, 0120) or 11 (070/080/090 mobile, 050 IP, 0800 free dial)."""
    digits = re.sub(r"\D", "", number)
    if number.startswith("+81"):
        digits = "0" + digits[2:].removeprefix("0")
    if len(digits) == 10:
        return digits[1] != "0"
    return len(digits) == 11 and digits[2] == "0" and digits[1] in "5789"


def _phones(folded: str) -> Iterator[Span]:
    for match in PHONE.finditer(folded):
        if valid_phone(match.group()):
            yield "phone", match.start(), match.end()


EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def _emails(folded: str) -> Iterator[Span]:
    for match in EMAIL.finditer(folded):
        yield "email", match.start(), match.end()


# ---------------------------------------------------------------- birth dates

KANJI_NUMBER = "[〇一二三四五六七八九十]{1,3}"
NUM = rf"(?:\d{{1,2}}|{KANJI_NUMBER})"
DATE = re.compile(
    rf"""(?:
        (?:明治|大正|昭和|平成|令和)\s?(?:{NUM}|元)\s?年\s?{NUM}\s?月(?:\s?{NUM}\s?日)?
      | (?:西暦\s?)?(?<!\d)(?:19|20)\d\d\s?年\s?\d{{1,2}}\s?月(?:\s?\d{{1,2}}\s?日)?
      | (?<![A-Za-z0-9.])[MTSHR]\.?\s?\d{{1,2}}[./]\d{{1,2}}[./]\d{{1,2}}(?![\d])
      | (?<![\d/.-])(?:19|20)\d\d[/.-]\d{{1,2}}[/.-]\d{{1,2}}(?![\d])
      | (?<![\d年])\d{{1,2}}\s?月\s?\d{{1,2}}\s?日
      | (?:(?:明治|大正|昭和|平成|令和)\s?(?:{NUM}|元)|(?:西暦\s?)?(?<!\d)(?:19|20)\d\d)\s?年(?=\s?生)
    )""",
    re.VERBOSE,
)
BIRTH_BEFORE = re.compile(r"生年月日|誕生日|生まれ|出生|生誕")
BIRTH_AFTER = re.compile(r"\s?[(]?\s?(?:生まれ|生(?![活徒涯産鮮命物地])|誕生)")
RANGE_AFTER = re.compile(r"\s?(?:以降|以前|以後|から|まで|より|[~〜～]|-)")
# 「令和8年4月1日生まれの子から」「昭和30年生まれの方」 name a group of people, not one person's birthday.
COHORT_AFTER = re.compile(r"\s?(?:生まれ|生)(?:の|た)?(?:方|子|お子|児童|生徒|者|人|世代|皆)")
RANGE_BETWEEN = re.compile(r"\s?(?:から|より|[~〜～-])\s?")


def _birth_dates(folded: str) -> Iterator[Span]:
    previous: re.Match[str] | None = None
    for match in DATE.finditer(folded):
        if _is_birth_date(folded, match, previous):
            yield "birth_date", match.start(), match.end()
        previous = match


def _is_birth_date(folded: str, match: re.Match[str], previous: re.Match[str] | None) -> bool:
    start, end = match.span()
    after = folded[end:end + 8]
    if RANGE_AFTER.match(after) or COHORT_AFTER.match(after):
        return False  # 「昭和36年4月2日以降に生まれた方」 describes who is eligible, not someone's birthday
    if previous is not None and RANGE_AFTER.match(folded[previous.end():]) and RANGE_BETWEEN.fullmatch(
            folded[previous.end():start]):
        return False  # the end of 「平成17年4月2日から平成18年4月1日生まれ」
    before = folded[max(previous.end() if previous else 0, start - 15):start]
    labelled = bool(BIRTH_BEFORE.search(before))
    return (labelled or bool(BIRTH_AFTER.match(after))) and _complete_enough(match.group(), labelled)


def _complete_enough(date: str, labelled: bool) -> bool:
    """A year at least (「昭和50年3月生まれ」); a bare 「5月5日」 only right after 誕生日 or 生年月日."""
    has_year = bool(re.search(r"年|^[MTSHR]|^\d{4}[/.-]", date))
    return has_year or labelled


# ---------------------------------------------------------------- addresses

KANJI = "\u4e00-\u9fff々〆ヶケ"
PREFECTURE = rf"(?:東京都|北海道|(?:京都|大阪)府|[{KANJI}]{{2,3}}県)"
COUNTY = rf"[{KANJI}]{{1,4}}郡"
CITY = rf"(?:[{KANJI}]{{1,5}}?市(?:[{KANJI}]{{1,4}}?区)?|[{KANJI}]{{1,5}}?[町村]|(?<=東京都)[{KANJI}]{{1,4}}?区)"
DISTRICT = rf"(?:大字|字)?(?:[{KANJI}]{{1,6}}?(?:[がケヶ][{KANJI}]{{1,3}})?)?"
CHOME = rf"(?:\d{{1,2}}|{KANJI_NUMBER})丁目"
BANCHI = rf"[甲乙丙丁]?\d{{1,5}}(?:(?:番地|番|{DASH}|の)\d{{1,5}}){{0,3}}(?:番地|号)?"
HOUSE = rf"(?:{CHOME}(?:{BANCHI})?|{BANCHI})"
# Spaces (not line breaks) may part the prefecture, county and town; the house number follows without a gap, so
# a heading 「下仁田町 1 策定の意義」 is not an address.
ADDRESS = rf"(?:{PREFECTURE} ?)?(?:{COUNTY} ?)?{CITY} ?{DISTRICT}{HOUSE}"
# The house number must end the address (punctuation, space, kana): 「町村10団体」「地区3か所」 are counts.
ADDRESS_END = (r"(?!か所|カ所|ヶ所|ケ所|箇所|つ|こ|まで)"
               r"(?=$|[\s、。,.)(」』\]/・;:ァ-ヴぁ-ん]|付近|地先|先|周辺|地内|辺|宛|方|在住)")
POSTAL = re.compile(rf"〒\s?\d{{3}}{DASH}?\d{{4}}(?:\s*{ADDRESS}{ADDRESS_END})?")
ADDRESS_RE = re.compile(ADDRESS + ADDRESS_END)
# Words a match may start with that are labels, not part of the address (「現住所下仁田町…」).
ADDRESS_LABEL = re.compile(r"^(?:新?現?住所地?|所在地|居所|本籍地?|送付先|連絡先|転居先|転入先|転出先|旧住所|同)")


def _addresses(folded: str) -> Iterator[Span]:
    taken: list[tuple[int, int]] = []
    for match in POSTAL.finditer(folded):
        taken.append(match.span())
        yield "address", match.start(), match.end()
    for match in ADDRESS_RE.finditer(folded):
        start = match.start() + _label_length(match.group())
        if start < match.end() and not any(s <= start < e for s, e in taken):
            yield "address", start, match.end()


def _label_length(address: str) -> int:
    label = ADDRESS_LABEL.match(address)
    return label.end() if label else 0


# ---------------------------------------------------------------- names of people

HONORIFICS = frozenset({"様", "さま", "さん", "氏", "殿", "君", "くん", "ちゃん", "先生"})
ROLES = frozenset({
    "課長", "係長", "部長", "室長", "所長", "局長", "町長", "村長", "市長", "議員", "議長", "主事", "主任", "主査",
    "主幹", "技師", "保健師", "看護師", "教諭", "校長", "園長", "会長", "社長", "理事長", "委員", "委員長", "区長",
    "班長", "館長", "参事", "補佐", "宅", "家", "夫妻", "夫人", "副", "代表", "次長", "教育長", "署長", "院長",
    "事務局長", "組合長", "自治会長", "総代", "専門員", "支所長", "顧問", "相談員", "指導員", "支援員",
})
# Local places UniDic tags as surnames (中之条 → 人名 姓); said alone they are the place.
PLACE_NAMES = frozenset({
    "下仁田", "甘楽", "中之条", "小山", "松井田", "小幡", "荒船", "四万", "須走", "妙義", "富岡", "本宿", "南牧",
    "神流", "吾妻", "沢渡", "六合", "藤曲", "青倉", "馬山", "国峰", "秋畑", "白倉", "善慶寺", "本庄",
})
# Words before 様/さん/氏 that name a role or a group, not a person (「お客様」「皆さん」「農協さん」).
NOT_NAMES = frozenset({
    "農協", "役場", "銀行", "郵便局", "先方", "貴社", "御社", "弊社", "当社", "各位", "本人", "家族", "主人", "旦那",
    "子供", "息子", "両親", "先生", "医者", "皆様", "担当", "管理人", "事務局", "会社", "病院", "施設", "学校",
    "大家", "近所", "相手", "患者", "町民", "住民", "村民", "市民", "県民", "区民", "同", "両", "各", "奥", "神",
})
NOT_NAME_ENDINGS = ("者", "社", "員", "方", "人", "屋", "家", "達", "ら", "所", "局", "課", "会", "店", "館", "園")
PLACE_BEFORE = frozenset({"町", "村", "市", "郡", "県", "区", "大字", "字", "都", "府"})
KANA = "ァ-ヴーｦ-ﾟ"  # full- and half-width katakana
NAME_CHARS = f"[{KANJI}{KANA}ぁ-ん・･]"
FIELD_LABEL = re.compile(
    r"(?:お?名前|氏名(?:\(カナ\)|\(フリガナ\))?|(?:申請者|代表者|届出人|世帯主|相談者|保護者|請求者|記入者|連絡者|同行者|"
    r"受取人|名義人|口座名義人?|担当者?|利用者)(?:氏名|名)?|フリガナ|ふりがな)\s*[:]\s*"
    rf"(?P<name>{NAME_CHARS}{{1,10}}(?:\s{NAME_CHARS}{{1,10}})?)(?!\s*[:{KANJI}])")
# Family members written 「長女 千葉 舞」 on forms: a relation, then family and given name apart.
RELATION = re.compile(rf"(?:長男|長女|次男|次女|三男|三女|妻|夫|父|母|義父|義母|祖父|祖母|孫|兄|姉|弟|妹|配偶者)\s"
                      rf"(?P<name>[{KANJI}]{{1,4}}\s[{KANJI}{KANA}ぁ-ん]{{1,4}})(?![{KANJI}{KANA}ぁ-ん])")
# A reading right after a name: 「石井 美咲（ｲｼｲ ﾐｻｷ）」.
READING = re.compile(rf"\s?(?:様|さん|氏|殿)?\s?\(\s?(?P<name>[{KANA}]+(?:\s[{KANA}]+)?)\s?\)")
DEPARTMENT = re.compile(rf"^[{KANJI}{KANA}]*(?:課|係|室|局|部|所|班|館|センター|担当)(?:\s|$)")
NAME_TAIL = re.compile(r"(?:です|でした|さん|さま|様|氏|殿|くん|ちゃん|君|の|は|が|を|に|と|へ|から|より)$")
TITLES = re.compile(r"^(?:代表取締役|取締役|代表理事|理事長|会長|社長|町長|区長|自治会長)\s?")


@dataclass(frozen=True)
class _Token:
    surface: str
    start: int
    end: int
    pos1: str
    pos2: str
    pos3: str
    pos4: str
    unknown: bool

    @property
    def person(self) -> bool:
        # UniDic guesses unknown Latin words (ABC, NTT) as names; an acronym is not a person.
        return self.pos3 == "人名" and self.pos4 in ("姓", "名", "一般") and not re.fullmatch(r"[A-Z0-9&.]+",
                                                                                         self.surface)

    def joins(self, other: _Token, text: str) -> bool:
        """`other` follows with nothing between, or one space ("高橋 花子")."""
        gap = text[self.end:other.start]
        return gap == "" or (gap in (" ", "\u3000") and self.pos4 == "姓" and other.pos4 == "名")


# MeCab slows down on very long runs of one script (it groups unknown words); no name is that long.
LONG_RUN = re.compile(r"[\x21-\x7e]{32,}|[ァ-ヴー]{48,}|[ｦ-ﾟ]{48,}|[０-９Ａ-Ｚａ-ｚ]{32,}")


def _tokens(text: str) -> list[_Token]:
    text = LONG_RUN.sub(lambda run: " " * len(run.group()), text)  # same length: spans carry over
    tokens: list[_Token] = []
    position = 0
    for node in tagger()(text):
        surface = node.surface
        start = text.find(surface, position) if surface else position
        start = position if start < 0 else start
        position = start + len(surface)
        feature: Any = node.feature
        if feature.pos1 in ("空白",) or not surface.strip():
            continue
        tokens.append(_Token(surface, start, position, feature.pos1, feature.pos2 or "", feature.pos3 or "",
                             feature.pos4 or "", bool(node.is_unk)))
    return tokens


def _names(text: str, folded: str) -> Iterator[Span]:
    tokens = _tokens(text)
    spans = [*_person_tokens(tokens, text), *_honoured(tokens, text), *_fields(folded)]
    for match in RELATION.finditer(folded):
        spans.append(("name", match.start("name"), match.end("name")))
    for kind, start, end in spans:
        start, end = _whole_katakana(folded, start, end)
        yield kind, start, end
        reading = READING.match(folded, end)
        if reading:
            yield "name", reading.start("name"), reading.end("name")


def _fields(folded: str) -> Iterator[Span]:
    """Labelled form fields: 「氏名：山田 太郎」, without a department before (「担当：総務課 清水」)."""
    for match in FIELD_LABEL.finditer(folded):
        start, end = _trimmed(folded, match.start("name"), match.end("name"))
        department = DEPARTMENT.match(folded[start:end])
        if department:
            start += department.end()
        if end > start:
            yield "name", start, end


def _whole_katakana(folded: str, start: int, end: int) -> tuple[int, int]:
    """A foreign name is written as one run of katakana and ・ (「グエン・ヴァン・アン」), though UniDic splits it."""
    run = f"[{KANA}・･]"
    if re.fullmatch(f"{run}+", folded[start:end]):
        while start > 0 and re.match(run, folded[start - 1]):
            start -= 1
        while end < len(folded) and re.match(run, folded[end]):
            end += 1
    return start, end


def _person_tokens(tokens: list[_Token], text: str) -> Iterator[Span]:
    """Runs of 人名 tokens (姓 + 名), kept when the context says they are a person, not a place."""
    i = 0
    while i < len(tokens):
        if not tokens[i].person:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and tokens[j + 1].person and tokens[j].joins(tokens[j + 1], text):
            j += 1
        i = _with_unknown_before(tokens, i, text)
        if _is_person(tokens, i, j, text):
            yield "name", tokens[i].start, tokens[j].end
        i = j + 1


def _with_unknown_before(tokens: list[_Token], i: int, text: str) -> int:
    """An unknown kanji word right before a given name is most likely a rare surname (髙橋花子)."""
    if (i > 0 and tokens[i].pos4 == "名" and tokens[i - 1].unknown and tokens[i - 1].end == tokens[i].start
            and re.fullmatch(f"[{KANJI}]{{1,3}}", tokens[i - 1].surface)):
        return i - 1
    return i


def _is_person(tokens: list[_Token], i: int, j: int, text: str) -> bool:
    after = _next(tokens, j, text)
    if after is not None and (after.surface in HONORIFICS or after.surface in ROLES):
        return True
    if _label_before(tokens, i, text):
        return True
    surface = text[tokens[i].start:tokens[j].end]
    if after is not None and after.pos1 in ("名詞", "接尾辞"):
        return False  # 荒船山, 山田川, 佐藤建設: a place or a business
    if _place_before(tokens, i) or surface in PLACE_NAMES:
        return False
    kinds = {token.pos4 for token in tokens[i:j + 1]}
    if "姓" in kinds and ("名" in kinds or j > i):
        # 姓 + 名; a one-kanji surname run into a given name is as often a split word (周知広報 → 周 + 知広)
        return len(tokens[i].surface) > 1 or text[tokens[i].end:tokens[i + 1].start] != ""
    return kinds == {"姓"} and len(surface) >= 2  # a surname alone (「担当の渡辺」), not 「開」「周」


def _next(tokens: list[_Token], j: int, text: str) -> _Token | None:
    """The token right after `j`, allowing one space before an honorific (「鏑木 様」)."""
    if j + 1 >= len(tokens):
        return None
    after = tokens[j + 1]
    gap = text[tokens[j].end:after.start]
    if gap == "" or (gap in (" ", "\u3000") and after.surface in HONORIFICS):
        return after
    return None


def _label_before(tokens: list[_Token], i: int, text: str) -> bool:
    before = text[max(0, tokens[i].start - 8):tokens[i].start]
    return bool(re.search(r"(?:氏名|名前|申請者|代表者|届出人|世帯主|相談者|保護者|担当者?|職員|来庁者)\s*[:：]?\s*$",
                          before))


def _place_before(tokens: list[_Token], i: int) -> bool:
    if i == 0 or tokens[i - 1].end != tokens[i].start:
        return False
    before = tokens[i - 1]
    return before.surface in PLACE_BEFORE or before.pos3 == "地名"


def _honoured(tokens: list[_Token], text: str) -> Iterator[Span]:
    """「四十物様」: a word UniDic does not know as a name, right before 様・さん・氏・殿."""
    for k, token in enumerate(tokens):
        if token.surface not in ("様", "さま", "さん", "氏", "殿") or k == 0:
            continue
        before = tokens[k - 1]
        if before.person or text[before.end:token.start] not in ("", " ", "\u3000"):
            continue
        if _could_be_name(before) and not (k >= 2 and tokens[k - 2].pos1 == "接頭辞"
                                           and tokens[k - 2].end == before.start):
            yield "name", before.start, before.end


def _could_be_name(token: _Token) -> bool:
    surface = token.surface
    if token.pos1 != "名詞" or token.pos3 in ("地名", "組織") or surface in NOT_NAMES or surface in ROLES:
        return False
    if surface.endswith(NOT_NAME_ENDINGS) or not re.fullmatch(f"[{KANJI}]{{2,4}}|[ァ-ヴー]{{2,8}}", surface):
        return False
    # Companies and products (トヨタ様) are 固有名詞 一般; a rare surname is unknown or read as a common noun.
    return token.unknown or (token.pos2 == "普通名詞" and token.pos3 == "一般" and surface[0] not in KANA)


def _trimmed(folded: str, start: int, end: int) -> tuple[int, int]:
    """A labelled name without a title before it or an honorific or particle after it."""
    value = folded[start:end]
    title = TITLES.match(value)
    if title:
        start += title.end()
    while True:
        tail = NAME_TAIL.search(folded[start:end])
        if not tail or tail.start() == 0:
            break
        end = start + tail.start()
    return start, end
