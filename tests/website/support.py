"""A town's site for the website tests: a 総務課 clerk and their 所属長, and pages made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.website.models import Page, PageKind
from yakuba.website.services import pages


@dataclass
class Cast:
    clerk: Staff  # 総務課
    head: Staff  # 総務課の所属長
    other: Staff  # 税務課
    admin: Staff  # 情報担当


def cast(town: Any) -> Cast:
    return Cast(clerk=factories.make_staff(town, department="総務課"),
                head=factories.make_staff(town, department="総務課", role=Role.APPROVER),
                other=factories.make_staff(town, department="税務課"),
                admin=factories.make_staff(town, department="企画課", role=Role.ADMIN))


def data(author: Staff, *, title: str = "粗大ごみの出し方", slug: str = "sodai", kind: str = PageKind.PROCEDURE,
         parent: Page | None = None, blocks: list[dict[str, Any]] | None = None, **fields: Any) -> pages.PageData:
    return pages.PageData(title=title, slug=slug, kind=kind, parent=parent, department=author.department,
                          summary=fields.pop("summary", "粗大ごみは予約して出します。"),
                          blocks=blocks if blocks is not None else [
                              {"type": "heading", "level": 2, "text": "出し方"},
                              {"type": "text", "html": "<p>電話で予約し、処理券を貼って出します。</p>"}],
                          **fields)


def published(town: Any, author: Staff, **fields: Any) -> Page:
    with scope(municipality=town):
        return pages.publish_directly(author, data(author, **fields))
