"""What the demo towns offer online: categories, procedures (form file, owning department per town), life events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (slug, name); every demo town uses the same catalogue groups.
CATEGORIES = (
    ("childcare", "子育て・教育"),
    ("health-welfare", "健康・福祉"),
    ("living", "くらし・ごみ"),
    ("certificates", "税・証明書"),
    ("facilities", "施設・スポーツ"),
    ("business-grants", "事業者・補助金"),
    ("feedback", "ご意見"),
)


@dataclass(frozen=True)
class DemoProcedure:
    """A procedure as the demo offers it; `form` names demo/forms/<form>.json, `departments` is per town slug."""

    slug: str
    title: str
    category: str
    summary: str
    documents: str
    fee: str
    processing_days: int | None
    keywords: str
    departments: dict[str, str]
    # What the counter adds up and residents may pay online (applications/fees.py). 施設使用料 (by ordinance, with
    # reductions) is left unset: the counter says staff will tell the amount.
    fee_schedule: dict[str, Any] = field(default_factory=dict)

    @property
    def form(self) -> str:
        return self.slug


PROCEDURES = (
    DemoProcedure(
        "kokuho-kanyu", "国民健康保険 加入届（転入）", "health-welfare",
        "町に転入した方で、勤務先の健康保険などに加入していない方は、国民健康保険に加入する届出が必要です。"
        "転入日から14日以内に届け出てください。",
        "前の市町村の国民健康保険をやめた方: 特になし（資格は前の市町村で喪失します）\n"
        "勤務先の健康保険をやめた方: 健康保険資格喪失証明書",
        "無料", 3,
        "国保 こくほ コクホ 国民健康保険 こくみんけんこうほけん 加入 かにゅう 転入 てんにゅう テンニュウ "
        "引越し ひっこし",
        {"shimonita": "住民税務課"},
        fee_schedule={"yen": 0},
    ),
    DemoProcedure(
        "jidou-teate", "児童手当 認定請求", "childcare",
        "高校生年代までの子どもを養育している方に支給される児童手当の請求です。"
        "子どもが生まれたときや町に転入したときは、翌日から15日以内に請求してください。",
        "請求者名義の金融機関の口座が分かるもの\n厚生年金に加入している方: 健康保険の資格が分かる書類",
        "無料", 14,
        "児童手当 じどうてあて ジドウテアテ 子育て こそだて コソダテ 出生 しゅっせい 転入 てんにゅう 手当 てあて",
        {"shimonita": "福祉課", "kanra": "住民課", "nakanojo": "住民福祉課", "oyama": "住民福祉課"},
        fee_schedule={"yen": 0},
    ),
    DemoProcedure(
        "inu-henkou", "犬の登録事項変更届（所在地変更）", "living",
        "犬を連れて町に転入したときの届出です。前の市区町村の鑑札を、町の鑑札と無料で交換します。",
        "前の市区町村で交付された鑑札（後日、窓口で交換します）",
        "無料", 3,
        "犬 いぬ イヌ 登録 とうろく 変更 へんこう 転入 てんにゅう 鑑札 かんさつ ペット ぺっと",
        {"shimonita": "住民税務課"},
        fee_schedule={"yen": 0},
    ),
    DemoProcedure(
        "inu-touroku", "犬の登録申請", "living",
        "生後91日以上の犬を飼い始めたときは、30日以内に登録してください。登録は犬の生涯に1回です。",
        "狂犬病予防注射済証",
        "登録手数料 3,000円（鑑札は窓口または郵送でお渡しします）", 7,
        "犬 いぬ イヌ 登録 とうろく トウロク 狂犬病 きょうけんびょう 鑑札 かんさつ ペット ぺっと",
        {"shimonita": "住民税務課", "kanra": "住民課", "oyama": "住民福祉課"},
        fee_schedule={"yen": 3000},
    ),
    DemoProcedure(
        "sodai-gomi", "粗大ごみ収集申込", "living",
        "ごみ集積所に出せない大きなごみ（家具・自転車など）の戸別収集を申し込めます。",
        "処理券番号（申込のあとオンラインで手数料を支払うと表示されます。紙に書いて品目に貼ってください）",
        "1点につき 500円（ソファ・ベッド・たんすは 1,000円、布団は 300円）", 7,
        "粗大ごみ そだいごみ ソダイゴミ ごみ ゴミ 家具 かぐ 収集 しゅうしゅう 引越し ひっこし 処理券",
        {"shimonita": "住民税務課", "nakanojo": "住民福祉課"},
        # 粗大ごみ処理手数料 per item, paid online after applying; each unit gets a 処理券番号 once paid.
        fee_schedule={"group": "items", "choice": "item", "per": "quantity", "yen": {
            "sofa": 1000, "bed": 1000, "mattress": 500, "chest": 1000, "desk": 500, "bicycle": 500,
            "carpet": 500, "futon": 300, "other": 500}, "online": True, "tickets": True,
         "revenue": "13-02-03"},
    ),
    DemoProcedure(
        "juminhyo-yuso", "住民票の写し等の郵送請求", "certificates",
        "役場に来られない方は、住民票の写しや戸籍証明書を郵送で請求できます。本人確認書類の写しを添付してください。",
        "本人確認書類の写し（運転免許証、マイナンバーカードなど）\n定額小為替（手数料分）",
        "住民票の写し 1通300円、戸籍謄本・抄本 1通450円（ほかに郵送料110円）", 7,
        "住民票 じゅうみんひょう ジュウミンヒョウ 戸籍 こせき コセキ 証明書 しょうめいしょ 郵送 ゆうそう",
        {"shimonita": "住民税務課", "kanra": "住民課", "nakanojo": "住民福祉課"},
        fee_schedule={"choice": "certificates", "per": "count", "yen": {
            "juminhyo_all": 300, "juminhyo_some": 300, "kisai": 300, "koseki": 450, "koseki_some": 450,
            "fuhyo": 300}, "postage": 110},
    ),
    DemoProcedure(
        "kouki-koureisha", "後期高齢者医療 各種届", "health-welfare",
        "後期高齢者医療制度の被保険者の住所・氏名の変更、資格確認書の再交付、葬祭費の申請をまとめて受け付けます。",
        "葬祭費の申請: 葬儀の領収書または会葬礼状、喪主名義の口座が分かるもの",
        "無料", 10,
        "後期高齢者 こうきこうれいしゃ コウキコウレイシャ 医療 いりょう 保険証 ほけんしょう 資格確認書 "
        "葬祭費 そうさいひ",
        {"shimonita": "保健課", "kanra": "健康課"},
        fee_schedule={"yen": 0},
    ),
    DemoProcedure(
        "kaigo-nintei", "介護保険 要介護・要支援認定申請", "health-welfare",
        "介護サービスを利用するには、要介護・要支援の認定が必要です。申請の後、認定調査員がご自宅などにうかがいます。",
        "介護保険被保険者証（65歳以上の方）\n医療保険の資格が分かるもの（40〜64歳の方）",
        "無料", 30,
        "介護 かいご カイゴ 要介護 ようかいご 要支援 ようしえん 認定 にんてい 介護保険 かいごほけん",
        {"shimonita": "保健課", "kanra": "健康課", "nakanojo": "住民福祉課", "oyama": "住民福祉課"},
        fee_schedule={"yen": 0},
    ),
    DemoProcedure(
        "shisetsu-shiyou", "公共施設 使用許可申請", "facilities",
        "町の施設を、施設予約では申し込めない使い方（営利目的の催し、数日にわたる貸切りなど）で使うための申請です。"
        "公民館・体育館・グラウンドの部屋を時間で借りるときは、「施設予約」から予約してください。",
        "減免を申請する場合: 団体の規約や名簿など、減免の理由が分かるもの",
        "施設予約の「（施設の名前）の使用料と予約のきまり」に掲げる使用料（減免あり）", 5,
        "施設 しせつ シセツ 体育館 たいいくかん 公民館 こうみんかん グラウンド ぐらうんど 予約 よやく 使用許可",
        {"shimonita": "教育課", "kanra": "教育課", "nakanojo": "教育課"},
    ),
    DemoProcedure(
        "taiyoko-hojo", "住宅用太陽光発電システム設置費補助金 交付申請", "business-grants",
        "自ら住む住宅に太陽光発電システムを設置する方に、費用の一部を補助します（1kWあたり2万円、上限10万円）。"
        "予算がなくなり次第終了します。着工前に申請してください。",
        "見積書の写し\n設置場所の配置図・写真（あれば）",
        "無料", 30,
        "太陽光 たいようこう タイヨウコウ 補助金 ほじょきん ホジョキン 発電 はつでん 省エネ しょうえね 住宅",
        {"kanra": "住民課", "oyama": "都市整備課"},
        fee_schedule={"yen": 0},
    ),
    DemoProcedure(
        "iken-youbou", "町へのご意見・ご要望", "feedback",
        "町政やくらしについてのご意見・ご要望をお寄せください。お名前・連絡先の入力は任意です。",
        "", "無料", 14,
        "意見 いけん イケン 要望 ようぼう ヨウボウ 提案 ていあん 問い合わせ といあわせ 苦情",
        {"shimonita": "企画課", "kanra": "企画課", "nakanojo": "企画政策課", "oyama": "企画政策課"},
        fee_schedule={"yen": 0},
    ),
)


@dataclass(frozen=True)
class DemoLifeEvent:
    slug: str
    name: str
    description: str
    entries: tuple[tuple[str, str], ...]  # (procedure slug, note), in order; missing procedures are skipped
    only: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (town slug, procedure slugs): that town's exact list

    def entries_for(self, town_slug: str, offered: set[str]) -> list[tuple[str, str]]:
        """The entries a town shows: those it offers, limited to its own list when it has one."""
        wanted = dict(self.only).get(town_slug)
        return [(slug, note) for slug, note in self.entries
                if slug in offered and (wanted is None or slug in wanted)]


LIFE_EVENTS = (
    DemoLifeEvent(
        "moving-in", "引越し（転入）",
        "町に引っ越してきたときの手続です。転入届は窓口で行い、そのほかの手続はここからまとめて申請できます。",
        (("kokuho-kanyu", "国民健康保険に加入する方"),
         ("jidou-teate", "高校生年代までのお子さんがいる方"),
         ("inu-henkou", "犬を飼っている方"),
         ("inu-touroku", "町に来てから犬を飼い始めた方")),
        # 下仁田町 bundles exactly the three procedures residents moving in ask for together.
        only=(("shimonita", ("kokuho-kanyu", "jidou-teate", "inu-henkou")),)),
    DemoLifeEvent(
        "childbirth", "出産・子育て",
        "お子さんが生まれたとき、子育て中に必要な手続です。出生届は窓口で行ってください。",
        (("jidou-teate", "出生の翌日から15日以内"),)),
    DemoLifeEvent(
        "care", "介護",
        "ご家族の介護が必要になったときの手続です。まずは地域包括支援センターにご相談ください。",
        (("kaigo-nintei", "介護サービスを使い始めるとき"),
         ("kouki-koureisha", "75歳以上の方の保険の届出"))),
)
