"""オープンデータ on the staff top page: imports that failed (the dataset's latest file was not published)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Role, Staff

from .models import Upload, UploadState

FAILED = (UploadState.INVALID, UploadState.FAILED)
RECENT = 200  # the latest uploads looked at (one query)
FAILED_FILTER = "failed"  # ?uploads=failed on the staff list of datasets


def failed_uploads(staff: Staff) -> list[Upload]:
    """Uploads that were the last word on their dataset and did not publish: of the staff member's department's
    datasets, every dataset's for 情報担当 (one query)."""
    uploads = Upload.objects.order_by("-created_at").select_related("dataset")
    if not staff.has_role(Role.ADMIN):
        uploads = uploads.filter(dataset__department=staff.department_id)
    latest: dict[int, Upload] = {}
    for upload in uploads[:RECENT]:
        latest.setdefault(upload.dataset_id, upload)
    return [upload for upload in latest.values() if upload.state in FAILED]


def items(staff: Staff) -> list[worklist.Item]:
    failed = failed_uploads(staff)
    if not failed:
        return []
    url = reverse("staff:opendata") + f"?uploads={FAILED_FILTER}"
    names = "、".join(upload.dataset.title for upload in failed[:3])
    return [worklist.Item(gettext_lazy("取り込みに失敗したファイル"), len(failed), url, worklist.OVERDUE,
                          _("直さないと公開されません: %(names)s") % {"names": names})]


worklist.register(worklist.Provider(gettext_lazy("オープンデータ"), items, order=50))
