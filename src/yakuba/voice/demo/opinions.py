"""ご意見箱 in the demo towns: the standard categories in every town (each with its first 課); in 下仁田町 a dozen
opinions of the last weeks in every state — new ones waiting in 企画課 and 総務課, answered ones, one routed, one
回答不要, and two published as よくある質問 (one about the town's DX).

Every opinion goes through the services (its 受付番号, its audit), then its dates are set in the past so the metrics
have something to show. A sender who wants an answer gave an address at example.jp (a reserved domain: the receipt
and answer mails of the demo reach no one). Idempotent: an opinion is found by
its text, categories by name; a second load writes nothing new."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from ..models.opinions import Opinion, OpinionCategory
from ..services import opinions as services

DEMO_TOWN = "103829"  # 下仁田町

# (category, text, name, wants an answer, days ago, what happened: "", "answer", "close", "route:<課>", "faq"),
# with the answer and, for "faq", the published question.
OPINIONS: tuple[tuple[str, str, str, bool, int, str, str, str], ...] = (
    ("DX・デジタル化について", "役場の手続きがスマホでできるようになると聞きました。"
     "転入の届出もオンラインでできますか。仕事で平日に役場へ行けないので助かります。", "", True, 20, "faq",
     "転入届そのものは、本人確認のため窓口での手続きが必要です。ただし、マイナンバーカードをお持ちの方は"
     "マイナポータルから転出届と来庁予定日の連絡ができ、窓口での記入もいりません（書かない窓口）。",
     "転入の届出はオンラインでできますか。"),
    ("ご質問", "粗大ごみの申込みは電話以外でもできますか。下仁田町大字下仁田100の山田です。090-1234-5678",
     "山田 太郎", True, 18, "faq",
     "粗大ごみの申込みは、電話のほか、町のホームページの電子申請からもできます。収集日の1週間前までにお申込みください。",
     "粗大ごみの申込みは電話以外でもできますか。"),
    ("ご意見・ご提案", "こんにゃくパークの駐車場に案内の看板を増やしてほしいです。観光客の方が迷っていました。", "",
     False, 15, "answer", "ご意見ありがとうございます。観光協会と相談し、国道からの案内看板を増やす方向で検討します。",
     ""),
    ("施設", "体育館のトイレの電気がつきませんでした。", "", False, 12, "close", "", ""),
    ("手続き", "印鑑登録証明書をコンビニで取れますか。", "佐藤", True, 10, "answer",
     "マイナンバーカードをお持ちの方は、全国のコンビニのマルチコピー機で取得できます（6時30分から23時まで）。", ""),
    ("ご意見・ご提案", "高齢者向けのスマホ教室を公民館で開いてほしいです。", "", True, 9, "route:総務課", "", ""),
    ("DX・デジタル化について", "ホームページの文字が小さくて読みにくいです。文字を大きくする方法はありますか。", "",
     True, 7, "answer", "各ページの上にある「文字サイズ」で、文字を大きくできます。", ""),
    ("ご質問", "下仁田ねぎの直売所の営業日を知りたいです。", "", True, 5, "", "", ""),
    ("その他", "町の花火大会、今年もとても良かったです。ありがとうございました。", "", False, 4, "", "", ""),
    ("ご意見・ご提案", "路線バスの本数が減って通院が大変です。デマンド交通の区域を広げてください。", "", True, 3,
     "", "", ""),
    ("施設", "公園の遊具が古くなっていて心配です。点検はしていますか。", "", True, 2, "", "", ""),
    ("手続き", "児童手当の手続きはオンラインでできますか。<script>alert('x')</script>", "", False, 1, "", "", ""),
)


def _clerk(department: Department) -> Staff | None:
    """The staff member who acts for the 課 (its clerk; the 情報担当 where it has none)."""
    return (Staff.objects.filter(department=department, is_active=True).order_by("-role", "pk").first()
            or Staff.objects.filter(role=Role.ADMIN, is_active=True).first())


def load(municipality: Municipality, town: Town) -> None:
    services.install_defaults(municipality)
    if town.code != DEMO_TOWN:
        return
    categories = {category.name: category for category in OpinionCategory.objects.all()}
    now = timezone.now()
    for index, (category_name, text, name, wants, days, outcome, answer, question) in enumerate(OPINIONS, start=1):
        category = categories.get(category_name)
        if category is None or Opinion.objects.filter(body=text).exists():
            continue
        email = f"iken{index}@example.jp" if wants else ""
        opinion = services.send(municipality, services.Sending(category.pk, text, name=name, email=email,
                                                               wants_answer=wants, consented=True))
        received = now - timedelta(days=days, hours=3)
        Opinion.objects.filter(pk=opinion.pk).update(received_at=received)
        _follow(opinion.pk, outcome, answer, question, received)


def _follow(opinion_id: int, outcome: str, answer: str, question: str, received: datetime) -> None:
    opinion = Opinion.objects.select_related("department").get(pk=opinion_id)
    clerk = _clerk(opinion.department)
    if clerk is None or not outcome:
        return
    if outcome.startswith("route:"):
        target = Department.objects.filter(name=outcome.removeprefix("route:")).first()
        services.route(clerk, opinion.pk, target, "公民館の講座として検討をお願いします。", revision=opinion.revision)
    elif outcome == "close":
        services.close(clerk, opinion.pk, revision=opinion.revision)
    else:
        opinion = services.answer(clerk, opinion.pk, answer, revision=opinion.revision)
        Opinion.objects.filter(pk=opinion.pk).update(answered_at=received + timedelta(days=2))
        if outcome == "faq":
            services.publish(clerk, opinion.pk, question, answer, revision=opinion.revision)
