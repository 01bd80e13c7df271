"""Words residents and the town's documents use for the same thing, folded to one search term.

Each group's first word is the term kept. Lemmas come from UniDic, so both ごみ and ゴミ already read 塵."""

from __future__ import annotations

GROUPS: tuple[tuple[str, ...], ...] = (
    ("粗大塵", "大型塵", "大きな塵"),
    ("テレワーク", "リモートワーク", "在宅勤務", "リモート勤務"),
    ("マイナンバー", "個人番号"),
    ("マイナンバーカード", "個人番号カード", "マイナカード"),
    ("住民票", "住民票の写し"),
    ("転入", "引っ越し", "引越し", "引越"),
    ("子育て", "育児"),
    ("保育所", "保育園"),
    ("ワクチン", "予防接種"),
    ("避難所", "避難場所"),
    ("オンライン申請", "電子申請", "ネット申請"),
    ("ホームページ", "ウェブサイト", "hp", "サイト"),
    ("スマートフォン", "スマホ"),
    ("パソコン", "pc"),
    ("ai", "人工知能"),
    ("dx", "デジタルトランスフォーメーション", "デジタル変革"),
    ("wi-fi", "wifi", "無線lan", "公衆無線lan"),
    ("職員", "町職員", "役場職員"),
    ("役場", "町役場", "庁舎"),
)

# Abbreviations that stand for several words (減免 = 減額 and 免除): each also yields the words it stands for.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "減免": ("減額", "免除"),
    "改廃": ("改正", "廃止"),
    "増減": ("増額", "減額"),
}

_CANONICAL = {word: group[0] for group in GROUPS for word in group}


def canonical(term: str) -> str:
    return _CANONICAL.get(term, term)
