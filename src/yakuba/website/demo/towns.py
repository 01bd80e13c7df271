"""What each demo town's site says, from its plan (seeds 000 and 004 下仁田町, 001 中之条町, 002 甘楽町, 003 小山町) and
the demo's own data (its procedures and facilities are linked by name, never retyped). Events are dated from the day
the demo is loaded, so they are always ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..models import PageKind
from .kit import Spec, Words, faq, h, link, t, ul

K = PageKind


@dataclass(frozen=True)
class Look:
    colour: str  # white text on it reaches 4.5:1 (checked by the loader)
    letter: str  # drawn in the emblem
    tagline: str
    tagline_en: str
    tagline_easy: str = ""


LOOKS = {
    # 000: 目指す姿「誰も取り残さないDXで ひとと暮らしと未来が輝く下仁田町へ」
    "shimonita": Look("#2d6a2e", "S", "誰も取り残さないDXで ひとと暮らしと未来が輝く下仁田町へ",
                      "Shimonita: digital services that leave no one behind",
                      "だれも とりのこさない まちへ"),
    # 002: まちの将来像「しあわせホームタウン甘楽」
    "kanra": Look("#7b2d6b", "K", "しあわせホームタウン甘楽", "Kanra, a happy hometown"),
    # 001: 「誰一人取り残さない」デジタル化 (推進手法)
    "nakanojo": Look("#005f6b", "N", "誰一人取り残さないデジタル化で、暮らしをもっと便利に",
                     "Nakanojo: making daily life easier with digital services for all"),
    # 003: 基本理念「デジタルで人と地域が〈つながる〉まち 小山町」
    "oyama": Look("#1c4f8a", "O", "デジタルで人と地域が〈つながる〉まち 小山町",
                  "Oyama, where people and places connect through digital services"),
}

SECTIONS = (
    ("kurashi", "くらし・手続き", "引越し、戸籍・住民票、税、ごみ、公共施設など。", ("住民", "総務")),
    ("kosodate", "子育て・教育", "妊娠・出産、児童手当、保育、学校。", ("福祉", "教育", "住民")),
    ("kenko", "健康・福祉", "健診、予防接種、国民健康保険、介護。", ("保健", "健康", "福祉")),
    ("bousai", "防災・安全", "避難所、防災情報の受け取り方、災害への備え。", ("総務",)),
    ("kanko", "観光・文化", "町の見どころ、催し、歴史と文化。", ("産業", "農林", "地域", "企画", "教育")),
    ("chosei", "町政・まちづくり", "計画、予算、広報、議会、町へのご意見。", ("企画", "総務")),
)


def event(day: date, hour: int, hours: int = 2) -> dict[str, str]:
    return {"starts": f"{day.isoformat()}T{hour:02d}:00", "ends": f"{day.isoformat()}T{hour + hours:02d}:00"}


def sections() -> list[Spec]:
    return [Spec(slug, K.SECTION, title, summary, owner=owner) for slug, title, summary, owner in SECTIONS]


def shared(town: str, today: date) -> list[Spec]:
    """Pages every demo town has besides the five common ones."""
    return [
        Spec("kurashi/gomi", K.SECTION, "ごみ・リサイクル", "ごみの分け方・出し方、粗大ごみ。", owner=("住民", "建設")),
        Spec("kurashi/gomi/dashikata", K.FAQ, "ごみの出し方 よくある質問", "収集日の朝8時30分までに出してください。",
             (faq("ごみは何時までに出せばよいですか。", "収集日の朝8時30分までに、決められた集積所に出してください。"),
              faq("引越しで大量のごみが出ます。",
                  "集積所には出さず、粗大ごみの申込か、処理施設への持ち込みをご利用ください。")),
             owner=("住民", "建設")),
        Spec("kurashi/shisetsu", K.SECTION, "公共施設", "公民館・体育館などの施設の案内と予約。", owner=("教育",)),
        Spec("kosodate/jidou-teate", K.PROCEDURE, "児童手当",
             "高校生年代までの子どもを育てている方に支給されます。出生や転入の翌日から15日以内に請求してください。",
             (h("対象"), t("高校生年代まで（18歳になった後の最初の3月31日まで）の子どもを養育している方"),
              h("請求の期限"), t("子どもが生まれた日や町に転入した日の翌日から15日以内に請求してください。"
                               "遅れると、遅れた月の分は受け取れません。"),
              h("必要なもの"), t(ul("請求者名義の金融機関の口座が分かるもの",
                               "厚生年金に加入している方は、健康保険の資格が分かる書類")),
              h("オンラインで請求する"), t("マイナンバーカードがなくても、オンラインで請求できます。")),
             owner=("福祉", "住民"),
             details={"procedure": "jidou-teate", "who": "高校生年代までの子どもを養育している方",
                      "when": "出生・転入の翌日から15日以内", "fee": "無料", "online": "yes",
                      "bring": "請求者名義の口座が分かるもの",
                      "who_en": "Parents and guardians raising children up to high-school age",
                      "when_en": "Within 15 days of the day after a birth or a move into the town",
                      "fee_en": "No charge", "bring_en": "Details of a bank account in the claimant's name",
                      "who_easy": "こうこうせいまでの こどもを そだてている ひと",
                      "when_easy": "うまれた ひ、ひっこして きた ひの つぎの ひから 15にち いない",
                      "fee_easy": "おかねは いりません",
                      "bring_easy": "もうしこむ ひとの ぎんこうこうざが わかる もの"}),
        Spec("bousai/hinanjo", K.GENERAL, "避難所・避難場所",
             "避難所の一覧と開設状況は、防災情報のページで最新の情報を見られます。",
             (t("災害のときに開く避難所と、いま開いている避難所は、防災情報のページに町の一覧から表示しています。"),
              link("/bousai/", "防災情報のページで避難所の一覧と開設状況を見る"),
              h("日ごろの備え"), t(ul("家族で避難する場所と連絡方法を決めておく",
                                "非常持出品を用意する（水、食料、薬、懐中電灯）"))),
             owner=("総務",)),
        Spec("bousai/uketori", K.ARTICLE, "防災情報をメール・LINEで受け取る",
             "避難の情報や町からのお知らせを、メール・LINE・プッシュ通知で受け取れます。",
             (t("登録すると、避難指示などの緊急情報がすぐに届きます。"), link("/notices/subscribe/",
                                                    "お知らせの受け取りを登録する")),
             owner=("総務",), details={"date": (today - timedelta(days=40)).isoformat()}, age_days=40),
        Spec("chosei/dx-keikaku", K.ARTICLE, f"{town}DX推進計画",
             "デジタル技術で町民サービスと役場の仕事を変える計画と、その進み具合。",
             (t("計画の取組と指標、毎年度の進み具合を公開しています。"), link("/plans/", "DX推進計画と進捗を見る")),
             owner=("企画", "情報", "総務"), details={"date": (today - timedelta(days=60)).isoformat()}, age_days=60),
    ]


def shimonita(today: date) -> list[Spec]:
    """下仁田町: the site of plan 000 (ホームページの見直し, 構造化, 多言語, アクセシビリティ), a few dozen pages."""
    day = timedelta(days=1)
    return [
        # くらし・手続き
        Spec("kurashi/gomi/sodai", K.FAQ, "粗大ごみ よくある質問",
             "粗大ごみの出し方と手数料（ソファ・ベッドは1点1,000円）。",
             (faq("粗大ごみの手数料はいくらですか。",
                  "<p>1点につき500円です。ソファ・ベッド・たんすは1点1,000円、布団は300円です。</p>"),
              faq("ソファを捨てたいのですが。",
                  "<p>粗大ごみの収集を申し込んでください。手数料（1,000円）をオンラインで支払うと処理券番号が表示されます。"
                  "番号を紙に書いてソファに貼り、収集日の朝に出してください。</p>"),
              faq("申込から収集まで何日かかりますか。", "申込から1週間ほどで収集日をお知らせします。"),
              link("/procedures/sodai-gomi/", "粗大ごみ収集をオンラインで申し込む")),
             owner=("住民",), overdue=True),
        Spec("kurashi/gomi/sodai-moushikomi", K.PROCEDURE, "粗大ごみ収集の申込",
             "集積所に出せない家具・自転車などの戸別収集を申し込めます。",
             (t("オンラインで申し込み、手数料を支払うと処理券番号が表示されます。"),),
             owner=("住民",), details={"procedure": "sodai-gomi", "fee": "1点500円（ソファ・ベッド・たんすは1,000円）",
                                       "online": "yes"},
             easy=Words("おおきな ごみを だす", "かぐや じてんしゃを だす ときは もうしこみが いります。",
                        (t("インターネットで もうしこみが できます。おかねは 1つ 500えんです。"),))),
        Spec("kurashi/tennyu", K.PROCEDURE, "転入の手続き",
             "下仁田町に引越してきたときの届出です。引越しの日から14日以内に。",
             (h("届出の期限"), t("住み始めた日から14日以内に、役場の住民係で届け出てください。"),
              h("必要なもの"), t(ul("前の市区町村の転出証明書（マイナンバーカードでの転出は不要）", "本人確認書類")),
              h("あわせて必要な手続き"), t(ul("国民健康保険", "児童手当（お子さんがいる方）",
                                    "犬の登録変更（犬を飼っている方）"))),
             owner=("住民",), details={"who": "町に引越してきた方", "when": "住み始めた日から14日以内",
                                       "where": "役場 住民税務課 住民係", "fee": "無料"}),
        Spec("kurashi/juminhyo-yuso", K.PROCEDURE, "住民票の写しの郵送請求",
             "役場に来られない方は、郵送で請求できます。",
             (t("本人確認書類の写しを添えて、オンラインか郵送で請求してください。"),),
             owner=("住民",), details={"procedure": "juminhyo-yuso", "fee": "1通300円"}),
        Spec("kurashi/inu-touroku", K.PROCEDURE, "犬の登録",
             "生後91日以上の犬は、登録と年1回の狂犬病予防注射が必要です。",
             (t("犬を飼い始めたら30日以内に登録してください。"),),
             owner=("住民",), details={"procedure": "inu-touroku", "when": "飼い始めてから30日以内"}),
        Spec("kurashi/mynumber", K.FAQ, "マイナンバーカード よくある質問", "申請、受取、電子証明書の更新について。",
             (faq("マイナンバーカードはどこで受け取れますか。",
                  "<p>役場の住民係で受け取れます。交付通知書（はがき）が届いたら、予約をしてからお越しください。</p>"),
              faq("受取の予約はできますか。", "<p>はい。オンラインで受取の日時を予約できます。</p>"),
              faq("電子証明書の有効期限が切れそうです。",
                  "<p>有効期限の3か月前から更新できます。本人確認書類を持って窓口へ。</p>"),
              link("/reservations/appointments/mynumber-card/", "マイナンバーカードの受取を予約する")),
             owner=("住民",), overdue=True),
        Spec("kurashi/zei", K.ARTICLE, "町税の納期", "町県民税・固定資産税・軽自動車税・国民健康保険税の納期です。",
             (t(ul("固定資産税：4月・7月・12月・2月", "町県民税：6月・8月・10月・1月", "軽自動車税：5月")),
              t("納付が難しいときは、早めに納税相談をご予約ください。"),
              link("/reservations/appointments/nouzei-soudan/", "納税相談を予約する")),
             owner=("税務", "住民"), details={"date": (today - 100 * day).isoformat()}, age_days=100),
        # 子育て・教育
        Spec("kosodate/nyugaku", K.ARTICLE, "小学校に入学するお子さんへ",
             "入学通知書の送付と就学時健康診断の案内です。",
             (t("来年4月に小学校に入学するお子さんのいる家庭に、1月に入学通知書を送ります。"),),
             owner=("教育",), details={"date": (today - 20 * day).isoformat()}, age_days=20),
        Spec("kosodate/faq", K.FAQ, "子育て よくある質問", "子育て支援センター、医療費、保育園について。",
             (faq("子どもの医療費はかかりますか。", "<p>高校生年代まで、保険診療の自己負担分を町が助成します。</p>"),
              faq("子育て支援センターは予約が必要ですか。", "<p>親子ひろばは予約なしで使えます。</p>")),
             owner=("福祉",)),
        Spec("kosodate/oyako-hiroba", K.EVENT, "親子ひろば「ねぎぼうずの会」",
             "未就学のお子さんと保護者が一緒に遊べる会です。",
             (t("手遊びや絵本の読み聞かせをします。申込は不要です。"),),
             owner=("福祉",), details={**event(today + 18 * day, 10), "place": "子育て支援センター", "fee": "無料",
                                       "organizer": "福祉課"}),
        # 健康・福祉
        Spec("kenko/kokuho", K.PROCEDURE, "国民健康保険に入るとき",
             "転入や退職で国民健康保険に加入する届出です。14日以内に。",
             (t("勤務先の健康保険をやめた方は、資格喪失証明書をお持ちください。"),),
             owner=("住民",), details={"procedure": "kokuho-kanyu", "when": "14日以内", "fee": "無料"}),
        Spec("kenko/kaigo-nintei", K.PROCEDURE, "介護保険の要介護認定", "介護サービスを使うための認定の申請です。",
             (t("申請の後、調査員がご自宅を訪ねて心身の状態をうかがいます。"),
              link("/reservations/appointments/kaigo-soudan/",
                                                                  "介護の相談を予約する")),
             owner=("福祉",), details={"procedure": "kaigo-nintei"}),
        Spec("kenko/kenshin", K.EVENT, "町民健診（集団健診）", "特定健診・がん検診を町の会場で受けられます。",
             (t("対象の方には受診券を送ります。受診券と保険証を持ってお越しください。"),),
             owner=("保健",), details={**event(today + 45 * day, 8, 4), "place": "下仁田町保健センター",
                                       "fee": "500円（70歳以上は無料）", "organizer": "保健課"}),
        Spec("kenko/kenko-zukuri", K.GENERAL, "健康づくりの取り組み", "ウォーキング教室や食生活の相談など。",
             (t("保健師と栄養士が、健康づくりの相談に応じます。お気軽に保健課へ。"),), owner=("保健",), overdue=True),
        Spec("kenko/smartphone", K.EVENT, "移動型スマホ教室",
             "地区の公民館を回って、スマートフォンの使い方を教えます。",
             (t("マイナンバーカードの使い方や、オンライン申請のしかたも練習できます。"),),
             owner=("企画", "総務"), details={**event(today + 25 * day, 13), "place": "下仁田町公民館", "fee": "無料",
                                              "organizer": "企画課"}),
        # 防災・安全
        Spec("bousai/hazard-map", K.ARTICLE, "ハザードマップ",
             "土砂災害・洪水の危険がある場所と避難所を地図で確かめてください。",
             (t("町内には土砂災害警戒区域が多くあります。ご自宅の周りの危険と、避難の経路を確かめておきましょう。"),),
             owner=("総務",), details={"date": (today - 200 * day).isoformat()}, age_days=200),
        Spec("bousai/faq", K.FAQ, "災害のとき よくある質問", "避難のタイミング、避難所の持ち物。",
             (faq("いつ避難すればよいですか。",
                  "<p>警戒レベル3（高齢者等避難）で、お年寄りや体の不自由な方は避難を始めてください。"
                  "警戒レベル4（避難指示）で全員が避難します。</p>"),
              faq("避難所に何を持っていけばよいですか。",
                  "<p>水、食料、常備薬、マスク、スリッパ、携帯電話の充電器。</p>")),
             owner=("総務",)),
        Spec("bousai/kunren", K.EVENT, "総合防災訓練", "地区ごとの避難訓練と、避難所の開設訓練をします。",
             (t("当日は防災行政無線で訓練の放送をします。"),),
             owner=("総務",), details={**event(today + 60 * day, 9, 3), "place": "下仁田小学校ほか", "fee": "無料",
                                       "organizer": "総務課"}),
        # 観光・文化
        Spec("kanko/negi", K.ARTICLE, "下仁田ねぎ", "太く短く、煮ると甘くとろける冬の味。",
             (t("下仁田ねぎは、加熱すると甘みが増す町の特産品です。11月から1月が旬です。"),),
             owner=("農林",), details={"date": (today - 50 * day).isoformat()}, age_days=50),
        Spec("kanko/konnyaku", K.ARTICLE, "こんにゃく",
             "こんにゃく芋の栽培から加工まで、町の暮らしを支えてきた産業です。",
             (t("町内にはこんにゃくの工場と直売所があり、見学できるところもあります。"),),
             owner=("農林",), details={"date": (today - 80 * day).isoformat()}, age_days=80),
        Spec("kanko/arafune-fuketsu", K.ARTICLE, "荒船風穴", "世界遺産「富岡製糸場と絹産業遺産群」の構成資産の一つ。",
             (t("明治から昭和にかけて、岩の間から吹き出す冷たい風で蚕の卵を保存した日本最大級の蚕種貯蔵施設です。"),),
             owner=("教育",), details={"date": (today - 300 * day).isoformat()}, age_days=300, overdue=True),
        Spec("kanko/geopark", K.ARTICLE, "下仁田ジオパーク", "大地の成り立ちを間近に見られる町。",
             (t("根無し山（クリッペ）など、日本列島の成り立ちを物語る地形と地質が見られます。"),),
             owner=("教育",), details={"date": (today - 150 * day).isoformat()}, age_days=150),
        Spec("kanko/negi-matsuri", K.EVENT, "下仁田ねぎ祭",
             "とれたての下仁田ねぎとこんにゃくの販売、ねぎ汁のふるまい。",
             (t("駐車場に限りがあります。乗り合わせてお越しください。"),),
             owner=("農林",), details={**event(today + 32 * day, 9, 6), "place": "下仁田町役場周辺", "fee": "入場無料",
                                       "organizer": "下仁田ねぎ祭実行委員会"}),
        Spec("kanko/archive", K.ARTICLE, "デジタルアーカイブ",
             "町の歴史・文化の資料を、いつでもどこからでも見られるようにします。",
             (t("古文書や写真を順にデジタル化して公開します（DX推進計画の取組）。"),),
             owner=("教育",), details={"date": (today - 10 * day).isoformat()}, age_days=10),
        # 町政・まちづくり
        Spec("chosei/goiken", K.PROCEDURE, "DXご意見箱（町へのご意見・ご要望）",
             "町のデジタル化やサービスについてのご意見をお寄せください。",
             (t("いただいたご意見は担当課で読み、町の取組に生かします。"),),
             owner=("企画",), details={"procedure": "iken-youbou", "online": "yes", "fee": "無料"}),
        Spec("chosei/kouhou", K.ARTICLE, "広報しもにた", "毎月1日発行の町の広報紙。",
             (t("各地区の区長を通じて全戸に配布しています。"),),
             owner=("総務",), details={"date": (today - 5 * day).isoformat()}, age_days=5),
        Spec("chosei/yosan", K.ARTICLE, "予算と決算", "町の予算・決算の概要。",
             (t("当初予算の概要を公開しています。"),),
             owner=("総務",), details={"date": (today - 240 * day).isoformat()}, age_days=240),
        Spec("chosei/gikai", K.ARTICLE, "町議会", "議会の日程と会議の資料。",
             (link("/meetings/", "議会・会議の日程と資料を見る"),), owner=("議会",),
             details={"date": (today - 30 * day).isoformat()}),
        # お知らせ記事
        Spec("kurashi/nenmatsu-gomi", K.ARTICLE, "年末年始のごみ収集", "12月31日から1月3日までは収集がありません。",
             (t("年末は12月30日が最後の収集です。"),), owner=("住民",),
             details={"date": (today - 3 * day).isoformat()}, age_days=3),
        Spec("chosei/site-renewal", K.ARTICLE, "ホームページを新しくしました",
             "スマートフォンで見やすく、英語とやさしい日本語でも読めるようにしました。",
             (t("全ページの内容を担当課で確かめ（棚卸し）、手続きや施設の情報を整理しました。"),),
             owner=("企画", "総務"), details={"date": (today - 1 * day).isoformat()}, age_days=1),
    ]


def nakanojo(today: date) -> list[Spec]:
    day = timedelta(days=1)
    return [
        Spec("kanko/shima-onsen", K.ARTICLE, "四万温泉", "「四万（よんまん）の病を癒す」と伝わる、清流沿いの温泉地。",
             (t("四万川の青い流れ「四万ブルー」と、歴史ある湯宿が魅力です。"),), owner=("地域", "企画"),
             details={"date": (today - 90 * day).isoformat()}, age_days=90),
        Spec("kanko/sawatari-onsen", K.ARTICLE, "沢渡温泉", "肌にやさしい「一浴玉の肌」の湯。",
             (t("小さな温泉街です。"),),
             owner=("地域",), details={"date": (today - 120 * day).isoformat()}, age_days=120, overdue=True),
        Spec("kanko/biennale", K.EVENT, "中之条ビエンナーレ", "町内各地を会場にした芸術祭。",
             (t("会場を巡るスタンプラリーもあります。"),), owner=("企画",),
             details={**event(today + 40 * day, 10, 7), "place": "中之条町内各所", "organizer": "実行委員会"}),
    ]


def kanra(today: date) -> list[Spec]:
    day = timedelta(days=1)
    return [
        Spec("kanko/rakusanen", K.ARTICLE, "楽山園", "織田家ゆかりの大名庭園（国指定名勝）。",
             (t("城下町小幡の歴史を伝える庭園です。"),), owner=("産業", "教育"),
             details={"date": (today - 70 * day).isoformat()}, age_days=70),
        Spec("kanko/obata", K.ARTICLE, "城下町小幡", "雄川堰の流れと武家屋敷の町並み。",
             (t("散策マップを配っています。"),),
             owner=("産業",), details={"date": (today - 140 * day).isoformat()}, age_days=140, overdue=True),
        Spec("kanko/musha-gyoretsu", K.EVENT, "甘楽町武者行列", "小幡藩ゆかりの武者行列が城下町を練り歩きます。",
             (t("見学は自由です。"),), owner=("産業",),
             details={**event(today + 50 * day, 10, 4), "place": "小幡地区", "organizer": "甘楽町"}),
    ]


def oyama(today: date) -> list[Spec]:
    day = timedelta(days=1)
    return [
        Spec("kanko/fujisan", K.ARTICLE, "富士山 須走口", "小山町から登る富士山の登山道。",
             (t("登山の前に天候と規制を確かめてください。"),),
             owner=("農林", "企画"), details={"date": (today - 100 * day).isoformat()}, age_days=100),
        Spec("kanko/kintaro", K.ARTICLE, "金太郎のふるさと", "金太郎（坂田金時）ゆかりの地。",
             (t("金時神社などゆかりの地を巡れます。"),),
             owner=("企画",), details={"date": (today - 160 * day).isoformat()}, age_days=160, overdue=True),
        Spec("bousai/kunren", K.EVENT, "地域防災訓練", "富士山の噴火と大地震に備える訓練です。",
             (t("各区で避難訓練をします。"),),
             owner=("総務",), details={**event(today + 35 * day, 9, 3), "place": "各区の避難所",
                                     "organizer": "小山町"}),
    ]


TOWN_PAGES = {"shimonita": shimonita, "nakanojo": nakanojo, "kanra": kanra, "oyama": oyama}


def english(spec: Spec) -> Spec:
    """The English 児童手当 page of 下仁田町 (a foreign resident applies from it)."""
    from dataclasses import replace

    return replace(spec, en=Words(
        "Child allowance (Jido Teate)",
        "Paid to people raising children up to high-school age. Apply within 15 days of a birth or of moving in.",
        (h("Who can receive it"), t("People raising children up to the end of March after their 18th birthday."),
         h("Deadline"), t("Apply within 15 days of the day after the birth or the move. Months you apply late for "
                         "cannot be paid."),
         h("What you need"), t(ul("Details of a bank account in the applicant's name",
                                  "If you are in an employee pension scheme: a document showing your health "
                                  "insurance")),
         h("Apply online"), t("You can apply online, even without a My Number Card."))),
        easy=Words("じどうてあて（こどもの おかね）", "こどもを そだてている ひとに おかねを はらいます。",
                   (t("こどもが うまれたら 15にちの うちに もうしこんで ください。"),)))
