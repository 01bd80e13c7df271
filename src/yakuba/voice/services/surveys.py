"""アンケート・意識調査: making a survey, invitation codes, answering online and keying in paper answers.

The rule "at most one answer per invitation (or per account)" is kept by the database in the answer's own
transaction: a conditional UPDATE of the invitation (used=false → true) or the INSERT of a participation row (unique
per survey and account) comes first, and the answer is written only when it succeeded; anything refused rolls all
back. Neither row says which answer it gave (see models/surveys.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.accounts.permissions import can
from yakuba.kernel.audit import services as audit
from yakuba.kernel.forms.definition import DefinitionError, FormDefinition
from yakuba.kernel.forms.validate import validate
from yakuba.kernel.messaging.models import Subscriber
from yakuba.kernel.refusal import NON_FIELD, Refused

from ..models.surveys import (
    AGE_BANDS,
    Access,
    Audience,
    Channel,
    Invitation,
    Participation,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyState,
)

AGE_FIELD = "age_band"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
CODE_LENGTH = 10
MAX_INVITATIONS = 5000
# Markup that runs as script where text is ever put into HTML unescaped: refused in free text, so such an answer
# never reaches a spreadsheet or a report of another system (everything else is kept as typed, and escaped).
SCRIPT_RE = re.compile(r"<\s*/?\s*script|javascript\s*:|<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
TEXT_TYPES = frozenset({"text", "textarea"})


def age_question() -> dict[str, Any]:
    return {"name": AGE_FIELD, "type": "choice", "label": _("あなたの年代"), "required": False,
            "options": [[value, _(label)] for value, label in AGE_BANDS]}


def form_of(survey: Survey) -> FormDefinition:
    """The survey's questions; the built-in age question in the reader's language (it is ours, not the town's text:
    the stored copy is in the language of whoever made the survey)."""
    data = survey.definition
    pages = [{**page, "fields": [age_question() if isinstance(field, dict) and field.get("name") == AGE_FIELD
                                 else field for field in page.get("fields", [])]}
             for page in data.get("pages", [])]
    return FormDefinition.from_dict({**data, "pages": pages})


def age_band_of(birthdate: date | None, today: date | None = None) -> str:
    """「40」 for a 45-year-old (10 for anyone under 20, 80 for 80 and over); '' when unknown."""
    if birthdate is None:
        return ""
    today = today or timezone.localdate()
    age = today.year - birthdate.year - ((today.month, today.day) < (birthdate.month, birthdate.day))
    return str(min(max(age // 10 * 10, 10), 80))


# Making and running a survey ----------------------------------------------------------------------------------

@dataclass
class SurveyData:
    title: str
    department: Department
    questions: list[dict[str, Any]]
    description: str = ""
    audience: str = Audience.EVERYONE
    area: str = ""
    access: str = Access.CODE
    anonymous: bool = True
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def survey_definition(title: str, questions: list[dict[str, Any]]) -> dict[str, Any]:
    if any(isinstance(q, dict) and q.get("name") == AGE_FIELD for q in questions):
        raise Refused({"questions": _("「%(name)s」は年代の質問のために予約されています。") % {"name": AGE_FIELD}})
    data = {"title": title, "version": 1, "pages": [{"title": title, "fields": [age_question(), *questions]}]}
    try:
        return FormDefinition.from_dict(data).to_dict()
    except DefinitionError as error:
        raise Refused({"questions": _("質問の定義が正しくありません: %(error)s") % {"error": error}}) from error


def create_survey(staff: Staff, data: SurveyData) -> Survey:
    """A survey in 準備中, owned by `data.department`; the age band question comes first."""
    if not can(staff, department=data.department):
        raise Refused(_("この課のアンケートを作成する権限がありません。"))
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("題名を入力してください。")
    if data.opens_at and data.closes_at and data.opens_at >= data.closes_at:
        errors["closes_at"] = _("締切は開始より後にしてください。")
    if data.audience == Audience.AREA and not data.area.strip():
        errors["area"] = _("対象の地区を入力してください。")
    if data.audience == Audience.STAFF and data.access != Access.ACCOUNT:
        errors["access"] = _("職員のみのアンケートは、職員のログインで回答します。")
    if data.audience == Audience.SUBSCRIBERS and data.access != Access.ACCOUNT:
        errors["access"] = _("配信登録者のアンケートは、ログインして回答します。")
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        survey = Survey.objects.create(
            municipality=staff.municipality, title=data.title.strip(), description=data.description.strip(),
            department=data.department, definition=survey_definition(data.title.strip(), data.questions),
            audience=data.audience, area=data.area.strip(), access=data.access, anonymous=data.anonymous,
            opens_at=data.opens_at, closes_at=data.closes_at)
        audit.record("voice.survey.created", municipality=staff.municipality, actor=staff.user, obj=survey)
    return survey


def _may_run(staff: Staff, survey: Survey) -> None:
    if not can(staff, department=survey.department):
        raise Refused(_("このアンケートを担当する課の職員だけが操作できます。"))


def set_state(staff: Staff, survey: Survey, state: str) -> Survey:
    """開始 (draft → open), 終了 (open → closed), 再開 (closed → open)."""
    _may_run(staff, survey)
    allowed = {SurveyState.DRAFT: {SurveyState.OPEN}, SurveyState.OPEN: {SurveyState.CLOSED},
               SurveyState.CLOSED: {SurveyState.OPEN}}
    if state not in allowed.get(SurveyState(survey.state), set()):
        raise Refused(_("この状態には変更できません。"))
    with transaction.atomic():
        survey.state = state
        survey.save(update_fields=["state"])
        audit.record(f"voice.survey.{state}", municipality=survey.municipality, actor=staff.user, obj=survey)
    return survey


def publish_results(staff: Staff, survey: Survey, public: bool) -> Survey:
    _may_run(staff, survey)
    with transaction.atomic():
        survey.results_public = public
        survey.save(update_fields=["results_public"])
        audit.record("voice.survey.results_published" if public else "voice.survey.results_withdrawn",
                     municipality=survey.municipality, actor=staff.user, obj=survey)
    return survey


# Invitations --------------------------------------------------------------------------------------------------

def normalise_code(code: str) -> str:
    """What a resident typed, as stored: full-width and lower case accepted, hyphens and spaces ignored."""
    text = unicodedata.normalize("NFKC", code or "").upper()
    return re.sub(r"[\s\-ー－]", "", text)


def shown_code(code: str) -> str:
    """「ABCDE-FGHJK」: the code as printed."""
    return f"{code[:5]}-{code[5:]}"


def code_hash(survey: Survey, code: str) -> str:
    key = f"{settings.SECRET_KEY}:voice.invitation:{survey.uuid}".encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def make_invitations(staff: Staff, survey: Survey, count: int) -> list[str]:
    """`count` new codes for the letters. Only their hashes are kept: the codes exist only in what is returned
    (the sheet to print now)."""
    _may_run(staff, survey)
    if survey.access != Access.CODE:
        raise Refused(_("このアンケートは招待コードを使いません。"))
    if not 1 <= count <= MAX_INVITATIONS:
        raise Refused({"count": _("作成できるのは1回に1〜%(most)s件です。") % {"most": MAX_INVITATIONS}})
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    with transaction.atomic():
        Invitation.objects.bulk_create([Invitation(municipality=survey.municipality, survey=survey,
                                                   code_hash=code_hash(survey, code)) for code in codes])
        audit.record("voice.survey.invitations_made", municipality=survey.municipality, actor=staff.user,
                     obj=survey, data={"count": count})
    return codes


# Answering ----------------------------------------------------------------------------------------------------

def availability(survey: Survey, now: datetime | None = None) -> str:
    """"open", "not_yet" (準備中 or before it opens) or "closed"."""
    now = now or timezone.now()
    if survey.state == SurveyState.DRAFT or (survey.opens_at is not None and now < survey.opens_at):
        return "not_yet"
    if survey.state == SurveyState.CLOSED or (survey.closes_at is not None and now >= survey.closes_at):
        return "closed"
    return "open"


def _cleaned(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    definition = form_of(survey)
    result = validate(definition, answers)
    errors = {key: messages[0] for key, messages in result.errors.items()}
    for item in definition.all_fields():
        value = result.cleaned.get(item.name)
        if item.type in TEXT_TYPES and isinstance(value, str) and SCRIPT_RE.search(value):
            errors[item.name] = _(
                "%(label)sに、使えない書き方（<script> など）が含まれています。文章だけを書いてください。"
            ) % {"label": item.label}
    if errors:
        raise Refused(errors)
    return result.cleaned


def _take_invitation(survey: Survey, code: str) -> None:
    if not normalise_code(code):
        raise Refused({"code": _("招待コードを入力してください。")})
    rows = Invitation.objects.filter(survey=survey, code_hash=code_hash(survey, code))
    if rows.filter(used=False).update(used=True) == 1:
        return
    if rows.exists():
        raise Refused({"code": _("この招待コードでは、すでに回答を受け付けています。回答は1つのコードにつき1回です。")})
    raise Refused({"code": _("招待コードが正しくありません。お手紙に印刷されたコードをご確認ください。")})


def _take_participation(survey: Survey, user: Any) -> None:
    try:
        with transaction.atomic():  # a savepoint: the unique row is the rule
            Participation.objects.create(municipality=survey.municipality, survey=survey, user=user)
    except IntegrityError:
        raise Refused(_("このアンケートには、すでに回答いただいています。回答は1人1回です。")) from None


def _check_audience(survey: Survey, user: Any) -> None:
    if survey.access != Access.ACCOUNT:
        return
    if user is None or not getattr(user, "is_authenticated", False):
        raise Refused(_("このアンケートはログインして回答します。"))
    if survey.audience == Audience.STAFF:
        staff = getattr(user, "staff", None)
        if staff is None or not staff.is_active or staff.municipality_id != survey.municipality_id:
            raise Refused(_("このアンケートは町の職員だけが回答できます。"))
    if survey.audience == Audience.SUBSCRIBERS and not Subscriber.objects.filter(
            municipality=survey.municipality, resident__user=user, unsubscribed_at__isnull=True).exists():
        raise Refused(_("このアンケートは配信登録をしている方が回答できます。"))


def _store(survey: Survey, cleaned: dict[str, Any], channel: str, user: Any = None) -> None:
    answer = SurveyAnswer.objects.create(
        municipality=survey.municipality, survey=survey, channel=channel,
        age_band=str(cleaned.get(AGE_FIELD) or ""), answered_on=timezone.localdate())
    items: list[SurveyItem] = []
    for item in form_of(survey).all_fields():
        value = cleaned.get(item.name)
        if item.name == AGE_FIELD or value in (None, "", []):
            continue
        row = {"municipality": survey.municipality, "answer": answer, "survey": survey, "question": item.name}
        if item.type == "multi_choice":
            items += [SurveyItem(**row, option=str(option)) for option in value]
        elif item.type == "choice":
            items.append(SurveyItem(**row, option=str(value)))
        elif isinstance(value, int) and not isinstance(value, bool):
            items.append(SurveyItem(**row, number=value))
        else:
            items.append(SurveyItem(**row, text=str(value)))
    SurveyItem.objects.bulk_create(items)


def blur(survey: Survey) -> None:
    """Rewrite every used invitation and participation of `survey` in one statement each, after an answer commits.

    On PostgreSQL a row carries the id of the transaction that last wrote it (xmin): the answer, and the invitation
    or participation taken with it, would share one, which joins them for anyone reading the tables with system
    columns. Rewritten together, all those rows carry the same new id, that of no answer. (Cost: one UPDATE of the
    survey's used invitations per answer: 1,500 rows for 003's 町民意識調査.)"""
    with scope(municipality=survey.municipality), transaction.atomic():
        Invitation.objects.filter(survey=survey, used=True).update(used=True)
        Participation.objects.filter(survey=survey).update(survey=survey)


def answer_online(survey: Survey, answers: dict[str, Any], *, code: str = "", user: Any = None) -> None:
    """A resident's (or, for 職員意識調査, a staff member's) answer sent from the survey's page.

    Refused, with nothing saved: outside the period, a code already used or unknown, an account that has
    answered, an answer that fails the questions' rules."""
    state = availability(survey)
    if state != "open":
        raise Refused(_("このアンケートは終了しました。") if state == "closed"
                      else _("このアンケートはまだ始まっていません。"))
    _check_audience(survey, user)
    cleaned = _cleaned(survey, answers)
    with transaction.atomic():
        if survey.access == Access.CODE:
            _take_invitation(survey, code)
        elif survey.access == Access.ACCOUNT:
            _take_participation(survey, user)
        _store(survey, cleaned, Channel.ONLINE)
        if survey.access != Access.OPEN:
            transaction.on_commit(lambda: blur(survey))


def enter_paper(staff: Staff, survey: Survey, answers: dict[str, Any], *, code: str = "") -> None:
    """A returned paper questionnaire keyed in by staff (書かない窓口): channel=paper. With invitation codes, the
    code printed on the sheet is entered too, so that invitation cannot also answer online (nor twice on paper)."""
    _may_run(staff, survey)
    if survey.state == SurveyState.DRAFT:
        raise Refused(_("準備中のアンケートには回答を入力できません。"))
    if survey.access == Access.ACCOUNT:
        raise Refused(_("ログインして回答するアンケートには、紙の回答を入力できません。"))
    cleaned = _cleaned(survey, answers)
    with transaction.atomic():
        if survey.access == Access.CODE:
            _take_invitation(survey, code)
            transaction.on_commit(lambda: blur(survey))
        _store(survey, cleaned, Channel.PAPER)
        audit.record("voice.survey.paper_entered", municipality=survey.municipality, actor=staff.user, obj=survey)


def refusal_fields(error: Refused) -> dict[str, list[str]]:
    """A refusal as the forms engine's errors (field → messages), the rest under NON_FIELD."""
    return {name: [message] for name, message in error.errors.items()} if error.errors else {
        NON_FIELD: error.messages}
