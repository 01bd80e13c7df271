"""What the shared sweeps need of 通報: a town with categories, a report in each status (one hidden) and an Open311
client; the objects per staff route (role sweep), the rows of town B (isolation sweep), and the public pages the
page-cache and private-page crawls open."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.tenancy.models import Municipality

OPEN311 = {"/open311/v2/discovery.json", "/open311/v2/services.json", "/open311/v2/services/{service_code}.json",
           "/open311/v2/requests.json", "/open311/v2/requests/{service_request_id}.json",
           "/open311/v2/tokens/{token}.json"}


def open311_town(town: Municipality) -> dict[str, Any]:
    """Categories, two reports (one done with an answer), an Open311 client; names for the URLs of each."""
    from tests.voice.reports_support import file_report, jpeg_bytes, make_categories
    from yakuba.voice.models import Open311Client, ReportCategory, ReportStatus
    from yakuba.voice.services import reports as services

    cats = make_categories(town)
    report = file_report(town, cats["other"], photos=[jpeg_bytes()])  # その他: 総務課, where the sweeps' staff work
    done = file_report(town, cats["road"])
    with scope(municipality=town):
        staff = factories.make_staff(town, department="建設水道課", role=Role.ADMIN)
        services.set_status(staff, done, ReportStatus.DONE, answer="補修しました。")
        client = Open311Client.objects.first() or services.create_client(staff, "sweep")[0]
        category = ReportCategory.objects.get(code="other")
        photo = report.photos.first()
    return {"report": report, "done": done, "category": category, "client": client, "photo": photo}


def route_objects(town: Municipality) -> dict[str, dict[str, Any]]:
    """Arguments of every 通報 URL (public and staff) for the role and isolation sweeps."""
    made = open311_town(town)
    report, category = made["report"], made["category"]
    return {
        "voice:report-form": {"code": category.code},
        "voice:report-sent": {"uuid": report.uuid},
        "voice:report": {"uuid": report.uuid},
        "voice:report-support": {"uuid": report.uuid},
        "voice:open311-service": {"code": category.code, "fmt": "json"},
        "voice:open311-request": {"number": report.number, "fmt": "json"},
        "voice:open311-token": {"value": str(report.uuid), "fmt": "json"},
        "voice:open311-discovery": {"fmt": "json"}, "voice:open311-services": {"fmt": "json"},
        "voice:open311-requests": {"fmt": "json"},
        "staff:voice-report": {"uuid": report.uuid},
        "staff:voice-report-accept": {"uuid": report.uuid},
        "staff:voice-report-status": {"uuid": report.uuid},
        "staff:voice-report-merge": {"uuid": report.uuid},
        "staff:voice-report-hide": {"uuid": report.uuid},
        "staff:voice-report-category": {"pk": category.pk},
        "staff:voice-report-photo": {"uuid": made["photo"].uuid},
    }


MARKER = "甘楽専用の通報"  # what only town B's 通報 rows contain (the isolation sweep's B_MARKERS)


def reports_of_town_b(town: Municipality, staff: Any) -> None:
    """通報 of town B for the isolation sweep: a category, a report with a photo, its events (one a merge), a
    「わたしも困っています」 and an Open311 client, each naming MARKER."""
    from tests.voice.reports_support import file_report, jpeg_bytes
    from yakuba.voice.models import ReportCategory
    from yakuba.voice.services import reports as services

    department = staff.department
    with scope(municipality=town):
        category = ReportCategory.objects.create(municipality=town, code="kanra-only-report", name=MARKER,
                                                 department=department, description=MARKER)
    report = file_report(town, category, description=MARKER, email="kanra-only@example.jp",
                         photos=[jpeg_bytes()], lat=36.24, lon=138.92)
    other = file_report(town, category, description=MARKER, lat=36.24, lon=138.92)
    with scope(municipality=town):
        services.support(report, "kanra-visitor")
        services.merge(staff, other, report)
        services.set_status(staff, report, "done", answer=MARKER)
        services.create_client(staff, MARKER)


PUBLIC_PAGES = ("/reports/", "/reports/new/", "/reports/new/streetlight/")
CACHED_PAGES = ("/reports/",)


def resident_values(town: Municipality) -> dict[str, dict[str, Any]]:
    """For the public crawls (private pages, page cache): the arguments of 通報's public URLs, naming the rows the
    role sweep's `route_objects` made in town A (or harmless values when there are none)."""
    from yakuba.voice.models import Report, ReportCategory

    with scope(municipality=town):
        report = Report.objects.filter(hidden=False, duplicate_of__isnull=True).first()
        category = ReportCategory.objects.filter(active=True).first()
        photo = report.photos.first() if report is not None else None
    number = report.number if report is not None else "none"
    found: dict[str, dict[str, Any]] = {
        f"voice:open311-{name}": {"fmt": "json", "code": category.code if category else "none", "number": number,
                                  "value": str(report.uuid) if report else "none"}
        for name in ("discovery", "services", "service", "requests", "request", "token")}
    found["voice:report-form"] = {"code": category.code if category else "none"}
    if report is not None:
        found.update({f"voice:{name}": {"uuid": report.uuid} for name in ("report", "report-sent",
                                                                          "report-support")})
    if photo is not None:
        found["voice:report-photo"] = {"uuid": photo.uuid}
    return found
