"""What 住民の声 offers other systems as public records (kernel.records): published FAQ for the assistant, the
reports' map layer, and the kinds of record its cached public pages follow."""

from __future__ import annotations

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# --- 通報 -------------------------------------------------------------------------------------------------------------
# --- アンケート ------------------------------------------------------------------------------------------------------
from yakuba.kernel import records as kernel_records  # noqa: E402

from .models.surveys import Survey, SurveyAnswer  # noqa: E402

# The public survey pages (the list, a survey, its published results) change with a survey or a new answer.
SURVEY_PAGES = "voice.survey_page"
kernel_records.announce_saves(SURVEY_PAGES, Survey, SurveyAnswer)
