"""What each 警戒レベル means, in plain words: the 避難情報に関するガイドライン (内閣府, 令和3年) as residents
read it on the light disaster page, in Japanese (English through the translation files) and in やさしい日本語."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import AlertLevel

# The guideline's one-line call of each level (what every broadcast says).
CALLS: dict[int, Promise] = {
    AlertLevel.LEVEL3: _("危険な場所から高齢者等は避難"),
    AlertLevel.LEVEL4: _("危険な場所から全員避難"),
    AlertLevel.LEVEL5: _("命の危険 直ちに安全確保！"),
}

MEANINGS: dict[int, Promise] = {
    AlertLevel.LEVEL3: _("避難に時間のかかる高齢の方、障害のある方、乳幼児と一緒の方などは、"
                         "危険な場所から避難してください。"
                         "ほかの方も、いつでも避難できるように準備し、危ないと感じたら避難してください。"),
    AlertLevel.LEVEL4: _("危険な場所にいる方は、全員、今すぐ避難してください。"
                         "避難所へ向かうのがかえって危ないときは、"
                         "近くの頑丈な建物や、家の中のより安全な場所（2階以上、崖から離れた部屋）へ移ってください。"),
    AlertLevel.LEVEL5: _("災害がすでに起きているか、今にも起きそうです。"
                         "命を守るため、今いる場所より少しでも安全な場所へすぐに移ってください。"
                         "避難所へ向かうのが危ないときは、無理に向かわないでください。"),
}

# やさしい日本語 (Japanese for residents still learning it): written, not translated, so never through gettext.
EASY_LABELS: dict[int, str] = {
    AlertLevel.LEVEL3: "レベル3　お年寄り などは にげて ください",
    AlertLevel.LEVEL4: "レベル4　みんな にげて ください",
    AlertLevel.LEVEL5: "レベル5　命を まもって ください",
}
EASY_MEANINGS: dict[int, str] = {
    AlertLevel.LEVEL3: "お年寄りや 体の 不自由な 人、小さい 子どもが いる 人は、今すぐ 安全な 場所へ にげて ください。"
                       "ほかの 人も にげる 準備を して ください。",
    AlertLevel.LEVEL4: "危ない 場所に いる 人は、みんな 今すぐ にげて ください。外が 危ない ときは、"
                       "家の 2階など 高い ところへ 行って ください。",
    AlertLevel.LEVEL5: "命が 危ないです。今すぐ 少しでも 安全な 場所へ 行って ください。",
}

GUIDANCE: Promise = _(
    "テレビ・ラジオ、防災行政無線、町からのメールやLINEで、新しい情報を確かめてください。\n"
    "避難するときは、動きやすい服と靴で、飲み物・薬・懐中電灯・携帯電話の充電器を持って行きましょう。\n"
    "近所のお年寄りや体の不自由な方に声をかけ、一緒に避難してください。\n"
    "けがをした人がいるとき・火事のときは119番、事件のときは110番に電話してください。")
EASY_GUIDANCE = (
    "テレビ、ラジオ、町の 放送で 新しい ニュースを 聞いて ください。\n"
    "にげる ときは、水、薬、電話を 持って 行きましょう。\n"
    "近くの お年寄りに 声を かけて ください。\n"
    "けがや 火事の ときは 119に、事件の ときは 110に 電話して ください。")


def label(level: int | None, *, easy: bool = False) -> str:
    """「警戒レベル4 避難指示」 (or its やさしい日本語), "" for an alert without a level."""
    if level not in AlertLevel.values:
        return ""
    return EASY_LABELS[level] if easy else str(AlertLevel(level).label)


def meaning(level: int | None, *, easy: bool = False) -> str:
    if level not in AlertLevel.values:
        return ""
    return EASY_MEANINGS[level] if easy else str(MEANINGS[level])


def call(level: int | None) -> str:
    return str(CALLS[level]) if level in AlertLevel.values else ""
