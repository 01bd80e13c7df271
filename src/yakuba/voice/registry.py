"""What 住民の声 offers through the kernel's UI registries: staff menu entries, header counts, entry points."""

from __future__ import annotations

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# The ご意見箱 corner of the town's home page (plan 000's KPI 「ホームページへのコーナー設置」): a service card, an
# entry point among 手続き and 予約, and a small box under the introduction, all leading to the 住民の声 front page;
# the staff inbox with its 「ご意見 未回答」 count; the categories for the 情報担当.
from typing import Any

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import (
    Entry,
    HeaderCount,
    register_entry_point,
    register_header_count,
    register_home_widget,
    register_public,
    register_staff,
)

register_public(Entry("voice:index", _("住民の声（ご意見箱・通報・アンケート）"),
                      _("町へのご意見・ご質問、道路や街路灯の不具合の通報、アンケートへの回答ができます。"), order=40))
register_entry_point(Entry("voice:index", _("ご意見箱"), _("ご意見・ご質問を送る"), order=60))
register_home_widget("voice/public/opinions/_corner.html")
register_staff(Entry("staff:voice-opinions", _("ご意見箱"), role=Role.STAFF, order=30))
register_staff(Entry("staff:voice-opinion-categories", _("ご意見箱の分類"), role=Role.ADMIN, order=31))


def _opinions_waiting(staff: Any) -> int:
    from .services.opinions import waiting_count

    return waiting_count(staff)


register_header_count(HeaderCount("staff:voice-opinions", _("ご意見 未回答"), _opinions_waiting, order=30))



# --- 通報 -------------------------------------------------------------------------------------------------------------
# --- アンケート ------------------------------------------------------------------------------------------------------
from collections.abc import Iterator  # noqa: E402

from django.urls import reverse  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from yakuba.kernel.accounts.models import Role  # noqa: E402
from yakuba.kernel.tenancy.models import Municipality  # noqa: E402
from yakuba.kernel.ui.registry import Entry, register_public, register_staff  # noqa: E402
from yakuba.kernel.words import registry as words  # noqa: E402

from .models.surveys import Audience, Survey, SurveyState  # noqa: E402

register_public(Entry("voice:surveys", gettext_lazy("アンケート"),
                      gettext_lazy("町のアンケート・意識調査に答える。結果を見る。"), order=62))
register_staff(Entry("staff:voice-surveys", gettext_lazy("アンケート・意識調査"), role=Role.STAFF, order=31))

SURVEY_WORDS = "voice.survey"


def _surveys(municipality: Municipality) -> Iterator[words.Record]:
    """Every survey residents (or staff) can answer or read the results of: its title, description, questions."""
    from .services.surveys import form_of

    for survey in Survey.objects.exclude(state=SurveyState.DRAFT):
        texts = [words.Text("title", survey.title, _("題名"))]
        if survey.description.strip():
            texts.append(words.Text("description", survey.description, _("説明")))
        texts += words.form_texts(form_of(survey))
        url = "" if survey.audience == Audience.STAFF else reverse("voice:survey", args=[survey.uuid])
        yield words.Record(key=str(survey.pk), title=survey.title, texts=texts, url=url,
                           department_id=survey.department_id)


words.register(words.Source(SURVEY_WORDS, gettext_lazy("アンケート"), _surveys))
