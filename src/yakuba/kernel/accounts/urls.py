from django.urls import path

from .views import oidc, public, staff

app_name = "accounts"

urlpatterns = [
    path("login/", public.login_view, name="login"),
    path("logout/", public.logout_view, name="logout"),
    path("signup/", public.signup, name="signup"),
    path("profile/", public.profile, name="profile"),
    path("join/", public.join, name="join"),
    path("oidc/start/", oidc.start, name="oidc-start"),
    path("oidc/callback/", oidc.callback, name="oidc-callback"),
    path("password/", public.password_reset, name="password-reset"),
    path("verify/resend/", public.resend_verification, name="verify-email-resend"),
    path("verify/<str:token>/", public.verify_email, name="verify-email"),
    path("password/<uidb64>/<token>/", public.SetPasswordView.as_view(), name="set-password"),
]

staff_urlpatterns = [
    path("", staff.dashboard, name="dashboard"),
    path("login/", staff.login_view, name="login"),
    path("login/otp/", staff.otp_view, name="otp"),
    path("login/otp/setup/", staff.otp_setup, name="otp-setup"),
    path("logout/", staff.logout_view, name="logout"),
    path("residents/", staff.resident_list, name="residents"),
    path("residents/<int:pk>/", staff.resident_detail, name="resident"),
    path("members/", staff.staff_list, name="members"),
    path("members/new/", staff.staff_invite, name="member-new"),
    path("members/<int:pk>/", staff.staff_detail, name="member"),
]
