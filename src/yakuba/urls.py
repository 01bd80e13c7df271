"""URLs of one town (the tenancy middleware strips any /t/<code>/ prefix before these are matched)."""

from django.urls import include, path

from yakuba.applications import urls as applications_urls
from yakuba.approvals import urls as approvals_urls
from yakuba.assistant import urls as assistant_urls
from yakuba.attendance import urls as attendance_urls
from yakuba.kernel.accounts import urls as accounts_urls
from yakuba.kernel.audit import urls as audit_urls
from yakuba.kernel.messaging import urls as messaging_urls
from yakuba.kernel.messaging import views_staff_push
from yakuba.kernel.ops import views as ops_views
from yakuba.kernel.ui import views as ui_views
from yakuba.kernel.words import views_staff as words_staff
from yakuba.meetings import urls as meetings_urls
from yakuba.notices import urls as notices_urls
from yakuba.opendata import urls as opendata_urls
from yakuba.payments import urls as payments_urls
from yakuba.plans import urls as plans_urls
from yakuba.reservations import urls as reservations_urls
from yakuba.transport import urls as transport_urls
from yakuba.voice import urls as voice_urls
from yakuba.website import urls as website_urls

staff_urlpatterns = [*accounts_urls.staff_urlpatterns, *audit_urls.staff_urlpatterns,
                     *views_staff_push.staff_urlpatterns, *words_staff.staff_urlpatterns,
                     *applications_urls.staff_urlpatterns, *reservations_urls.staff_urlpatterns,
                     *notices_urls.staff_urlpatterns, *plans_urls.staff_urlpatterns,
                     *opendata_urls.staff_urlpatterns, *assistant_urls.staff_urlpatterns,
                     *approvals_urls.staff_urlpatterns, *payments_urls.staff_urlpatterns,
                     *attendance_urls.staff_urlpatterns, *meetings_urls.staff_urlpatterns,
                     *website_urls.staff_urlpatterns, *voice_urls.staff_urlpatterns,
                     *transport_urls.staff_urlpatterns]

urlpatterns = [
    path("", include("yakuba.kernel.ui.urls")),
    # Django's set_language, without the CSRF token the cached pages cannot carry (kernel/ui/views.py says why).
    path("i18n/setlang/", ui_views.set_language, name="set_language"),
    path("accounts/", include("yakuba.kernel.accounts.urls")),
    path("staff/", include((staff_urlpatterns, "staff"))),
    path("", include("yakuba.applications.urls")),
    path("", include("yakuba.reservations.urls")),
    path("", include("yakuba.notices.urls")),
    path("", include("yakuba.plans.urls")),
    path("", include("yakuba.opendata.urls")),
    path("", include("yakuba.assistant.urls")),
    path("", include("yakuba.approvals.urls")),
    path("", include("yakuba.payments.urls")),
    path("", include("yakuba.attendance.urls")),
    path("", include("yakuba.meetings.urls")),
    path("", include("yakuba.website.urls")),
    path("", include("yakuba.voice.urls")),
    path("", include("yakuba.transport.urls")),
    path("api/3/action/", include((opendata_urls.api_urlpatterns, "ckan"))),
    # CKAN answers on the unversioned path too, and the ckanapi client uses it by default.
    path("api/action/", include((opendata_urls.api_urlpatterns, "ckan-unversioned"))),
    path("messaging/", include("yakuba.kernel.messaging.urls")),
    path("", include((messaging_urls.root_urlpatterns, "messaging-root"))),
    path("healthz", ops_views.healthz, name="healthz"),
    path("api/openapi.json", ops_views.openapi_document, name="openapi"),
]

