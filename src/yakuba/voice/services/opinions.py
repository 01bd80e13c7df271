"""ご意見箱's verbs: a resident sends an opinion or a question; staff route it to a 課, answer it (mailed after
commit), close it as 回答不要, and publish it, anonymised, as よくある質問; the 情報担当 keeps the categories.

Every staff action names the revision the staff member saw: when another action came first, the second is refused
(and its typing kept by the view), so two staff answering at once never overwrite each other."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import pii, records
from yakuba.kernel.accounts.models import Department, Resident, Role, Staff
from yakuba.kernel.accounts.permissions import can
from yakuba.kernel.audit.services import record
from yakuba.kernel.messaging.consent import Purpose, is_account_address, to_person
from yakuba.kernel.numbering import services as numbering
from yakuba.kernel.refusal import NON_FIELD, Refused
from yakuba.kernel.tenancy.models import Municipality

from ..models.opinions import BODY_MAX as BODY_MAX
from ..models.opinions import Opinion, OpinionCategory, OpinionRouting, OpinionStatus

NUMBER_SERIES = "voice.opinion"  # 受付番号, per calendar year
FAQ = "voice.opinion_faq"  # the kind of record (kernel.records) the published FAQ and the front page follow
NAME_MAX = 60
ANSWER_MAX = 4000
FAQ_MAX = 2000
NOTE_MAX = 300

# The categories a town starts with, each with the words of the 課 that receives it first (the first 課 whose name
# has one of them; the town's first 課, its DX office, otherwise).
DEFAULT_CATEGORIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ご意見・ご提案", "町政やまちづくりへのご意見、ご提案", ("企画",)),
    ("ご質問", "町の仕事や制度についてのご質問", ("総務",)),
    ("DX・デジタル化について", "オンライン手続、ホームページ、デジタル化の取り組みについて", ("情報", "デジタル")),
    ("手続き", "届出・証明書・申請の方法について", ("住民",)),
    ("施設", "公民館・体育館・公園など町の施設について", ("建設", "都市", "教育")),
    ("その他", "上のどれにも当たらないもの", ()),
)


# Reading ------------------------------------------------------------------------------------------------------------

def inbox(staff: Staff) -> QuerySet[Opinion]:
    """The opinions `staff` may see: the 情報担当 every one of the town, others those with their 課."""
    opinions = Opinion.objects.select_related("category", "department")
    return opinions if staff.role >= Role.ADMIN else opinions.filter(department_id=staff.department_id)


def waiting_count(staff: Staff) -> int:
    """「ご意見 未回答」: the opinions with the staff member's 課 (the town's for the 情報担当) still 未対応."""
    rows = Opinion.objects.filter(status=OpinionStatus.NEW)
    if staff.role < Role.ADMIN:
        rows = rows.filter(department_id=staff.department_id)
    return int(rows.count())


def published() -> QuerySet[Opinion]:
    """The よくある質問 residents read (inside the town's scope), by category."""
    return (Opinion.objects.filter(published_at__isnull=False).select_related("category", "department")
            .order_by("category__sort_order", "category_id", "-published_at", "-pk"))


def open_categories() -> QuerySet[OpinionCategory]:
    return OpinionCategory.objects.filter(active=True).select_related("department")


def mail_address(opinion: Opinion) -> str:
    """Where the receipt and the answer go: the account's address only once confirmed (the kernel's mail rule), an
    address the sender typed into the form as given (they asked for the receipt and the answer there); "" for none."""
    if not opinion.email:
        return ""
    if opinion.resident is not None and is_account_address(opinion.resident, opinion.email):
        return to_person(opinion.resident, Purpose.PERSONAL).address
    return opinion.email


def mailable(opinion: Opinion) -> bool:
    return bool(mail_address(opinion))


def faq_draft(opinion: Opinion) -> tuple[str, str]:
    """The question and answer staff start from when publishing: the sender's words and the answer passed through
    the PII guard (names, addresses, phone numbers, e-mail addresses replaced by ［氏名］ …)."""
    question, _found = pii.redact(opinion.body)
    answer, _found = pii.redact(opinion.answer)
    return question, answer


# Sending ------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sending:
    """What a resident typed (the view's parse of the form)."""

    category_id: int | None
    body: str
    name: str = ""
    email: str = ""
    wants_answer: bool = False
    consented: bool = False


def _checked(sending: Sending, resident: Resident | None) -> tuple[OpinionCategory | None, dict[str, str]]:
    errors: dict[str, str] = {}
    category = open_categories().filter(pk=sending.category_id).first() if sending.category_id else None
    if category is None:
        errors["category"] = _("分類を選んでください。")
    body = sending.body.strip()
    if not body:
        errors["body"] = _("ご意見・ご質問を入力してください。")
    elif len(body) > BODY_MAX:
        errors["body"] = _("%(max)s文字以内で入力してください（いまは%(count)s文字です）。") % {
            "max": BODY_MAX, "count": len(body)}
    if "\x00" in sending.body or "\x00" in sending.name or "\x00" in sending.email:
        errors[NON_FIELD] = _("使えない文字が含まれています。")
    if len(sending.name.strip()) > NAME_MAX:
        errors["name"] = _("お名前は%(max)s文字以内で入力してください。") % {"max": NAME_MAX}
    email = sending.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("メールアドレスの形が正しくありません。例：taro@example.jp")
    if sending.wants_answer and not email and not account_address(resident):
        errors["email"] = _("回答をご希望の場合は、回答をお送りするメールアドレスを入力してください。")
    if not sending.consented:
        errors["consent"] = _("プライバシーポリシーに同意してください。")
    return category, errors


def account_address(resident: Resident | None) -> str:
    user = resident.user if resident is not None else None
    return user.email if user is not None and user.email and not user.email.endswith("@users.invalid") else ""


def send(municipality: Municipality, sending: Sending, *, resident: Resident | None = None,
         request: HttpRequest | None = None) -> Opinion:
    """Receive an opinion: checked as a whole (every reason at once), numbered, recorded, the receipt mailed after
    commit when there is an address. The text is kept as typed: pages escape it when they show it."""
    category, errors = _checked(sending, resident)
    if errors:
        raise Refused(errors)
    assert category is not None
    email = sending.email.strip() or account_address(resident)
    with transaction.atomic():
        now = timezone.now()
        year = timezone.localdate(now).year
        number = f"{year}-{numbering.take(municipality, NUMBER_SERIES, year):05d}"
        opinion = Opinion.objects.create(
            municipality=municipality, number=number, category=category, department=category.department,
            body=sending.body.strip(), resident=resident, name=sending.name.strip(), email=email,
            wants_answer=sending.wants_answer, received_at=now)
        record("voice.opinion.received", municipality=municipality,
               actor=resident.user if resident is not None else None, obj=opinion, request=request,
               data={"category": category.name, "identified": opinion.identified})
        if email:
            _mail_after_commit("receipt", opinion.pk)
    return opinion


def _mail_after_commit(kind: str, opinion_id: int) -> None:
    from .. import tasks_opinions

    task = tasks_opinions.mail_receipt if kind == "receipt" else tasks_opinions.mail_answer
    transaction.on_commit(lambda: task.enqueue(opinion_id))


# Staff actions --------------------------------------------------------------------------------------------------------

def _locked(staff: Staff, opinion_id: int, revision: int | None) -> Opinion:
    """The opinion's row locked for this action, after checking the staff member may act on it and saw its latest
    state (`revision` from the form; None for actions that do not depend on what was seen)."""
    opinion = (Opinion.objects.select_for_update(of=("self",)).select_related("category", "department")
               .filter(pk=opinion_id).first())
    if opinion is None or not (staff.role >= Role.ADMIN or opinion.department_id == staff.department_id):
        raise Refused(_("このご意見を扱う権限がありません。"))
    if revision is not None and opinion.revision != revision:
        raise Refused(_("ほかの職員が先にこのご意見を更新しました。最新の内容を確かめてから、もう一度操作してください"
                        "（入力した内容は残してあります）。"))
    return opinion


def _saved(opinion: Opinion, staff: Staff, action: str, request: HttpRequest | None, **data: object) -> Opinion:
    opinion.revision += 1
    opinion.save()
    record(f"voice.opinion.{action}", municipality=opinion.municipality, actor=staff.user, obj=opinion,
           request=request, data={k: v for k, v in data.items() if v not in (None, "")})
    return opinion


def route(staff: Staff, opinion_id: int, department: Department | None, note: str, *, revision: int,
          request: HttpRequest | None = None) -> Opinion:
    """振り分け: give the opinion to another 課, with a note for it."""
    note = note.strip()
    errors: dict[str, str] = {}
    if department is None:
        errors["department"] = _("振り分け先の課を選んでください。")
    if len(note) > NOTE_MAX:
        errors["note"] = _("申し送りは%(max)s文字以内で入力してください。") % {"max": NOTE_MAX}
    if errors:
        raise Refused(errors)
    assert department is not None
    with transaction.atomic():
        opinion = _locked(staff, opinion_id, revision)
        if department.pk == opinion.department_id:
            raise Refused({"department": _("いまの担当課と同じです。別の課を選んでください。")})
        OpinionRouting.objects.create(municipality=opinion.municipality, opinion=opinion,
                                      from_department=opinion.department, to_department=department, note=note,
                                      routed_by=staff.user, routed_at=timezone.now())
        previous = opinion.department.name
        opinion.department = department
        return _saved(opinion, staff, "routed", request, to=department.name, **{"from": previous})


def answer(staff: Staff, opinion_id: int, text: str, *, revision: int, request: HttpRequest | None = None) -> Opinion:
    """回答: record the answer (status 回答済, answered_at for the metric) and mail it after commit when the sender
    left an address. An answered opinion may be answered again (a correction), which is mailed again."""
    text = text.strip()
    if not text:
        raise Refused({"answer": _("回答を入力してください。")})
    if len(text) > ANSWER_MAX:
        raise Refused({"answer": _("回答は%(max)s文字以内で入力してください。") % {"max": ANSWER_MAX}})
    with transaction.atomic():
        opinion = _locked(staff, opinion_id, revision)
        first = opinion.answered_at is None
        opinion.answer = text
        opinion.status = OpinionStatus.ANSWERED
        if first:
            opinion.answered_at = timezone.now()
        opinion.answered_by = staff.user
        _saved(opinion, staff, "answered", request, corrected=not first or None)
        if opinion.email:
            _mail_after_commit("answer", opinion.pk)
        if opinion.published_at is not None:
            records.announce(FAQ, opinion.municipality_id)
    return opinion


def close(staff: Staff, opinion_id: int, *, revision: int, request: HttpRequest | None = None) -> Opinion:
    """回答不要: nothing to answer (thanks, a remark); it leaves the 未対応 list."""
    with transaction.atomic():
        opinion = _locked(staff, opinion_id, revision)
        if opinion.status != OpinionStatus.NEW:
            raise Refused(_("未対応のご意見だけを「回答不要」にできます。"))
        opinion.status = OpinionStatus.CLOSED
        return _saved(opinion, staff, "closed", request)


def publish(staff: Staff, opinion_id: int, question: str, answer_text: str, *, revision: int,
            request: HttpRequest | None = None) -> Opinion:
    """Publish (or change) the opinion as よくある質問: the question and answer staff wrote, both checked by the
    PII guard — what still names a person, an address, a phone number or an e-mail address is refused."""
    question, answer_text = question.strip(), answer_text.strip()
    errors: dict[str, str] = {}
    for field, value, label in (("faq_question", question, _("質問")), ("faq_answer", answer_text, _("回答"))):
        if not value:
            errors[field] = _("公開する%(what)sを入力してください。") % {"what": label}
        elif len(value) > FAQ_MAX:
            errors[field] = _("%(max)s文字以内で入力してください。") % {"max": FAQ_MAX}
        elif found := [f for f in pii.find(value) if f.kind != "name" or field == "faq_question"]:
            errors[field] = _("個人が分かる情報（%(what)s）が残っています。消してから公開してください。") % {
                "what": "、".join(dict.fromkeys(pii.PLACEHOLDERS[f.kind].strip("［］") for f in found))}
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        opinion = _locked(staff, opinion_id, revision)
        if opinion.status != OpinionStatus.ANSWERED:
            raise Refused(_("回答済みのご意見だけを、よくある質問として公開できます。"))
        opinion.faq_question, opinion.faq_answer = question, answer_text
        if opinion.published_at is None:
            opinion.published_at = timezone.now()
        _saved(opinion, staff, "published", request)
        records.announce(FAQ, opinion.municipality_id)
    return opinion


def unpublish(staff: Staff, opinion_id: int, *, revision: int, request: HttpRequest | None = None) -> Opinion:
    """Take the よくある質問 down (the assistant forgets it at its next sync)."""
    with transaction.atomic():
        opinion = _locked(staff, opinion_id, revision)
        if opinion.published_at is None:
            raise Refused(_("このご意見は公開されていません。"))
        opinion.published_at = None
        _saved(opinion, staff, "unpublished", request)
        records.announce(FAQ, opinion.municipality_id)
    return opinion


def note_contact_read(staff: Staff, opinion: Opinion, request: HttpRequest | None = None) -> None:
    """A staff member was shown an identified sender's name and address (kernel.audit)."""
    if opinion.identified:
        record("voice.opinion.viewed", municipality=opinion.municipality, actor=staff.user, obj=opinion,
               request=request, data={"fields": ["name", "email", "resident"]})


# Categories (情報担当) ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryFields:
    name: str
    description: str
    department: Department | None
    active: bool = True
    sort_order: int = 0


def save_category(staff: Staff, fields: CategoryFields, category_id: int | None = None,
                  request: HttpRequest | None = None) -> OpinionCategory:
    """Add or change a category (its name, its default 課, whether residents can choose it)."""
    if not can(staff, Role.ADMIN):
        raise Refused(_("分類を変更できるのは情報担当です。"))
    name = fields.name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("分類の名前を入力してください。")
    elif len(name) > 40:
        errors["name"] = _("分類の名前は40文字以内で入力してください。")
    elif OpinionCategory.objects.filter(name=name).exclude(pk=category_id or 0).exists():
        errors["name"] = _("同じ名前の分類がすでにあります。")
    if fields.department is None:
        errors["department"] = _("受け付ける課を選んでください。")
    if len(fields.description) > 200:
        errors["description"] = _("説明は200文字以内で入力してください。")
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        if category_id is None:
            category = OpinionCategory(municipality=staff.municipality)
        else:
            category = OpinionCategory.objects.select_for_update().get(pk=category_id)
        category.name, category.description = name, fields.description.strip()
        category.department = fields.department  # type: ignore[assignment]
        category.active, category.sort_order = fields.active, fields.sort_order
        category.save()
        record("voice.opinion_category.saved", municipality=staff.municipality, actor=staff.user, obj=category,
               request=request, data={"name": name, "department": category.department.name})
    return category


def default_department(departments: list[Department], words: tuple[str, ...]) -> Department:
    return next((d for word in words for d in departments if word in d.name), departments[0])


def install_defaults(municipality: Municipality, staff: Staff | None = None) -> int:
    """The standard categories the town has not yet (by name), each with its likely 課; how many were added."""
    departments = list(Department.objects.order_by("sort_order", "pk"))
    if not departments:
        return 0
    if staff is not None and not can(staff, Role.ADMIN):
        raise Refused(_("分類を変更できるのは情報担当です。"))
    added = 0
    with transaction.atomic():
        have = set(OpinionCategory.objects.values_list("name", flat=True))
        for order, (name, description, words) in enumerate(DEFAULT_CATEGORIES, start=1):
            if name in have:
                continue
            OpinionCategory.objects.create(municipality=municipality, name=name, description=description,
                                           department=default_department(departments, words), sort_order=order * 10)
            added += 1
        if added and staff is not None:
            record("voice.opinion_category.defaults", municipality=municipality, actor=staff.user,
                   data={"added": added})
    return added


def status_filter(rows: QuerySet[Opinion], status: str) -> QuerySet[Opinion]:
    """未対応 / 回答済 / 回答不要 / 公開済 (公開済 is an answered opinion also published)."""
    if status == "published":
        return rows.filter(published_at__isnull=False)
    if status in OpinionStatus.values:
        return rows.filter(status=status)
    return rows
