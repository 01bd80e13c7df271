"""URLs of 予約: resident pages here; staff pages are mounted under /staff/ by yakuba.urls."""

from .views import courses as course_views
from .views import lottery as lottery_views
from .views import public, series, staff, staff_courses, staff_groups, staff_lottery

app_name = "reservations"
urlpatterns = public.urlpatterns + course_views.urlpatterns + series.urlpatterns + lottery_views.urlpatterns
staff_urlpatterns = staff.urlpatterns + staff_courses.urlpatterns + staff_groups.urlpatterns + staff_lottery.urlpatterns
