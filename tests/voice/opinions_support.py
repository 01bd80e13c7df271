"""The cast of ご意見箱's tests: a town with the standard categories, a clerk of the 課 that receives ご意見・ご提案
(企画課), a clerk of another 課, the 情報担当; and a helper that sends an opinion through the service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_scopes import scope

from tests.factories import make_department, make_staff
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.tenancy.models import Municipality
from yakuba.voice.models import Opinion, OpinionCategory
from yakuba.voice.services import opinions as services


@dataclass
class Cast:
    town: Municipality
    clerk: Staff  # 企画課: ご意見・ご提案 come here
    other: Staff  # 住民課
    admin: Staff  # 情報担当 (総務課)

    def category(self, name: str = "ご意見・ご提案") -> OpinionCategory:
        with scope(municipality=self.town):
            return OpinionCategory.objects.get(name=name)


def cast(town: Municipality) -> Cast:
    for name in ("総務課", "企画課", "住民課"):
        make_department(town, name)
    people = Cast(town, make_staff(town, department="企画課"), make_staff(town, department="住民課"),
                  make_staff(town, department="総務課", role=Role.ADMIN))
    with scope(municipality=town):
        services.install_defaults(town)
    return people


def send(people: Cast, body: str = "公民館の開館時間を延ばしてほしいです。", *, category: str = "ご意見・ご提案",
         **fields: Any) -> Opinion:
    with scope(municipality=people.town):
        return services.send(people.town, services.Sending(people.category(category).pk, body,
                                                           **{"consented": True, **fields}))
