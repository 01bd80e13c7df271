"""The cast of 起案・回議・決裁 tests: a town office with a 係員, a 係長 and a 課長 of 総務課, a 会計課長, a
副町長 and a 町長, and the demo's 事務決裁規程 (支出負担行為: ≤100万 課長, ≤1,000万 副町長 with 合議
会計課, above that 町長 and 重要)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.approvals.models import (
    Absence,
    DecisionRule,
    Deputy,
    DocumentClass,
    Draft,
    Matter,
    Post,
    Rank,
)
from yakuba.approvals.services import decide, drafts
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.tenancy.models import Municipality


@dataclass
class Office:
    town: Municipality
    clerk: Staff
    chief: Staff
    director: Staff
    accounting: Staff
    deputy_mayor: Staff
    mayor: Staff
    outsider: Staff  # a 職員 of 総務課 with no post
    posts: dict[str, Post]
    document_class: DocumentClass

    def draft(self, amount: int | None = 500_000, *, matter: str = Matter.EXPENDITURE, title: str = "用紙の購入",
              important: bool = False, drafter: Staff | None = None, **fields: Any) -> Draft:
        data = drafts.DraftData(title=title, body=fields.pop("body", "本文です。"), document_class=self.document_class,
                                matter=matter, amount=amount, important=important, **fields)
        return drafts.create_draft(drafter or self.clerk, data)

    def sent(self, amount: int | None = 500_000, **fields: Any) -> Draft:
        return decide.send(self.clerk, self.draft(amount, **fields))

    def away(self, post: str, *, start: int = -1, end: int = 1) -> Absence:
        today = timezone.localdate()
        return Absence.objects.create(municipality=self.town, post=self.posts[post],
                                      starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end))


def make_office(town: Municipality, *, prefix: str = "") -> Office:
    def person(department: str, role: int = Role.STAFF) -> Staff:
        return factories.make_staff(town, department=department, role=role)

    clerk, chief, director = person("総務課"), person("総務課"), person("総務課", Role.APPROVER)
    accounting, deputy_mayor, mayor = person("会計課", Role.APPROVER), person("総務課"), person("総務課")
    outsider = person("総務課")
    with scope(municipality=town):
        soumu, kaikei = clerk.department, accounting.department
        posts = {}
        for title, rank, department, holder in (
                ("庶務係長", Rank.CHIEF, soumu, chief), ("総務課長", Rank.DIRECTOR, soumu, director),
                ("会計課長", Rank.DIRECTOR, kaikei, accounting), ("副町長", Rank.DEPUTY_MAYOR, None, deputy_mayor),
                ("町長", Rank.MAYOR, None, mayor)):
            posts[title] = Post.objects.create(municipality=town, title=prefix + title, rank=rank,
                                               department=department, holder=holder)
        Deputy.objects.create(municipality=town, post=posts["副町長"], deputy=posts["総務課長"], order=1)
        Deputy.objects.create(municipality=town, post=posts["町長"], deputy=posts["副町長"], order=1)
        Deputy.objects.create(municipality=town, post=posts["町長"], deputy=posts["総務課長"], order=2)
        for matter, up_to, rank, consult, important in (
                (Matter.EXPENDITURE, 1_000_000, Rank.DIRECTOR, [], False),
                (Matter.EXPENDITURE, 10_000_000, Rank.DEPUTY_MAYOR, [kaikei], False),
                (Matter.EXPENDITURE, None, Rank.MAYOR, [kaikei], True),
                (Matter.GENERAL, None, Rank.DIRECTOR, [], False)):
            rule = DecisionRule.objects.create(municipality=town, matter=matter, amount_up_to=up_to,
                                               decider_rank=rank, important=important)
            rule.consult.set(consult)
        document_class = DocumentClass.objects.create(municipality=town, code=prefix + "01-03-01", major="財務",
                                                      name=prefix + "支出負担行為", retention=5)
    return Office(town, clerk, chief, director, accounting, deputy_mayor, mayor, outsider, posts, document_class)


def fiscal_today() -> int:
    from yakuba.kernel.scheduling.fiscal import fiscal_year

    today: date = timezone.localdate()
    return fiscal_year(today)
