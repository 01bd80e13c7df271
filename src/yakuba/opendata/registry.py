"""Where オープンデータ and the map appear: the town site and the staff menu."""

from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.registry import Entry, register_public, register_staff

register_public(Entry("opendata:index", _("オープンデータ"),
                      _("町が公開しているデータ（AED・避難場所・施設・イベントなど）を見る・ダウンロードする。"),
                      order=50))
register_public(Entry("opendata:map", _("地図で見る"),
                      _("AED・避難場所・公共施設・トイレなどを地図と一覧で探す。"), order=51))
register_staff(Entry("staff:opendata", _("オープンデータ"), role=Role.STAFF, order=50))
register_staff(Entry("staff:map-layers", _("地図レイヤー"), role=Role.STAFF, order=51))
