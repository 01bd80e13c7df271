"""The pages every demo site has, at their well-known slugs: 利用規約, プライバシーポリシー (what yakuba keeps,
truthfully), アクセシビリティ方針, サイトの使い方 and 問い合わせ先 (the 課 pages below it: their phone numbers
come from the departments, not from the page's words), in Japanese and English."""

from __future__ import annotations

from django.conf import settings

from ..models import PageKind
from .kit import Spec, Words, faq, h, t, ul

DX_OFFICE = ("情報", "企画", "総務")


def terms(town: str) -> Spec:
    return Spec(
        "terms", PageKind.GENERAL, "利用規約", f"{town}のホームページとオンライン窓口を使うときのきまりです。",
        (h("このサイトについて"),
         t(f"このサイトは{town}が運営する公式ホームページです。町の案内を読むほか、手続きの申請、施設の予約、"
           "お知らせの受け取りができます。"),
         h("利用者登録"),
         t(ul("登録にはメールアドレスとパスワードが必要です。確認のメールに記載のリンクから登録を完了してください。",
              "パスワードは他人に知らせないでください。他人になりすまして申請や予約をしてはいけません。",
              "登録した内容は、マイページでいつでも確認・変更できます。")),
         h("申請と予約"),
         t(ul("オンラインの申請は、受付番号が表示された時点で町に届いています。",
              "審査の結果や補正のお願いは、マイページとメールでお知らせします。",
              "施設の予約は、それぞれの施設の使用のきまりに従ってください。")),
         h("禁止事項"),
         t(ul("うその内容での申請・予約、他人の情報の登録", "サイトの運営を妨げる行為（大量の自動アクセスなど）")),
         h("掲載内容と免責"),
         t("掲載内容は担当課が定期的に確認（棚卸し）しています。内容の誤りに気づいたときは、各ページの担当課に"
           "お知らせください。保守や災害のときは、予告なくサービスを止めることがあります。")),
        owner=DX_OFFICE,
        en=Words("Terms of Use of this website",
                 f"The rules for using the official website and online services of {town}.",
                 (h("About this website"),
                  t("This is the official website of the town. Besides reading the town's information, you can "
                    "apply for procedures, book facilities and receive announcements here."),
                  h("Creating an account"),
                  t(ul("You need an e-mail address and a password. Finish by opening the link in the confirmation "
                       "mail.", "Keep your password to yourself. Never apply or book in someone else's name.",
                       "You can check and change what you registered on your My Page at any time.")),
                  h("Applications and bookings"),
                  t("An online application has reached the town once its reference number is shown. Results and "
                    "requests for corrections are sent to your My Page and by e-mail. Bookings follow the rules "
                    "of each facility."),
                  h("Things you must not do"),
                  t(ul("Applying or booking with false details, or registering another person's details",
                       "Disturbing the service, for example with large numbers of automated requests")),
                  h("Content and service interruptions"),
                  t("Each department reviews its pages regularly. The service may stop without notice for "
                    "maintenance or in a disaster."))))


def privacy(town: str) -> Spec:
    hours = settings.SESSION_COOKIE_AGE // 3600
    failures, minutes = settings.AXES_FAILURE_LIMIT, round(settings.AXES_COOLOFF_TIME * 60)
    return Spec(
        "privacy", PageKind.GENERAL, "プライバシーポリシー（個人情報の取扱い）",
        f"{town}がこのサイトで預かる個人情報と、その扱い方です。",
        (t(f"{town}は、個人情報の保護に関する法律（個人情報保護法）と町の個人情報保護に関する条例に従い、"
           "このサイトで預かる個人情報を取り扱います。町は、法律にいう行政機関等として、個人情報を適正に管理する"
           "責任を負います。"),
         h("記録するもの"),
         t(ul("利用者登録：メールアドレス、パスワード（元に戻せない形で保存）、マイページに登録した氏名・ふりがな・"
              "生年月日・性別・住所・電話番号",
              "申請・予約：申請の内容と添付ファイル、予約の日時と内容。処理の経過は担当職員の操作とともに記録します。",
              "お知らせの受け取り：登録したメールアドレス、LINE、プッシュ通知の宛先と、配信の記録",
              "操作の記録：職員と利用者の主な操作を、日時・IPアドレスとともに記録します。この記録は書き換えも削除も"
              "できない形で保管します。",
              f"ログインの失敗：続けて{failures}回失敗すると、そのメールアドレスとIPアドレスからのログインを"
              f"{minutes}分止めます。",
              "AIへの質問：質問の文章は、氏名・住所・電話番号などを伏せ字にしてから記録します。")),
         h("保存する期間"),
         t(ul(f"ログインの状態は最長{hours}時間で切れます。",
              "文字サイズとふりがなの設定は、お使いのブラウザーのクッキーに1年間保存します。",
              "申請や予約の記録は、このサイトが自動で消すことはありません。保存する期間は町の文書管理の規程に従います。")),
         h("生成AIの利用"),
         t("AI問い合わせや翻訳の下書きで外部のAIを使うときは、送る前に、氏名・住所・電話番号・メールアドレス・"
           "生年月日・個人番号（マイナンバー）・口座番号などを自動で伏せ字にします。AIの答えは参考です。"
           "手続きの判断は職員が行い、翻訳は職員が確かめてから公開します。"),
         h("第三者への提供"),
         t("法令に基づく場合を除き、本人の同意なく第三者に提供しません。"),
         h("開示・訂正・利用停止の請求"),
         t("ご自分の個人情報の開示・訂正・利用停止は、個人情報保護法に基づき役場の窓口で請求できます。"
           "問い合わせ先のページにある総務の担当課にご相談ください。")),
        owner=("総務",),
        en=Words("Privacy Policy (how we handle personal information)",
                 f"The personal information {town} keeps on this website and how it is handled.",
                 (t("The town handles the personal information kept on this website under the Act on the "
                    "Protection of Personal Information and the town's own ordinance."),
                  h("What is recorded"),
                  t(ul("Accounts: your e-mail address, your password (stored only as a one-way hash) and what you "
                       "enter on your My Page: name, reading of the name, date of birth, gender, address, phone.",
                       "Applications and bookings: what you submitted and attached, and when and what you booked, "
                       "with each step staff took.",
                       "Announcements: the e-mail, LINE or push addresses you registered and the delivery records.",
                       "Activity log: the main actions of staff and users, with time and IP address, kept in a "
                       "form that cannot be altered or deleted.",
                       f"Failed sign-ins: after {failures} failures in a row, signing in from that address and IP "
                       f"is paused for {minutes} minutes.",
                       "Questions to the AI assistant: stored only after names, addresses, phone numbers and "
                       "similar details are masked.")),
                  h("How long"),
                  t(ul(f"A sign-in lasts at most {hours} hours.",
                       "Text size and furigana settings stay in a cookie in your browser for one year.",
                       "Records of applications and bookings are never deleted automatically by the site; how long "
                       "they are kept follows the town's records management rules.")),
                  h("Generative AI"),
                  t("Before anything is sent to an external AI service, personal details such as names, "
                    "addresses, phone numbers, e-mail addresses, dates of birth, My Number and bank account "
                    "numbers are masked automatically. Staff make every decision and check every translation."),
                  h("Sharing"),
                  t("Nothing is given to third parties without your consent unless a law requires it."),
                  h("Your rights"),
                  t("You may ask at the town office to see, correct or stop the use of your personal "
                    "information."))))


def accessibility(town: str) -> Spec:
    return Spec(
        "accessibility", PageKind.GENERAL, "ウェブアクセシビリティ方針",
        "年齢や障害の有無にかかわらず、誰もが見やすく使いやすいホームページにするための方針です。",
        (h("目標"),
         t(f"{town}のホームページは、日本産業規格 JIS X 8341-3:2016「高齢者・障害者等配慮設計指針－情報通信における"
           "機器，ソフトウェア及びサービス－第3部：ウェブコンテンツ」の適合レベルAAに準拠することを目標とします。"),
         h("対象"),
         t("このサイトのすべてのページ（町が作成するページと、オンライン申請・施設予約などの画面）"),
         h("公開前の点検"),
         t(ul("画像の代替テキストがないページは公開できません。",
              "見出しの順番の飛び、「こちら」などの意味の分からないリンク、見出しのない表、色だけで伝える表現、"
              "PDFだけのページ、機種依存文字を点検し、直すところを職員に示します。",
              "ページの本文は構造化したブロックで作り、スクリプトなどは取り除きます。",
              "町のテーマカラーは、白い文字とのコントラスト比が4.5：1以上の色だけを使います。")),
         h("画面の確認"),
         t("スマートフォンの画面幅（360ピクセル）で、キーボードだけで操作できることと、自動チェック（axe-core）で"
           "問題がないことを確かめています。"),
         h("お気づきの点"),
         t("読みにくい・使いにくいところがあれば、問い合わせ先のページから担当課にお知らせください。")),
        owner=DX_OFFICE,
        en=Words("Web Accessibility Policy",
                 "How we make the website easy to see and use for everyone, whatever their age or disability.",
                 (h("Target"),
                  t("The town aims to conform to level AA of the Japanese Industrial Standard JIS X 8341-3:2016, "
                    "the national standard for accessible web content (equivalent to WCAG 2.0)."),
                  h("Checks before a page is published"),
                  t(ul("A page with an image that lacks alternative text cannot be published.",
                       "Skipped heading levels, vague link words, tables without headers, meaning given by colour "
                       "alone, PDF-only pages and machine-dependent characters are flagged to staff.",
                       "The town's theme colour must give white text a contrast ratio of at least 4.5 to 1.")),
                  h("Testing"),
                  t("Pages are tested at a phone width of 360 pixels, by keyboard alone and with the automatic "
                    "checker axe-core."),
                  h("Feedback"),
                  t("If something is hard to read or use, please tell us through the contact page."))))


def help_page(town: str) -> Spec:
    return Spec(
        "help", PageKind.GENERAL, "サイトの使い方",
        "文字の大きさ、ふりがな、やさしい日本語、英語、キーボードでの操作。",
        (h("文字の大きさ"),
         t("画面の上の「表示」から、文字の大きさを「標準」「大きく」「もっと大きく」に変えられます。"
           "選んだ大きさは次に開いたときも続きます。"),
         h("ふりがな"),
         t("「ふりがな」をオンにすると、漢字に読みがなが付きます。"),
         h("やさしい日本語とEnglish"),
         t("やさしい日本語や英語のページがあるときは、言語の切り替えで読めます。まだ訳していないページは、"
           "日本語のまま「翻訳されていません」と表示します。"),
         h("キーボードでの操作"),
         t(ul("Tabキーでリンクやボタンを順に移動し、Enterキーで開きます。",
              "ページの最初でTabキーを押すと「本文へスキップ」が出ます。",
              "いま選んでいる場所は黄色い枠で示します。")),
         faq("スマートフォンでも使えますか。", "はい。スマートフォンの画面に合わせて表示します。"),
         faq("ページが見つからないときは。",
             "トップページの「分野から探す」か、AIに質問する欄に知りたいことを書いてください。")),
        owner=DX_OFFICE,
        en=Words("How to use this website",
                 "Text size, furigana, easy Japanese, English and keyboard use.",
                 (h("Text size"),
                  t("Use the display switches at the top of every page to make the text larger. Your choice is "
                    "remembered."),
                  h("Furigana"),
                  t("Turn furigana on to show the reading of kanji above them."),
                  h("Easy Japanese and English"),
                  t("Pages that have an easy Japanese or English version show it when you choose that language. "
                    "A page not yet translated is shown in Japanese and marked as not translated."),
                  h("Keyboard"),
                  t(ul("Move between links and buttons with the Tab key and open them with Enter.",
                       "The first Tab on a page shows a link that skips to the main content.",
                       "Where you are is shown by a yellow outline.")))),
        easy=Words("このサイトの つかいかた", "もじを おおきく する。ふりがなを つける。",
                   (t("うえの「表示」で、もじを おおきく できます。",
                      "「ふりがな」を えらぶと、かんじに よみかたが つきます。"),)))


def contact(town: str) -> Spec:
    return Spec(
        "contact", PageKind.SECTION, "問い合わせ先",
        "担当課ごとの仕事と電話番号です。電話番号は各課の登録から表示しています。",
        (t(f"{town}役場の受付時間は、平日の午前8時30分から午後5時15分までです（土曜・日曜・祝日、年末年始を除く）。"
           "下の一覧から担当課を選んでください。"),),
        owner=("総務",),
        en=Words("Contact us",
                 "What each department does and its phone number, shown from the departments' own records.",
                 (t("The town office is open on weekdays from 8:30 to 17:15, except national holidays and the New "
                    "Year period. Choose a department below."),)))


def department_page(name: str, name_en: str) -> Spec:
    return Spec(
        f"contact/{slug_of(name_en)}", PageKind.DEPARTMENT, name, f"{name}の担当する仕事と連絡先です。",
        (t(f"{name}へのお問い合わせは、電話か窓口でお受けしています。"),),
        owner=(name,), details={"department": name, "hours": "平日 8:30〜17:15"})


def slug_of(words: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in words.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return slug[:60].strip("-") or "department"


def pages(town: str) -> list[Spec]:
    return [terms(town), privacy(town), accessibility(town), help_page(town), contact(town)]
