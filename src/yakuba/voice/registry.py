"""What 住民の声 offers through the kernel's UI registries: staff menu entries, header counts, entry points, the home
page's ご意見箱 corner, the texts staff translate (kernel.words), and the Open311 part of the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.ui.registry import (
    Entry,
    HeaderCount,
    register_header_count,
    register_home_widget,
    register_public,
    register_staff,
)
from yakuba.kernel.words import registry as words

from . import open311_api  # noqa: F401  (the Open311 part of the OpenAPI document)
from .models.surveys import Audience, Survey, SurveyState

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# The ご意見箱 corner of the town's home page (plan 000's KPI 「ホームページへのコーナー設置」): a service card and a
# small box under the introduction, both leading to the 住民の声 front page (the first screen's entry points stay
# ごみ, 手続き, 予約 and the shortcuts the town chose, which may name ご意見箱 too);
# the staff inbox with its 「ご意見 未回答」 count; the categories for the 情報担当.
register_public(Entry("voice:index", _("住民の声（ご意見箱・通報・アンケート）"),
                      _("町へのご意見・ご質問、道路や街路灯の不具合の通報、アンケートへの回答ができます。"), order=40))
register_home_widget("voice/public/opinions/_corner.html")
register_staff(Entry("staff:voice-opinions", _("ご意見箱"), role=Role.STAFF, order=30))
register_staff(Entry("staff:voice-opinion-categories", _("ご意見箱の分類"), role=Role.ADMIN, order=31))


def _opinions_waiting(staff: Any) -> int:
    from .services.opinions import waiting_count

    return waiting_count(staff)


register_header_count(HeaderCount("staff:voice-opinions", _("ご意見 未回答"), _opinions_waiting, order=30))


# --- 通報 -------------------------------------------------------------------------------------------------------------
def _reports_new(staff: Any) -> int:
    from .services.reports import new_count

    return new_count(staff)


register_public(Entry("voice:report-new", _("通報する（道路・街路灯・倒木など）"),
                              _("道路の損傷や街路灯の故障、倒木などを、写真と地図で町に知らせる。"), order=40))
register_public(Entry("voice:reports", _("通報の地図と対応状況"),
                              _("町に寄せられた通報と、その対応の状況を地図と一覧で見る。"), order=41))
register_staff(Entry("staff:voice-reports", _("通報"), role=Role.STAFF, order=30))
register_header_count(HeaderCount("staff:voice-reports", _("新着の通報"), _reports_new, order=30))


# --- アンケート ------------------------------------------------------------------------------------------------------
register_public(Entry("voice:surveys", _("アンケート"),
                      _("町のアンケート・意識調査に答える。結果を見る。"), order=62))
register_staff(Entry("staff:voice-surveys", _("アンケート・意識調査"), role=Role.STAFF, order=31))

SURVEY_WORDS = "voice.survey"


def _surveys(municipality: Municipality) -> Iterator[words.Record]:
    """Every survey residents (or staff) can answer or read the results of: its title, description, questions."""
    from .services.surveys import form_of

    for survey in Survey.objects.exclude(state=SurveyState.DRAFT):
        texts = [words.Text("title", survey.title, gettext("題名"))]
        if survey.description.strip():
            texts.append(words.Text("description", survey.description, gettext("説明")))
        texts += words.form_texts(form_of(survey))
        url = "" if survey.audience == Audience.STAFF else reverse("voice:survey", args=[survey.uuid])
        yield words.Record(key=str(survey.pk), title=survey.title, texts=texts, url=url,
                           department_id=survey.department_id)


words.register(words.Source(SURVEY_WORDS, _("アンケート"), _surveys))
