"""What staff do to a dataset: keep its rows (a form per row, generated from the schema), import a CSV/XLSX file,
and publish. Nothing reaches the public until it is valid; publishing makes a new version and the old ones stay."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import private_storage, save_private
from yakuba.kernel.refusal import Refused

from ..definitions import TOWN_NAME
from ..models import Dataset, Origin, Row, Upload, UploadState, Version
from . import publish as publishing
from .tables import TOWN_CODE_COLUMNS, Problem, Table, TableRefused, check, fill_town, read_file, to_table

MAX_UPLOAD = 20 * 1024 * 1024
AUTOMATIC = (*TOWN_CODE_COLUMNS, TOWN_NAME)  # filled in for the town when left empty


class NotPublishable(Refused):
    """The working copy has problems, so nothing was published; `problems` lists them, row by row."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


def may_edit(staff: Staff | None, dataset: Dataset) -> bool:
    """情報担当, or staff of the dataset's department. Generated datasets are never edited by hand."""
    if staff is None or not staff.is_active or staff.municipality_id != dataset.municipality_id:
        return False
    if publishing.definition_of(dataset).generated:
        return False
    return staff.has_role(Role.ADMIN) or (dataset.department_id is not None
                                          and dataset.department_id == staff.department_id)


def _require(staff: Staff, dataset: Dataset) -> None:
    if not may_edit(staff, dataset):
        raise Refused({"__all__": _("このデータセットを編集する権限がありません。")})


def save_settings(staff: Staff, dataset: Dataset, changed: list[str]) -> None:
    """Store the dataset's title, description, licence and 担当課 (情報担当 only), audited with what changed."""
    if not (staff.is_active and staff.has_role(Role.ADMIN) and staff.municipality_id == dataset.municipality_id):
        raise Refused({"__all__": _("データセットの設定を変える権限がありません。")})
    dataset.save(update_fields=["title", "description", "licence", "department", "updated_at"])
    record("opendata.dataset_changed", municipality=dataset.municipality, actor=staff.user, obj=dataset,
           data={"dataset": dataset.kind, "fields": changed})


def refresh_generated(staff: Staff) -> list[Version]:
    """Publish the generated datasets again now, audited (情報担当 only)."""
    from .. import generated

    if not (staff.is_active and staff.has_role(Role.ADMIN)):
        raise Refused({"__all__": _("自動生成のデータを更新する権限がありません。")})
    made = generated.refresh(staff.municipality)
    record("opendata.generated_refreshed", municipality=staff.municipality, actor=staff.user,
           data={"versions": [f"{v.dataset.kind}#{v.number}" for v in made]})
    return made


# Rows -----------------------------------------------------------------------------------------------------------

def save_row(staff: Staff, dataset: Dataset, row: Row | None, values: dict[str, str]) -> Row:
    """Add or change one row of the working copy; checked against the schema like a one-line file."""
    _require(staff, dataset)
    defn = publishing.definition_of(dataset)
    data = {name: str(values.get(name, "") or "").strip() for name in defn.names}
    table = Table(header=defn.names, rows=[data], lines=[2])
    fill_town(table, dataset.municipality)
    problems, _count = check(defn, dataset.municipality, table)
    errors = {p.column or "__all__": p.message for p in reversed(problems)}
    key = defn.row_key(data)
    others = Row.objects.filter(dataset=dataset, key=key)
    if row is not None:
        others = others.exclude(pk=row.pk)
    if defn.id_column and data.get(defn.id_column) and others.exists():
        errors[defn.id_column] = _("「%(col)s」「%(value)s」は既に使われています。") % {
            "col": defn.id_column, "value": data[defn.id_column]}
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        if row is None:
            position = (Row.objects.filter(dataset=dataset).aggregate(p=Max("position"))["p"] or 0) + 1
            row = Row.objects.create(municipality=dataset.municipality, dataset=dataset, key=key, data=data,
                                     position=position)
            action = "opendata.row_added"
        else:
            row.key, row.data = key, data
            row.save(update_fields=["key", "data", "updated_at"])
            action = "opendata.row_changed"
        record(action, municipality=dataset.municipality, actor=staff.user, obj=row, data={"dataset": dataset.kind})
    return row


def delete_row(staff: Staff, row: Row) -> None:
    _require(staff, row.dataset)
    with transaction.atomic():
        record("opendata.row_deleted", municipality=row.municipality, actor=staff.user, obj=row,
               data={"dataset": row.dataset.kind, "key": row.key})
        row.delete()


def publish(staff: Staff, dataset: Dataset, note: str = "") -> Version:
    """Publish the working copy, if every row is valid (the public keeps the previous version otherwise)."""
    _require(staff, dataset)
    defn = publishing.definition_of(dataset)
    rows = [r.data for r in Row.objects.filter(dataset=dataset).order_by("position", "pk")]
    if not rows:
        raise Refused({"__all__": _("公開する行がありません。行を追加するか、ファイルを取り込んでください。")})
    table = Table(header=defn.names, rows=rows, lines=list(range(2, len(rows) + 2)))
    problems, count = check(defn, dataset.municipality, table)
    if problems:
        message = ngettext("%(n)d 件の問題があるため公開できません。",
                           "%(n)d 件の問題があるため公開できません。", count)
        raise NotPublishable(message % {"n": count}, problems)
    return publishing.publish(dataset, rows, origin=Origin.FORM, user=staff.user, note=note)


# Imports --------------------------------------------------------------------------------------------------------

def receive(staff: Staff, dataset: Dataset, upload: UploadedFile[bytes] | None, note: str = "") -> Upload:
    """Keep the file and queue its check; the task publishes it only if it is entirely valid."""
    from .. import tasks

    _require(staff, dataset)
    if upload is None:
        raise Refused({"file": _("ファイルを選んでください。")})
    name = (upload.name or "").lower()
    if upload.size is not None and upload.size > MAX_UPLOAD:
        size = f"{upload.size / 1024 / 1024:.0f}MB"
        raise Refused({"file": _("ファイルが大きすぎます（%(size)s）。1回に取り込めるのは 20MB までです。")
                           % {"size": size}})
    if not name.endswith((".csv", ".xlsx", ".txt")):
        raise Refused({"file": _("CSV（.csv）か Excel（.xlsx）のファイルを選んでください。")})
    if not upload.size:
        raise Refused({"file": _("ファイルが空です。")})
    with transaction.atomic():
        item = Upload.objects.create(
            municipality=dataset.municipality, dataset=dataset, path=save_private(upload, "opendata/uploads"),
            original_name=(upload.name or "")[:120], size=upload.size or 0, note=note[:200], created_by=staff.user)
        record("opendata.uploaded", municipality=dataset.municipality, actor=staff.user, obj=dataset,
               data={"upload": str(item.public_id), "name": item.original_name, "size": item.size})
        transaction.on_commit(lambda: tasks.check_upload.enqueue(item.pk))
    return item


def load_table(dataset: Dataset, data: bytes, name: str) -> tuple[Table, list[Problem], int]:
    """Read and check a file for the dataset: the table, its problems (kept ones) and their number."""
    defn = publishing.definition_of(dataset)
    lines, encoding = read_file(data, name)
    table = to_table(defn, lines, encoding=encoding)
    fill_town(table, dataset.municipality)
    problems, count = check(defn, dataset.municipality, table)
    return table, problems, count


def process(upload: Upload) -> Upload:
    """Check the file; if valid, replace the rows and publish, all in one transaction. Safe to run twice."""
    if upload.state != UploadState.PENDING:
        return upload
    dataset = upload.dataset
    with private_storage().open(upload.path, "rb") as handle:
        data = handle.read()
    try:
        table, problems, count = load_table(dataset, data, upload.original_name)
    except TableRefused as refused:
        return _finish(upload, UploadState.INVALID, problems=refused.problems, count=len(refused.problems))
    upload.encoding, upload.legacy, upload.row_count = table.encoding, table.legacy, len(table.rows)
    if not table.rows:
        problems, count = [Problem(None, "", _("データの行がありません。"))], 1
    if problems:
        return _finish(upload, UploadState.INVALID, problems=problems, count=count)
    with transaction.atomic():
        replace_rows(dataset, table.rows)
        upload.version = publishing.publish(dataset, table.rows, origin=Origin.IMPORT, user=upload.created_by,
                                            note=upload.note or _("ファイル「%(name)s」を取り込み") % {
                                                "name": upload.original_name})
        return _finish(upload, UploadState.PUBLISHED)


def replace_rows(dataset: Dataset, rows: list[dict[str, str]]) -> None:
    defn = publishing.definition_of(dataset)
    Row.objects.filter(dataset=dataset).delete()
    Row.objects.bulk_create([Row(municipality=dataset.municipality, dataset=dataset, key=defn.row_key(data)[:100],
                                 data=data, position=index) for index, data in enumerate(rows, start=1)],
                            batch_size=2000)


def _finish(upload: Upload, state: str, *, problems: list[Problem] | None = None, count: int = 0) -> Upload:
    upload.state = state
    upload.errors = [p.as_dict() for p in problems or []]
    upload.error_count = count
    upload.finished_at = timezone.now()
    upload.save()
    return upload


def template_csv(dataset: Dataset) -> bytes:
    """An empty file with the header, for staff to fill in."""
    return publishing.encode_csv(publishing.definition_of(dataset).names, [])  # a header only: nothing to neutralise
