"""What the demo towns' お知らせ look like: categories, 地区 and a few notices."""

from __future__ import annotations

from dataclasses import dataclass, field

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
        "日時: 10時から12時（日にちは「施設予約」の講座「スマホ教室（初めての方向け）」のページに載っています）\n"
        "会場: {town}公民館 第1会議室\n"
        "席の予約は講座のページからどうぞ。参加するかどうか、出席・欠席をこのお知らせから返信してください。",
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
