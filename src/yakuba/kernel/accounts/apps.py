from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yakuba.kernel.accounts"
    label = "accounts"
    verbose_name = "アカウント"

    def ready(self) -> None:
        from django.core import checks

        from yakuba.kernel.throttle import check_shared_cache
        from yakuba.kernel.ui.registry import Entry, register_public, register_staff

        from . import login_limits  # noqa: F401  (connects the failed sign-in counter)

        checks.register(check_shared_cache, checks.Tags.security, deploy=True)

        register_public(Entry("accounts:profile", _("マイページ"),
                              _("登録内容の確認・変更、マイナンバーカードでの本人確認"), order=900))
        register_staff(Entry("staff:dashboard", _("職員用トップ"), order=0))
        register_staff(Entry("staff:residents", _("住民の登録情報"),
                             _("オンライン窓口に登録した住民の情報（閲覧は記録されます）"), order=800))
        register_staff(Entry("staff:members", _("職員一覧"), _("課・係と役割"), order=850))
