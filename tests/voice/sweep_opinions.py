"""ご意見箱's part of the sweeps (tests/kernel/...): objects of town A behind each staff URL, rows of town B for the
isolation sweep with the markers only they contain, and the public pages the page cache must keep."""

from __future__ import annotations

from django.utils import timezone
from django_scopes import scope

from tests import factories

# Markers only town B's rows contain (the isolation sweep looks for them on every page of town A).
B_MARKERS = ["甘楽専用のご意見", "甘楽専用の意見分類", "甘楽専用の回答", "甘楽専用のFAQ"]
# Anonymous public pages that must come from the page cache (tests/kernel/ui/test_pagecache.py).
CACHED_PAGES = ("voice:index", "voice:faq")


def _opinion(town, staff, *, marker: str = ""):
    from yakuba.voice.models import Opinion, OpinionCategory, OpinionRouting

    with scope(municipality=town):
        category = OpinionCategory.objects.create(municipality=town, name=f"{marker}意見分類" or "ご質問",
                                                  department=staff.department)
        now = timezone.now()
        opinion = Opinion.objects.create(
            municipality=town, number=f"{now.year}-99999", category=category, department=staff.department,
            body=f"{marker}ご意見です。", received_at=now, status="answered", answer=f"{marker}回答です。",
            answered_at=now, faq_question=f"{marker}FAQの質問", faq_answer=f"{marker}回答", published_at=now,
            name=f"{marker}名前", email="kanra-only@example.jp" if marker else "")
        OpinionRouting.objects.create(municipality=town, opinion=opinion, from_department=staff.department,
                                      to_department=staff.department, note=f"{marker}申し送り", routed_at=now)
    return category, opinion


def role_objects(town_a) -> dict:
    """For each staff URL of ご意見箱 with arguments, an object of town A (in 総務課, where the sweep's staff work)."""
    clerk = factories.make_staff(town_a, department="総務課")
    category, opinion = _opinion(town_a, clerk)
    return {**{f"staff:voice-opinion{name}": opinion.pk for name in ("", "-route", "-answer", "-close",
                                                                     "-publish", "-unpublish")},
            "staff:voice-opinion-category": category.pk}


def rows_of_town_b(town_b, staff_b) -> None:
    """A category, an answered and published opinion and its routing, all of town B."""
    _opinion(town_b, staff_b, marker="甘楽専用の")
