"""What the demo towns' お知らせ look like: categories, 地区, 避難所 and a few notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

CATEGORIES = (
    ("bousai", "防災", "Disaster prevention", True),
    ("kurashi", "くらし", "Daily life", False),
    ("gomi", "ごみ", "Garbage and recycling", False),
    ("kosodate", "子育て", "Child raising", False),
    ("kenko", "健康", "Health", False),
    ("event", "イベント", "Events", False),
)

AREAS = {
    "shimonita": (("下仁田地区", "しもにた"), ("馬山地区", "うまやま"), ("小坂地区", "こさか"),
                  ("西牧地区", "さいもく"), ("青倉地区", "あおくら"), ("南野牧地区", "みなみのまき")),
    "kanra": (("小幡地区", "おばた"), ("新屋地区", "にいや"), ("秋畑地区", "あきはた"), ("福島地区", "ふくしま")),
    "nakanojo": (("中之条地区", "なかのじょう"), ("伊参地区", "いさま"), ("名久田地区", "なくた"),
                 ("沢田地区", "さわた"), ("六合地区", "くに")),
    "oyama": (("足柄地区", "あしがら"), ("北郷地区", "きたごう"), ("須走地区", "すばしり")),
}


@dataclass(frozen=True)
class ShelterItem:
    name: str
    area: str
    address: str
    capacity: int
    latitude: Decimal
    longitude: Decimal


# Demo values: plausible public buildings; addresses and positions are approximate, not the towns' official
# evacuation plans.
SHELTERS = {
    "shimonita": (
        ShelterItem("下仁田小学校 体育館", "下仁田地区", "群馬県甘楽郡下仁田町大字下仁田", 300,
                    Decimal("36.212000"), Decimal("138.788000")),
        ShelterItem("下仁田町文化ホール", "下仁田地区", "群馬県甘楽郡下仁田町大字下仁田", 400,
                    Decimal("36.213500"), Decimal("138.791000")),
        ShelterItem("馬山小学校 体育館", "馬山地区", "群馬県甘楽郡下仁田町大字馬山", 200,
                    Decimal("36.224000"), Decimal("138.770000")),
        ShelterItem("西牧公民館", "西牧地区", "群馬県甘楽郡下仁田町大字本宿", 80,
                    Decimal("36.236000"), Decimal("138.706000")),
    ),
    "kanra": (
        ShelterItem("小幡小学校 体育館", "小幡地区", "群馬県甘楽郡甘楽町大字小幡", 300,
                    Decimal("36.231000"), Decimal("138.921000")),
        ShelterItem("甘楽町文化会館", "福島地区", "群馬県甘楽郡甘楽町大字福島", 500,
                    Decimal("36.245000"), Decimal("138.918000")),
        ShelterItem("秋畑公民館", "秋畑地区", "群馬県甘楽郡甘楽町大字秋畑", 60,
                    Decimal("36.199000"), Decimal("138.887000")),
    ),
    "nakanojo": (
        ShelterItem("中之条小学校 体育館", "中之条地区", "群馬県吾妻郡中之条町大字中之条町", 350,
                    Decimal("36.589000"), Decimal("138.842000")),
        ShelterItem("ツインプラザ", "中之条地区", "群馬県吾妻郡中之条町大字中之条町", 400,
                    Decimal("36.587000"), Decimal("138.845000")),
        ShelterItem("六合小学校 体育館", "六合地区", "群馬県吾妻郡中之条町大字小雨", 150,
                    Decimal("36.665000"), Decimal("138.615000")),
    ),
    "oyama": (
        ShelterItem("小山町総合文化会館", "北郷地区", "静岡県駿東郡小山町阿多野", 600,
                    Decimal("35.352000"), Decimal("138.978000")),
        ShelterItem("須走小学校 体育館", "須走地区", "静岡県駿東郡小山町須走", 300,
                    Decimal("35.366000"), Decimal("138.905000")),
        ShelterItem("足柄小学校 体育館", "足柄地区", "静岡県駿東郡小山町竹之下", 250,
                    Decimal("35.338000"), Decimal("139.004000")),
    ),
}


@dataclass(frozen=True)
class NoticeItem:
    title: str
    category: str
    body: str
    published_days_ago: int
    easy_title: str = ""
    easy_body: str = ""
    expires_in_days: int | None = None
    reply_kind: str = ""
    reply_choices: tuple[str, ...] = ()
    reply_deadline_days: int | None = None
    department: dict[str, str] = field(default_factory=dict)


HEALTH = {"shimonita": "保健課", "kanra": "健康課", "nakanojo": "住民福祉課", "oyama": "健康増進課"}

NOTICES = (
    NoticeItem(
        "ごみ収集日の変更", "gomi",
        "年末年始は、ごみの収集日が変わります。\n"
        "12月30日（火）から1月3日（土）まではお休みです。1月5日（月）から通常どおり収集します。\n"
        "くわしくは{town}役場 住民課（{phone}）までお問い合わせください。",
        3, easy_title="ごみを 集める 日が かわります",
        easy_body="12月30日から 1月3日まで ごみを 集めません。\n1月5日から また 集めます。",
    ),
    NoticeItem(
        "健康診断のご案内", "kenko",
        "40歳以上の方を対象に、特定健康診査を行います。\n"
        "受診券は5月下旬にお送りしています。会場と日程は町のホームページをご覧ください。\n"
        "問い合わせ: {town}役場（{phone}）",
        7, department=HEALTH,
    ),
    NoticeItem(
        "スマホ教室（1月）のご案内", "event",
        "スマートフォンの基本的な使い方を学ぶ教室を開きます。はじめての方も歓迎です。\n"
        "日時: 1月の第2土曜日 10時から12時\n会場: 中央公民館\n"
        "出席・欠席をこのお知らせから返信してください。",
        1, easy_title="スマホの 教室が あります",
        easy_body="スマホの 使い方を 学びます。\n来る か 来ない か 返事を してください。",
        reply_kind="yes_no", reply_choices=("出席", "欠席"), reply_deadline_days=30,
    ),
    NoticeItem(
        "秋の交通安全運動（終了しました）", "kurashi",
        "秋の全国交通安全運動にご協力いただき、ありがとうございました。",
        60, expires_in_days=-30,
    ),
)
