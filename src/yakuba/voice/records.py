"""What 住民の声 offers other systems as public records (kernel.records): published FAQ for the assistant, and the
kinds of record its cached public pages follow (kernel/ui/pagecache.py)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from yakuba.kernel import records
from yakuba.kernel.tenancy.models import Municipality

from .models import Report, ReportCategory, ReportEvent, ReportPhoto
from .models.opinions import Opinion, OpinionCategory
from .models.surveys import Survey, SurveyAnswer
from .services import opinions

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# Published よくある質問 (ご意見箱): one assistant document per question, on the public FAQ page's anchor; publishing,
# changing or taking one down announces OPINION_FAQ (services), and so does any change of the categories they are
# listed under.
OPINION_FAQ = opinions.FAQ
records.announce_saves(OPINION_FAQ, OpinionCategory)


def _faq_document(opinion: Opinion) -> records.Document:
    assert opinion.published_at is not None
    return records.Document(
        key=f"{OPINION_FAQ}:{opinion.pk}", category="faq", title=opinion.faq_question[:120],
        text=f"{opinion.faq_question}\n{opinion.faq_answer}", url=f"{reverse('voice:faq')}#q-{opinion.pk}",
        version_date=timezone.localdate(opinion.published_at), department=opinion.department, name=opinion.number)


def faq_documents(municipality: Municipality) -> Iterator[records.Document]:
    for opinion in opinions.published():
        yield _faq_document(opinion)


def find_faq(name: str) -> records.Document | None:
    opinion = opinions.published().filter(number=name).first()
    return _faq_document(opinion) if opinion is not None else None


records.register_documents(records.DocumentSource(OPINION_FAQ, faq_documents, find_faq))


# --- 通報 -------------------------------------------------------------------------------------------------------------
# The public map, list and pages of 通報 follow this kind.
REPORTS = "voice.reports"
records.announce_saves(REPORTS, Report, ReportCategory, ReportEvent, ReportPhoto)

# --- アンケート ------------------------------------------------------------------------------------------------------
# The public survey pages (the list, a survey, its published results) change with a survey or a new answer.
SURVEY_PAGES = "voice.survey_page"
records.announce_saves(SURVEY_PAGES, Survey, SurveyAnswer)
