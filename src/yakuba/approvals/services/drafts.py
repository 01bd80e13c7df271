"""Writing a 起案文書: create (from a template, as an answer to a 収受 or as a correction of a decided draft), change it
while it is the drafter's, attach files checked by their content, and empty it when its 簿冊 is 廃棄."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.files.uploads import UploadRejected, check_upload, private_storage, save_private
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui import richtext

from ..models import Attachment, DocumentClass, Draft, DraftStatus, Matter, Record, SendOut
from .routes import MONEY

ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", ".docx", ".xlsx", ".pptx")
MAX_ATTACHMENTS = 20
EDITABLE = (DraftStatus.DRAFT, DraftStatus.RETURNED)


def sanitise(body: str) -> str:
    """The 本文 as safe HTML (paragraphs, headings h2–h4, lists, bold, tables, links to web pages or mail)."""
    return richtext.sanitise(body, tags=richtext.TAGS - {"caption"}, schemes={"http", "https", "mailto"})


@dataclass
class DraftData:
    title: str
    body: str
    document_class: DocumentClass | None
    matter: str = Matter.GENERAL
    amount: int | None = None
    payee: str = ""
    budget_code: str = ""
    delivery: str = SendOut.NONE
    important: bool = False
    department: Department | None = None
    attachments: list[UploadedFile[bytes]] = field(default_factory=list)


def _check(data: DraftData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("件名を入力してください。")
    if data.document_class is None:
        errors["document_class"] = _("文書分類を選んでください。")
    elif not data.document_class.is_active:
        errors["document_class"] = _("この文書分類は使われていません。選び直してください。")
    if data.matter in MONEY and data.amount is None:
        errors["amount"] = _("金額を入力してください（支出負担行為と契約は金額で決裁権者が決まります）。")
    if data.amount is not None and data.amount < 0:
        errors["amount"] = _("金額は0円以上で入力してください。")
    return errors


def _department(staff: Staff, data: DraftData) -> Department:
    """A clerk drafts for their own 課; 情報担当 may draft for any."""
    if data.department is None or data.department.pk == staff.department_id:
        return staff.department
    if staff.has_role(Role.ADMIN):
        return data.department
    raise Refused({"department": _("自分の課の起案だけを作成できます。")})


def _attach(staff: Staff, draft: Draft, uploads: list[UploadedFile[bytes]]) -> None:
    if draft.attachments.count() + len(uploads) > MAX_ATTACHMENTS:
        raise Refused({"attachments": _("添付ファイルは%(n)d件までです。") % {"n": MAX_ATTACHMENTS}})
    for upload in uploads:
        try:
            checked = check_upload(upload, accept=ATTACHMENT_TYPES)
        except UploadRejected as error:
            raise Refused({"attachments": f"{upload.name}: {error}"}) from error
        path = save_private(upload, f"approvals/drafts/{draft.municipality_id}")
        Attachment.objects.create(municipality_id=draft.municipality_id, draft=draft, name=checked.name,
                                  content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                  path=path)
        audit("approvals.draft.attached", municipality=draft.municipality, actor=staff.user, obj=draft,
              data={"name": checked.name, "sha256": checked.sha256})


def create_draft(staff: Staff, data: DraftData, *, replies_to: Record | None = None,
                 corrects: Draft | None = None) -> Draft:
    """A new 起案 of `staff` (作成中): nothing circulates until it is sent."""
    errors = _check(data)
    if corrects is not None and not corrects.is_decided:
        errors["corrects"] = _("訂正できるのは決裁済の起案だけです。")
    if errors:
        raise Refused(errors)
    assert data.document_class is not None
    with transaction.atomic():
        draft = Draft.objects.create(
            municipality=staff.municipality, department=_department(staff, data), drafter=staff,
            matter=data.matter, document_class=data.document_class, title=data.title.strip(),
            body=sanitise(data.body), amount=data.amount, payee=data.payee.strip(),
            budget_code=data.budget_code.strip(), delivery=data.delivery, important=data.important,
            replies_to=replies_to, corrects=corrects)
        _attach(staff, draft, data.attachments)
        audit("approvals.draft.created", municipality=staff.municipality, actor=staff.user, obj=draft,
              data={"matter": draft.matter, "amount": draft.amount,
                    "replies_to": replies_to.pk if replies_to else None, "corrects": corrects.pk if corrects else None})
    return draft


def refuse_unless_editable(draft: Draft) -> None:
    if draft.status == DraftStatus.DECIDED:
        raise Refused(_("決裁済の起案は変更できません。"
                        "訂正するときは、この起案を訂正する新しい起案を作成してください。"))
    if draft.status == DraftStatus.CIRCULATING:
        raise Refused(_("回議中の起案は変更できません。引き上げてから変更してください。"))


def update_draft(staff: Staff, draft: Draft, data: DraftData) -> Draft:
    """Change a draft that is still the drafter's (作成中 or 差し戻し)."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if draft.drafter_id != staff.pk:
            raise Refused(_("起案者だけが変更できます。"))
        refuse_unless_editable(draft)
        errors = _check(data)
        if errors:
            raise Refused(errors)
        assert data.document_class is not None
        draft.title, draft.body = data.title.strip(), sanitise(data.body)
        draft.matter, draft.document_class, draft.amount = data.matter, data.document_class, data.amount
        draft.payee, draft.budget_code = data.payee.strip(), data.budget_code.strip()
        draft.delivery, draft.important = data.delivery, data.important
        draft.save()
        _attach(staff, draft, data.attachments)
        audit("approvals.draft.changed", municipality=draft.municipality, actor=staff.user, obj=draft,
              data={"matter": draft.matter, "amount": draft.amount})
    return draft


def remove_attachment(staff: Staff, attachment: Attachment) -> None:
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=attachment.draft_id)
        if draft.drafter_id != staff.pk:
            raise Refused(_("起案者だけが変更できます。"))
        refuse_unless_editable(draft)
        path = attachment.path
        attachment.delete()
        audit("approvals.draft.detached", municipality=draft.municipality, actor=staff.user, obj=draft,
              data={"name": attachment.name})
        if path:
            transaction.on_commit(lambda: private_storage().delete(path))


def empty_disposed(record: Record) -> Draft | None:
    """After its 簿冊 was 廃棄: the draft's body and attachments go; 件名, number, dates and route stay."""
    draft = Draft.objects.filter(record=record).first()
    if draft is None:
        return None
    paths = [path for path in draft.attachments.values_list("path", flat=True) if path]
    draft.attachments.update(path="")
    Draft.objects.filter(pk=draft.pk).update(body="", disposed_at=timezone.now())
    audit("approvals.draft.disposed", municipality=draft.municipality, actor=None, obj=draft,
          data={"attachments": len(paths)})

    def delete_files() -> None:
        for path in paths:
            private_storage().delete(path)

    transaction.on_commit(delete_files)
    return draft
