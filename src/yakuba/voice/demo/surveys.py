"""アンケート in the demo towns: 下仁田町 runs its 町民意識調査 2026 (as 003's town did: 1,500 letters with a code,
706 returned, 101 of them online = 14.3 %) and a 職員意識調査 for its staff (R8, seed 000).

- 町民意識調査 2026 (企画課, clerk kikaku@shimonita.demo): open, invitation codes, anonymous. Codes DEMO0-00001 …
  DEMO0-01500 (the demo's own, so the journey can use one); the first 706 have answered (101 online, 605 keyed in
  from paper), across age bands; DEMO0-00707 onwards are unused.
- 職員意識調査 2026 (総務課): staff only, signed in, open, no answers yet.

Idempotent: surveys are found by title; answers are seeded only when the survey has none.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from ..models.surveys import Access, Audience, Channel, Invitation, Survey, SurveyAnswer, SurveyItem, SurveyState
from ..services.surveys import code_hash, survey_definition

TOWNS = ("shimonita",)
LETTERS = 1500
RETURNED = 706
ONLINE = 101

SOURCES = [["kouhou", "広報しもにた（広報紙）"], ["web", "町のホームページ"], ["line", "LINE"],
           ["musen", "防災行政無線"], ["kairan", "回覧板"], ["media", "新聞・テレビ"], ["other", "その他"]]
SERVICES = [["shinsei", "各種の申請・届出"], ["yoyaku", "施設の予約"], ["shiharai", "税・料金の支払い"],
            ["soudan", "相談の予約"], ["none", "使いたいものはない"]]
SCALE = [["5", "満足"], ["4", "やや満足"], ["3", "どちらともいえない"], ["2", "やや不満"], ["1", "不満"]]
RESIDENT_QUESTIONS: list[dict[str, Any]] = [
    {"name": "info_source", "type": "multi_choice", "label": "町の情報を何で得ていますか（いくつでも）",
     "options": SOURCES},
    {"name": "online_services", "type": "multi_choice", "label": "オンラインで使いたい町のサービス（いくつでも）",
     "options": SERVICES},
    {"name": "satisfaction", "type": "choice", "label": "町の情報発信の満足度", "options": SCALE},
    {"name": "household", "type": "number", "label": "同居しているご家族の人数", "required": False,
     "min": 1, "max": 20},
    {"name": "comment", "type": "textarea", "label": "町へのご意見・ご要望（自由記述）", "required": False,
     "max_length": 2000},
]
STAFF_QUESTIONS: list[dict[str, Any]] = [
    {"name": "paperwork", "type": "choice", "label": "紙や押印の手続きで、業務の負担を感じますか", "options": [
        ["5", "とても感じる"], ["4", "やや感じる"], ["3", "どちらともいえない"], ["2", "あまり感じない"],
        ["1", "感じない"]]},
    {"name": "tools", "type": "multi_choice", "label": "使ってみたいデジタルの道具（いくつでも）", "options": [
        ["ai", "生成AI"], ["rpa", "RPA"], ["chat", "ビジネスチャット"], ["web", "Web会議"]]},
    {"name": "comment", "type": "textarea", "label": "DX推進へのご意見（自由記述）", "required": False,
     "max_length": 2000},
]
COMMENTS = ("LINEでの情報発信を増やしてほしい。", "広報紙が一番見やすいです。",
            "スマートフォンで申請できると助かります。",
            "防災無線が聞き取りにくいことがあります。", "高齢者向けのスマホ教室をお願いします。", "")
# Age bands of the returned letters: online answers younger, paper ones older (003: 若年層の意見集約が不足).
ONLINE_BANDS = ("20", "30", "30", "40", "40", "50", "60", "10")
PAPER_BANDS = ("40", "50", "60", "60", "70", "70", "70", "80", "80", "30", "20")


def demo_code(index: int) -> str:
    """The demo's invitation codes: DEMO000001 (printed DEMO0-00001)."""
    return f"DEMO{index:06d}"


def _department(names: tuple[str, ...]) -> Department:
    for name in names:
        found = Department.objects.filter(name=name).first()
        if found is not None:
            return found
    department = Department.objects.order_by("pk").first()
    assert department is not None
    return department


def _survey(municipality: Municipality, title: str, department: Department, questions: list[dict[str, Any]],
            **values: object) -> Survey:
    survey = Survey.objects.filter(title=title).first()
    if survey is None:
        survey = Survey.objects.create(municipality=municipality, title=title, department=department,
                                       definition=survey_definition(title, questions), **values)
    return survey


def load(municipality: Municipality, town: Town) -> None:
    if town.slug not in TOWNS:
        return
    # Periods as a town sets them: from 9:00 on the first day to 23:59 on the last, in the town's time.
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    end = timezone.localtime().replace(hour=23, minute=59, second=0, microsecond=0)
    survey = _survey(
        municipality, "町民意識調査 2026", _department(("企画課", "企画政策課")), RESIDENT_QUESTIONS,
        description="町の情報発信とデジタル化について、町民の皆さまのご意見をお聞きします。無作為に選んだ1,500人の方に"
                    "お手紙をお送りしました。お手紙の招待コードで、スマートフォンからも回答できます。",
        audience=Audience.EVERYONE, access=Access.CODE, anonymous=True, state=SurveyState.OPEN,
        opens_at=today - timedelta(days=14), closes_at=end + timedelta(days=21), results_public=False)
    _survey(municipality, "職員意識調査 2026", _department(("総務課",)), STAFF_QUESTIONS,
            description="DX推進計画の見直しのため、職員の皆さんの意識をお聞きします（無記名）。",
            audience=Audience.STAFF, access=Access.ACCOUNT, anonymous=True, state=SurveyState.OPEN,
            opens_at=today - timedelta(days=3), closes_at=end + timedelta(days=30))
    if not Invitation.objects.filter(survey=survey).exists():
        Invitation.objects.bulk_create([
            Invitation(municipality=municipality, survey=survey, code_hash=code_hash(survey, demo_code(index)),
                       used=index <= RETURNED) for index in range(1, LETTERS + 1)])
    if not SurveyAnswer.objects.filter(survey=survey).exists():
        _answers(municipality, survey)


def _answers(municipality: Municipality, survey: Survey) -> None:
    rng = random.Random(f"{municipality.code}:survey")  # noqa: S311  demo data, not a secret
    today = timezone.localdate()
    answers: list[SurveyAnswer] = []
    items: list[SurveyItem] = []
    for index in range(RETURNED):
        online = index < ONLINE
        answer = SurveyAnswer(municipality=municipality, survey=survey,
                              channel=Channel.ONLINE if online else Channel.PAPER,
                              age_band=rng.choice(ONLINE_BANDS if online else PAPER_BANDS),
                              answered_on=today - timedelta(days=rng.randrange(14)))
        answers.append(answer)
        row = {"municipality": municipality, "answer": answer, "survey": survey}
        sources = rng.sample([value for value, _label in SOURCES[:6]], rng.randint(1, 3))
        if online and "line" not in sources:
            sources.append("line")
        items += [SurveyItem(**row, question="info_source", option=value) for value in sources]
        wanted = rng.sample([value for value, _label in SERVICES[:4]], rng.randint(0, 3)) or ["none"]
        items += [SurveyItem(**row, question="online_services", option=value) for value in wanted]
        items.append(SurveyItem(**row, question="satisfaction", option=rng.choice("5443332221")))
        if rng.random() < 0.8:
            items.append(SurveyItem(**row, question="household", number=rng.randint(1, 6)))
        comment = rng.choice(COMMENTS)
        if comment:
            items.append(SurveyItem(**row, question="comment", text=comment))
    SurveyAnswer.objects.bulk_create(answers)
    SurveyItem.objects.bulk_create(items, batch_size=1000)
